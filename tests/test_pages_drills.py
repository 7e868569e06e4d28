"""The drill pages: the calendar, the plan, the live screen, the shared headcount link, the record,
the bureaus' compliance and the police panel, persona by persona.

"Now" is Tuesday 15 December 2026, 10:00 in Shanghai, in city A's autumn term.
"""

import datetime
import zoneinfo

import time_machine
from django.urls import reverse

from drills import services
from drills.models import Drill
from tests.base import PinnedClockMixin
from tests.drills_world import DrillWorldTestCase
from tests.obligations_world import D, at
from tests.test_pages import PageTestCase

TODAY = D(2026, 12, 15)
NOW = datetime.datetime(2026, 12, 15, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


class DrillPageTestCase(PinnedClockMixin, DrillWorldTestCase, PageTestCase):
    pinned_at = NOW

    def make(self, school=None, **fields):
        fields.setdefault("planned_at", at(TODAY, 9))
        return self.drill(school, **fields)

    def held(self, school=None, **fields):
        return self.held_drill(school, start=at(TODAY, 9), **fields)

    def status_of(self, drill):
        return Drill.objects.get(pk=drill.pk).status


class CalendarPageTests(DrillPageTestCase):
    def test_the_choice_leads_each_role_to_its_page(self):
        self.login("principal1")
        self.assertRedirects(
            self.client.get(reverse("drills:calendar-choice")),
            reverse("drills:calendar", args=[self.s1.pk]),
        )
        self.login("city")
        self.assertRedirects(
            self.client.get(reverse("drills:calendar-choice")), reverse("drills:compliance")
        )
        self.login("police1")
        self.assertEqual(self.client.get(reverse("drills:calendar-choice")).status_code, 403)

    def test_the_calendar_shows_done_planned_and_due_by_requirement(self):
        self.make(scenario="planned")
        done = self.held()
        services.sign_off(self.principal1, done)
        self.login("principal1")
        response = self.client.get(reverse("drills:calendar", args=[self.s1.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["planned"]), 1)
        self.assertEqual(response.context["done"], [Drill.objects.get(pk=done.pk)])
        names = {rule.code for rule, _windows in response.context["requirements"]}
        self.assertIn("monthly-drill", names)
        self.assertIn("term-evacuation-drill", names)
        self.assertContains(response, reverse("drills:plan") + f"?school={self.s1.pk}")
        # The police see the calendar of their school, without the plan button.
        self.login("police1")
        response = self.client.get(reverse("drills:calendar", args=[self.s1.pk]))
        self.assertNotContains(response, reverse("drills:plan"))
        self.login("principal2")
        self.assertEqual(
            self.client.get(reverse("drills:calendar", args=[self.s1.pk])).status_code, 404
        )


class PlanPageTests(DrillPageTestCase):
    def body(self, school):
        return {
            "school": school.pk,
            "drill_type": "earthquake",
            "planned_at": "2026-12-20T10:00",
            "commander": "李校长",
            "announced": "on",
        }

    def test_school_staff_plan_at_their_school_only(self):
        self.login("officer1")
        response = self.client.post(reverse("drills:plan"), self.body(self.s1))
        drill = Drill.objects.get(commander="李校长")
        self.assertRedirects(response, reverse("drills:live", args=[drill.pk]))
        self.assertEqual(drill.target_seconds, 180)
        for persona, school in (("officer1", self.s2), ("police1", self.s1)):
            self.login(persona)
            response = self.client.post(reverse("drills:plan"), self.body(school))
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.context["form"].errors)
        self.assertEqual(Drill.objects.count(), 1)

    def test_a_plan_is_edited_while_planned_by_its_school(self):
        drill = self.make()
        url = reverse("drills:plan-edit", args=[drill.pk])
        self.login("police1")
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login("principal2")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login("principal1")
        body = {**self.body(self.s1), "commander": "王主任", "target_seconds": 150}
        self.assertEqual(self.client.post(url, body).status_code, 302)
        self.assertEqual(Drill.objects.get(pk=drill.pk).target_seconds, 150)
        services.start_drill(self.principal1, drill)
        self.assertEqual(self.client.get(url).status_code, 403)


class LivePageTests(DrillPageTestCase):
    def test_the_commander_starts_and_stops_the_drill(self):
        drill = self.make()
        self.login("principal1")
        page = self.client.get(reverse("drills:live", args=[drill.pk]))
        self.assertContains(page, reverse("drills:start", args=[drill.pk]))
        self.assertNotContains(page, "<svg")
        self.client.post(reverse("drills:start", args=[drill.pk]))
        self.assertEqual(self.status_of(drill), "running")
        page = self.client.get(reverse("drills:live", args=[drill.pk]))
        # The shared link and its QR code, while the drill runs.
        self.assertContains(page, "/drills/headcount/")
        self.assertContains(page, "<svg")
        services.record_headcount(drill, "二年级一班", "赵老师", 40, 37)
        page = self.client.get(reverse("drills:live", args=[drill.pk]))
        self.assertContains(page, "二年级一班")
        self.assertEqual(page.context["totals"]["missing"], 3)
        with time_machine.travel(NOW + datetime.timedelta(seconds=95), tick=False):
            self.client.post(reverse("drills:all-clear", args=[drill.pk]))
        self.assertEqual(self.status_of(drill), "held")
        # The stopwatch's result, as the phone shows it.
        self.assertContains(self.client.get(reverse("drills:live", args=[drill.pk])), "1:35")

    def test_who_may_press_the_buttons(self):
        drill = self.make()
        for persona, expected in (("police1", 403), ("district1", 403), ("principal2", 404)):
            self.login(persona)
            response = self.client.post(reverse("drills:start", args=[drill.pk]))
            self.assertEqual(response.status_code, expected, persona)
        self.login("outsider")
        self.assertEqual(self.client.get(reverse("drills:live", args=[drill.pk])).status_code, 404)
        # The police see the screen, without the buttons or the link.
        services.start_drill(self.principal1, drill)
        self.login("police1")
        page = self.client.get(reverse("drills:live", args=[drill.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "/drills/headcount/")
        # A second start is refused with a message, not an error page.
        self.login("principal1")
        response = self.client.post(reverse("drills:start", args=[drill.pk]), follow=True)
        self.assertEqual(len(list(response.context["messages"])), 1)


class HeadcountPageTests(DrillPageTestCase):
    def test_the_link_opens_without_an_account_while_the_drill_runs(self):
        drill = self.make()
        url = reverse("drills:headcount", args=[services.headcount_token(drill)])
        self.assertEqual(self.client.get(url).status_code, 403)
        services.start_drill(self.principal1, drill)
        response = self.client.get(url)
        self.assertContains(response, "data-headcount-form")
        self.assertContains(response, reverse("drill-headcount-report", args=[url.split("/")[-2]]))
        self.assertEqual(self.client.get(url[:-3] + "x/").status_code, 403)


class RecordPageTests(DrillPageTestCase):
    def test_the_record_is_evaluated_and_signed_off(self):
        drill = self.held()
        url = reverse("drills:record", args=[drill.pk])
        self.login("officer1")
        # The police are timed in alarm drills only: a fire drill's form does not ask.
        self.assertNotContains(self.client.get(url), 'name="police_arrived_at"')
        response = self.client.post(url, {"evaluation_score": "150"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertEqual(self.status_of(drill), "held")
        body = {
            "evaluation_score": "80",
            "evaluation": "二楼疏散较慢",
            "routes_used": "东楼梯",
            "alarm_audible": "false",
            "plan_must_be_revised": "on",
        }
        self.assertRedirects(self.client.post(url, body), url)
        drill.refresh_from_db()
        self.assertEqual((drill.status, drill.evaluation_score), ("evaluated", 80))
        self.assertIs(drill.alarm_audible, False)
        self.client.post(reverse("drills:problems", args=[drill.pk]), {"problems": "东门锁死\n"})
        self.assertEqual(Drill.objects.get(pk=drill.pk).problems_found, "东门锁死")
        page = self.client.get(url)
        self.assertContains(page, reverse("drills:hazard", args=[drill.pk]))
        # A problem the drill did not find: a message, nothing else.
        response = self.client.post(
            reverse("drills:hazard", args=[drill.pk]), {"problem": "9"}, follow=True
        )
        self.assertEqual(len(list(response.context["messages"])), 1)
        # Only the principal signs off.
        self.assertEqual(
            self.client.post(reverse("drills:sign-off", args=[drill.pk])).status_code, 403
        )
        self.login("principal1")
        self.client.post(reverse("drills:sign-off", args=[drill.pk]))
        self.assertEqual(self.status_of(drill), "closed")
        self.assertNotContains(self.client.get(url), 'name="evaluation"')

    def test_other_schools_and_readers(self):
        drill = self.held()
        url = reverse("drills:record", args=[drill.pk])
        self.login("principal2")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, {}).status_code, 404)
        self.login("police1")
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.post(url, {}).status_code, 403)
        self.assertEqual(
            self.client.post(reverse("drills:problems", args=[drill.pk]), {}).status_code, 403
        )


class CompliancePageTests(DrillPageTestCase):
    def test_drill_down_from_the_city_to_a_school_and_the_rates_move(self):
        self.login("city")
        response = self.client.get(reverse("drills:compliance"))
        self.assertEqual({row.label for row in response.context["rows"]}, {"滨城区", "沾化区"})
        response = self.client.get(reverse("drills:compliance"), {"district": self.d1.pk})
        rows = {row.label: row for row in response.context["rows"]}
        before = rows[self.s1.name].done
        self.assertTrue(rows[self.s1.name].behind)
        services.sign_off(self.principal1, self.held())
        response = self.client.get(reverse("drills:compliance"), {"district": self.d1.pk})
        rows = {row.label: row for row in response.context["rows"]}
        # A fire evacuation counts for the month and for the term's evacuation drill.
        self.assertEqual(rows[self.s1.name].done, before + 2)
        response = self.client.get(reverse("drills:compliance"), {"school": self.s1.pk})
        self.assertEqual(response.context["level"], "school")
        self.assertTrue(response.context["requirements"])

    def test_bureaus_only_and_their_own_area(self):
        self.login("district1")
        self.assertEqual(
            self.client.get(reverse("drills:compliance"), {"district": self.d2.pk}).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(reverse("drills:compliance"), {"school": self.s2.pk}).status_code, 404
        )
        self.login("principal1")
        self.assertEqual(self.client.get(reverse("drills:compliance")).status_code, 403)


class PoliceTests(DrillPageTestCase):
    def test_the_station_sees_and_acknowledges_the_pre_notification(self):
        drill = self.make(
            drill_type="one_key_alarm", planned_at=at(TODAY + datetime.timedelta(days=3), 10)
        )
        self.login("police1")
        self.assertContains(self.client.get(reverse("home")), "drills-police-panel")
        self.login("principal1")
        self.client.post(reverse("drills:prenotify", args=[drill.pk]))
        self.assertIsNotNone(Drill.objects.get(pk=drill.pk).prenotified_at)
        url = reverse("drills:acknowledge", args=[drill.pk])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.login("police2")
        self.assertNotContains(self.client.get(reverse("home")), drill.school.name + " ·")
        self.assertEqual(self.client.post(url).status_code, 404)
        self.login("police1")
        home = self.client.get(reverse("home"))
        self.assertContains(home, url)
        self.assertRedirects(self.client.post(url), reverse("home"))
        self.assertIsNotNone(Drill.objects.get(pk=drill.pk).prenotice_acknowledged_at)

    def test_only_alarm_drills_are_notified(self):
        drill = self.make()
        self.login("principal1")
        response = self.client.post(reverse("drills:prenotify", args=[drill.pk]), follow=True)
        self.assertEqual(len(list(response.context["messages"])), 1)
        self.assertIsNone(Drill.objects.get(pk=drill.pk).prenotified_at)


class MultiRoleAndAnonymousTests(DrillPageTestCase):
    multi_role_personas = True

    def test_a_principal_who_is_police_elsewhere_acts_by_the_role_they_hold_there(self):
        own = self.make()
        alarm = self.make(self.s2, drill_type="one_key_alarm")
        services.send_prenotice(self.principal2, alarm)
        self.login("principal1_police2")
        self.assertEqual(
            self.client.post(reverse("drills:start", args=[alarm.pk])).status_code, 403
        )
        self.client.post(reverse("drills:start", args=[own.pk]))
        self.assertEqual(self.status_of(own), "running")
        self.client.post(reverse("drills:acknowledge", args=[alarm.pk]))
        self.assertIsNotNone(Drill.objects.get(pk=alarm.pk).prenotice_acknowledged_at)
        self.assertEqual(
            self.client.get(reverse("drills:calendar", args=[self.s3.pk])).status_code, 404
        )

    def test_every_page_but_the_shared_link_asks_anonymous_visitors_to_sign_in(self):
        drill = self.make()
        pages = [
            ("get", reverse("drills:calendar-choice")),
            ("get", reverse("drills:calendar", args=[self.s1.pk])),
            ("get", reverse("drills:plan")),
            ("get", reverse("drills:plan-edit", args=[drill.pk])),
            ("get", reverse("drills:live", args=[drill.pk])),
            ("post", reverse("drills:start", args=[drill.pk])),
            ("post", reverse("drills:all-clear", args=[drill.pk])),
            ("post", reverse("drills:prenotify", args=[drill.pk])),
            ("post", reverse("drills:acknowledge", args=[drill.pk])),
            ("get", reverse("drills:record", args=[drill.pk])),
            ("post", reverse("drills:problems", args=[drill.pk])),
            ("post", reverse("drills:hazard", args=[drill.pk])),
            ("post", reverse("drills:sign-off", args=[drill.pk])),
            ("get", reverse("drills:compliance")),
        ]
        for method, url in pages:
            with self.subTest(url=url):
                response = getattr(self.client, method)(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertEqual(Drill.objects.get(pk=drill.pk).status, "planned")
