"""Security meetings, end to end: a district meeting produces two action items for a
school; the school marks one done with evidence from its phone; the other turns overdue
and reminds once. Also: who sees which meeting, the home panel, the printable minutes,
the cadence through the recurring-obligation mechanism, an item's hazard, query counts."""

import datetime
from collections import Counter

import time_machine
from django.urls import reverse

from coordination import services
from coordination.choices import ItemStatus
from coordination.models import ActionItem, Meeting
from reminders.delivery import record
from reminders.models import NotificationItem
from reminders.registry import KINDS
from schools.choices import WindowStatus
from schools.models import ObligationCompletion, ObligationRule
from schools.obligations import due_windows
from tests.coordination_world import (
    DAY,
    CoordinationWorldTestCase,
    make_item,
    make_meeting,
)
from tests.obligations_world import at
from tests.photos import jpeg, temporary_media, upload

ONE_DAY = datetime.timedelta(days=1)
KIND = "coordination_action_item"


def sweep(moment):
    """Sweep the action items at `moment` and record; Counter of (username, due) new."""
    before = set(NotificationItem.objects.values_list("pk", flat=True))
    record(KINDS[KIND].sweep(moment), moment)
    return Counter(
        (item.user.username, item.due)
        for item in NotificationItem.objects.exclude(pk__in=before).select_related("user")
    )


class DistrictMeetingTests(CoordinationWorldTestCase):
    """The first "done when" of the issue, through the API and the phone page."""

    multi_role_personas = False

    def setUp(self):
        self.enterContext(temporary_media(self))
        self.enterContext(time_machine.travel(at(DAY, 9), tick=False))

    def hold_district_meeting(self):
        client = self.api("district1")
        meeting = client.post(
            reverse("meeting-list"),
            {
                "level": "district",
                "district": self.d1.pk,
                "title": "滨城区校园安全联席会议",
                "held_on": DAY.isoformat(),
                "agenda": "校门口安全防范",
                "attendees": [
                    {"name": "刘科长", "organisation": "区教育局"},
                    {"name": "王所长", "organisation": "市中派出所"},
                ],
                "schools": [self.s1.pk],
            },
            format="json",
        )
        self.assertEqual(meeting.status_code, 201, meeting.content)
        decision = client.post(
            reverse("decision-list"),
            {"meeting": meeting.json()["id"], "text": "各校加强上下学时段校门口防护"},
            format="json",
        )
        self.assertEqual(decision.status_code, 201, decision.content)
        items = []
        for title in ("校门口加装防冲撞桩", "完善护学岗排班"):
            response = client.post(
                reverse("actionitem-list"),
                {
                    "decision": decision.json()["id"],
                    "title": title,
                    "owner_school": self.s1.pk,
                    "due_on": (DAY + 2 * ONE_DAY).isoformat(),
                },
                format="json",
            )
            self.assertEqual(response.status_code, 201, response.content)
            items.append(ActionItem.objects.get(pk=response.json()["id"]))
        return items

    def test_one_item_done_with_evidence_the_other_overdue_reminds_once(self):
        done, late = self.hold_district_meeting()
        # The school sees both on its home page.
        self.login("principal1")
        home = self.client.get(reverse("home"))
        self.assertContains(home, "校门口加装防冲撞桩")
        self.assertContains(home, "完善护学岗排班")
        # The school marks one done from its phone, with a photo.
        page = reverse("coordination:item", args=[done.pk])
        self.assertContains(self.client.get(page), "complete-form")
        response = self.client.post(
            page, {"note": "已在南门加装6根防冲撞桩", "photo": upload(jpeg())}
        )
        self.assertEqual(response.status_code, 302)
        done.refresh_from_db()
        self.assertEqual(done.status, ItemStatus.DONE)
        photo = done.evidence.photo.name
        self.assertEqual(self.client.get(reverse("media", args=[photo])).status_code, 200)
        self.login("principal2")
        self.assertEqual(self.client.get(reverse("media", args=[photo])).status_code, 404)
        # Due in two days: the open item reminds the school's leaders, once.
        self.assertEqual(
            sweep(at(DAY, 7, 15)),
            Counter(
                {("principal1", f"soon:{late.due_on}"): 1, ("officer1", f"soon:{late.due_on}"): 1}
            ),
        )
        self.assertEqual(sweep(at(DAY + ONE_DAY, 7, 15)), Counter())
        # Past its due date it is overdue, computed, and reminds once.
        with time_machine.travel(at(DAY + 3 * ONE_DAY, 9), tick=False):
            row = self.api("principal1").get(reverse("actionitem-detail", args=[late.pk])).json()
            self.assertTrue(row["overdue"])
            self.assertEqual(row["status"], "open")
        overdue = f"overdue:{late.due_on}"
        self.assertEqual(
            sweep(at(DAY + 3 * ONE_DAY, 7, 15)),
            Counter({("principal1", overdue): 1, ("officer1", overdue): 1}),
        )
        self.assertEqual(sweep(at(DAY + 4 * ONE_DAY, 7, 15)), Counter())
        self.assertEqual(sweep(at(DAY + 10 * ONE_DAY, 7, 15)), Counter())

    def test_a_done_item_is_not_done_twice(self):
        item, _other = self.hold_district_meeting()
        client = self.api("principal1")
        url = reverse("actionitem-complete", args=[item.pk])
        self.assertEqual(client.post(url, {"note": "完成"}, format="json").status_code, 200)
        again = client.post(url, {"note": "再次"}, format="json")
        self.assertEqual(again.status_code, 400)
        self.assertIn("note", again.json())

    def test_no_note_is_a_form_error(self):
        item, _other = self.hold_district_meeting()
        self.login("officer1")
        response = self.client.post(reverse("coordination:item", args=[item.pk]), {"note": ""})
        self.assertEqual(response.status_code, 400)
        item.refresh_from_db()
        self.assertEqual(item.status, ItemStatus.OPEN)

    def test_marking_done_costs_a_fixed_number_of_queries(self):
        item, _other = self.hold_district_meeting()
        user = self.users["principal1"].__class__.objects.get(username="principal1")
        # Savepoint, the lock, the evidence, the status, the scope check (roles, then the
        # evidence in scope), the savepoint's release.
        with self.assertNumQueries(7):
            services.complete_item(user, item, "完成")

    def test_an_item_opens_its_hazard_in_the_ledger_once(self):
        item, _other = self.hold_district_meeting()
        client = self.api("district1")
        url = reverse("actionitem-hazard", args=[item.pk])
        first = client.post(url).json()
        second = client.post(url).json()
        self.assertTrue(first["hazard_ref"].startswith("inspections.hazard:"))
        self.assertEqual(first["hazard_ref"], second["hazard_ref"])
        self.login("principal1")
        page = self.client.get(reverse("coordination:item", args=[item.pk]))
        self.assertContains(page, first["hazard_label"])


class VisibilityAndMinutesTests(CoordinationWorldTestCase):
    def test_a_school_meeting_is_seen_by_the_school_its_district_and_its_police(self):
        meeting = make_meeting(school=self.s1)
        url = reverse("coordination:meeting", args=[meeting.pk])
        for persona, status in {
            "principal1": 200,
            "officer1": 200,
            "district1": 200,
            "police1": 200,
            "city": 200,
            "district2": 404,
            "police2": 404,
            "principal2": 404,
            "district1_principal2": 200,
            "principal1_police2": 200,
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(url).status_code, status)

    def test_the_printable_minutes_list_the_action_items(self):
        meeting = make_meeting(district=self.d1, minutes="一、通报近期校园周边治安情况")
        make_item(meeting, owner_school=self.s1, title="校门口加装防冲撞桩")
        make_item(meeting, owner_district=self.d1, title="组织全区安全检查")
        self.login("district1")
        with time_machine.travel(at(DAY, 9), tick=False):
            response = self.client.get(reverse("coordination:meeting-print", args=[meeting.pk]))
        self.assertContains(response, "通报近期校园周边治安情况")
        self.assertContains(response, "校门口加装防冲撞桩")
        self.assertContains(response, "组织全区安全检查")
        self.assertContains(response, 'class="print-item"', count=2)

    def test_the_meeting_list_costs_a_constant_number_of_queries(self):
        self.login("district1")
        for n in range(2):
            make_item(make_meeting(district=self.d1, title=f"例会{n}"), owner_school=self.s1)
            # Session, user, roles (scope), the page's count and rows, the layout's badge.
            with self.assertNumQueries(6):
                self.client.get(reverse("coordination:meetings"))


class CadenceTests(CoordinationWorldTestCase):
    """A school's monthly meeting is a recurring obligation: a month without one is missed."""

    def setUp(self):
        # Without terms in this world, every month is due (the obligation's own switch).
        ObligationRule.objects.filter(code=services.MEETING_RULE).update(
            even_without_school_days=True
        )

    def test_a_school_meeting_fills_its_month_and_a_missing_one_is_missed(self):
        meeting = services.save_meeting(
            Meeting(
                level="school", school=self.s1, title="九月例会", held_on=datetime.date(2026, 9, 8)
            )
        )
        self.assertTrue(
            ObligationCompletion.objects.filter(source=services.meeting_source(meeting)).exists()
        )
        windows = due_windows(
            [self.s1.pk],
            datetime.date(2026, 9, 1),
            datetime.date(2026, 10, 31),
            domain="coordination",
            now=at(datetime.date(2026, 11, 5), 9),
        )
        statuses = {w.date.month: w.status for w in windows}
        self.assertEqual(statuses[9], WindowStatus.DONE)
        self.assertEqual(statuses[10], WindowStatus.MISSED)
        services.delete_meeting(meeting)
        self.assertFalse(
            ObligationCompletion.objects.filter(source__startswith="coordination.").exists()
        )
