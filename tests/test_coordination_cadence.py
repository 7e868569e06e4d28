"""The city's and the districts' meeting cadence: periods and statuses from the obligations'
arithmetic, meetings counted in one grouped query, a missed period reminding the unit's
staff once (also on a real worker), the bureau page and API with the drill-down to the
schools' monthly meetings, persona by persona (the MATRIX points here).

The world (tests/coordination_world.py) on 2026-10-12: city A meets quarterly and its
districts monthly from 2026-01-01. D1 met every month but March and September, and early
in October; D2 every month from January to September; the city on 31 March (Q1) and
1 April (Q2), not in Q3.
"""

import datetime
from collections import Counter

import time_machine
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination import cadence, services
from coordination.choices import Level
from coordination.models import Meeting, MeetingCadence
from reminders.choices import DeliveryStatus
from reminders.delivery import record
from reminders.models import Delivery, Notification, NotificationItem, NotificationSettings
from reminders.registry import KINDS
from reminders.tasks import run_sweep
from schools.choices import Basis, WindowStatus
from schools.models import ObligationRule
from schools.obligations import due_windows, periods
from tests.base import LAYOUT_QUERIES, World
from tests.coordination_world import DAY, CoordinationWorldTestCase, make_meeting
from tests.factories import DistrictFactory, SchoolFactory
from tests.obligations_world import at
from tests.permissions import ALL_PERSONAS, ActionChecks, PageChecks
from tests.worker import running_worker, send, task_runs, wait_until

D = datetime.date
KIND = "coordination_meeting_missed"
BUREAU = {"admin", "city", "district1", "district2"}
EVERYONE = set(ALL_PERSONAS)
NOW = at(DAY, 9)
YEAR = (D(2026, 1, 1), D(2026, 12, 31))
FROM = D(2026, 1, 1)


def city_cadence(city, starts_on=FROM, **fields):
    """City A's own rows: the city quarterly, its districts monthly."""
    rows = {}
    for level, basis in ((Level.CITY, Basis.QUARTER), (Level.DISTRICT, Basis.MONTH)):
        rows[level] = MeetingCadence.objects.create(
            city=city,
            level=level,
            basis=basis,
            starts_on=starts_on,
            source="滨州市校园安全联席会议制度",
            **fields,
        )
    return rows


def monthly(district, months, day=10):
    for month in months:
        make_meeting(district=district, held_on=D(2026, month, day), title=f"{month}月例会")


def more_districts(city, n=10):
    """`n` more districts of `city`, each with a meeting every month to September."""
    for k in range(n):
        district = DistrictFactory(city=city, name=f"新区{k}", code=f"{371700 + k}")
        monthly(district, range(1, 10))


def sweep(moment):
    """Sweep and record at `moment`; Counter of (username, subject, due) newly recorded."""
    before = set(NotificationItem.objects.values_list("pk", flat=True))
    record(KINDS[KIND].sweep(moment), moment)
    return Counter(
        (item.user.username, item.subject, item.due)
        for item in NotificationItem.objects.exclude(pk__in=before).select_related("user")
    )


class CadenceWorldTestCase(CoordinationWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.cadences = city_cadence(cls.city_a)
        monthly(cls.d1, [1, 2, 4, 5, 6, 7, 8, 10], day=5)
        monthly(cls.d2, range(1, 10))
        make_meeting(city=cls.city_a, held_on=D(2026, 3, 31), title="一季度联席会议")
        make_meeting(city=cls.city_a, held_on=D(2026, 4, 1), title="二季度联席会议")

    def plans(self, units=None, now=NOW):
        units = units or cadence.all_units()
        return {(p.unit.level, p.unit.pk): p for p in cadence.unit_cadences(units, *YEAR, now)}


class PeriodTests(CadenceWorldTestCase):
    def test_each_district_and_the_city_held_against_due(self):
        plans = self.plans()
        d1, d2 = plans[Level.DISTRICT, self.d1.pk], plans[Level.DISTRICT, self.d2.pk]
        city = plans[Level.CITY, self.city_a.pk]
        statuses = {month: w.status for month, w in enumerate(d1.windows, start=1)}
        self.assertEqual(statuses[3], WindowStatus.MISSED)
        self.assertEqual(statuses[9], WindowStatus.MISSED)
        # Held early in October: done while still open, and counted.
        self.assertEqual(statuses[10], WindowStatus.DONE)
        self.assertEqual(statuses[11], WindowStatus.UPCOMING)
        self.assertEqual((d1.due, d1.held, d1.missed, d1.meetings), (10, 8, 2, 8))
        self.assertEqual(d2.windows[9].status, WindowStatus.OPEN)
        self.assertEqual((d2.due, d2.held, d2.missed), (9, 9, 0))
        # 31 March is the first quarter's, 1 April the second's: the obligations' periods.
        self.assertEqual(
            [(w.first, w.held, w.status) for w in city.windows],
            [
                (D(2026, 1, 1), 1, WindowStatus.DONE),
                (D(2026, 4, 1), 1, WindowStatus.DONE),
                (D(2026, 7, 1), 0, WindowStatus.MISSED),
                (D(2026, 10, 1), 0, WindowStatus.OPEN),
            ],
        )

    def test_the_periods_are_those_of_the_school_meeting_obligation(self):
        ObligationRule.objects.filter(code=services.MEETING_RULE).update(
            even_without_school_days=True
        )
        school = [w.date for w in due_windows([self.s1.pk], *YEAR, domain="coordination")]
        district = [w.first for w in self.plans()[Level.DISTRICT, self.d1.pk].windows]
        self.assertEqual(district, school)
        self.assertEqual(district, [first for first, _last in periods(Basis.MONTH, *YEAR)])

    def test_a_city_without_its_own_rows_follows_the_national_default(self):
        MeetingCadence.objects.filter(city=None).update(starts_on=D(2026, 7, 1))
        plans = self.plans()
        d3, city_b = plans[Level.DISTRICT, self.d3.pk], plans[Level.CITY, self.city_b.pk]
        self.assertEqual(d3.cadence.city_id, None)
        self.assertEqual([w.first.month for w in d3.windows], [7, 8, 9, 10, 11, 12])
        self.assertEqual([w.first.month for w in city_b.windows], [7, 10])
        self.assertEqual((d3.missed, city_b.missed), (3, 1))
        # City A's own rows replace the national ones for its units.
        self.assertEqual(plans[Level.DISTRICT, self.d1.pk].cadence, self.cadences[Level.DISTRICT])
        MeetingCadence.objects.filter(city=None).update(is_active=False)
        self.assertIsNone(self.plans()[Level.DISTRICT, self.d3.pk].cadence)

    def test_twice_a_period_and_a_grace_period(self):
        MeetingCadence.objects.filter(pk=self.cadences[Level.DISTRICT].pk).update(
            required_count=2, grace=datetime.timedelta(days=15)
        )
        make_meeting(district=self.d2, held_on=D(2026, 9, 20), title="九月第二次")
        windows = self.plans()[Level.DISTRICT, self.d2.pk].windows
        self.assertEqual(windows[7].status, WindowStatus.MISSED)  # August: one of two
        # September held twice; its grace period runs to 16 October.
        self.assertEqual((windows[8].held, windows[8].status), (2, WindowStatus.DONE))
        d1 = self.plans()[Level.DISTRICT, self.d1.pk].windows
        self.assertEqual(d1[8].status, WindowStatus.OPEN)
        later = self.plans(now=at(D(2026, 10, 16), 9))[Level.DISTRICT, self.d1.pk].windows
        self.assertEqual(later[8].status, WindowStatus.MISSED)

    def test_counting_costs_two_queries_whatever_the_units_and_meetings(self):
        units = cadence.all_units()
        # The cadences; ONE grouped count of the meetings.
        with self.assertNumQueries(2):
            cadence.unit_cadences(units, *YEAR, NOW)
        more_districts(self.city_a)
        units = cadence.all_units()
        self.assertEqual(len(units), 2 + 13)
        with CaptureQueriesContext(connection) as queries:
            plans = cadence.unit_cadences(units, *YEAR, NOW)
        self.assertEqual(len(queries), 2)
        self.assertEqual(sum(p.held for p in plans if p.unit.name.startswith("新区")), 90)


class SweepTests(CadenceWorldTestCase):
    def test_a_missed_period_reminds_the_unit_s_staff_once(self):
        found = sweep(at(DAY, 7, 20))
        self.assertEqual(
            found,
            Counter(
                {
                    # March is past the horizon: no longer news.
                    ("district1", f"meetings:district:{self.d1.pk}", "2026-09-01"): 1,
                    ("district1_principal2", f"meetings:district:{self.d1.pk}", "2026-09-01"): 1,
                    ("city", f"meetings:city:{self.city_a.pk}", "2026-07-01"): 1,
                }
            ),
        )
        self.assertEqual(sweep(at(DAY, 7, 20)), Counter())
        self.assertEqual(sweep(at(DAY + datetime.timedelta(days=1), 7, 20)), Counter())
        # One digest per recipient, saying how many were held of how many.
        [digest] = Notification.objects.filter(user=self.users["district1"], kind=KIND)
        [item] = digest.items.all()
        self.assertEqual(item.params["held"], 0)
        self.assertIn(reverse("coordination:cadence"), item.url)

    def test_a_grace_period_delays_the_reminder(self):
        # September's meeting may still be held until 15 October.
        MeetingCadence.objects.filter(pk=self.cadences[Level.DISTRICT].pk).update(
            grace=datetime.timedelta(days=15)
        )
        self.assertNotIn("district1", {user for user, _s, _d in sweep(at(DAY, 7, 20))})
        later = sweep(at(D(2026, 10, 16), 7, 20))
        self.assertIn(("district1", f"meetings:district:{self.d1.pk}", "2026-09-01"), later)

    def test_the_sweep_costs_a_constant_number_of_queries(self):
        def count():
            with CaptureQueriesContext(connection) as queries:
                KINDS[KIND].sweep(at(DAY, 7, 20))
            return len(queries)

        # The units, the cadences, the meetings counted, the staff of the districts and of
        # the city.
        self.assertEqual(count(), 5)
        more_districts(self.city_a)
        self.assertEqual(count(), 5)


class SweepOnAWorkerTests(TransactionTestCase):
    """The sweep queued through the broker, twice, on a real worker; every task it queued ran."""

    def setUp(self):
        World.build(self)
        city_cadence(self.city_a)
        monthly(self.d1, [1, 2, 3, 4, 5, 6, 7, 8])
        monthly(self.d2, range(1, 10))
        for quarter_start in (1, 4, 7):
            make_meeting(city=self.city_a, held_on=D(2026, quarter_start, 15))
        user = self.users["district1"]
        user.email = "district1@example.edu.cn"
        user.save()
        NotificationSettings.objects.create(user=user, email_enabled=True, language="zh-hans")

    def test_a_queued_sweep_ran_once_and_delivered_one_digest(self):
        moment = at(DAY, 7, 20).isoformat()
        with running_worker(concurrency=2), task_runs() as runs:
            # A duplicated tick: still one digest, one email.
            for _ in range(2):
                send(run_sweep, KIND, moment)
            wait_until(lambda: len([r for r in runs if r[0].endswith("run_sweep")]) == 2, 60)
            wait_until(lambda: Delivery.objects.filter(channel="email").exists(), 60)
            wait_until(
                lambda: not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists(), 60
            )
            sweeps = [r for r in runs if r[0] == "reminders.tasks.run_sweep"]
            queued = sum(r[3] for r in sweeps)
            wait_until(
                lambda: len([r for r in runs if r[0] == "reminders.tasks.deliver"]) >= queued
            )
        self.assertEqual([r[2] for r in sweeps], ["SUCCESS"] * 2)
        deliveries = [r for r in runs if r[0] == "reminders.tasks.deliver"]
        # Every delivery a sweep queued ran, once, and nothing else was queued.
        self.assertEqual(len(deliveries), queued)
        self.assertEqual({r[2] for r in deliveries}, {"SUCCESS"})
        [digest] = Notification.objects.filter(user=self.users["district1"])
        self.assertEqual(digest.items.count(), 1)
        [email] = [m for m in mail.outbox if m.to == ["district1@example.edu.cn"]]
        self.assertIn("滨城区", email.body)
        self.assertIn("2026-09-01", email.body)
        # D2 and the city held theirs: nobody else is told.
        self.assertEqual(
            set(Notification.objects.values_list("user__username", flat=True)), {"district1"}
        )


class CadencePageTests(PageChecks, CadenceWorldTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(NOW, tick=False))

    def test_cadence(self):
        self.only_roles(reverse("coordination:cadence"), BUREAU)

    def test_cadence_district(self):
        self.each_persona(
            lambda key: reverse(
                "coordination:cadence-district", args=[getattr(self, key).district_id]
            ),
            BUREAU,
        )

    def test_each_unit_s_periods_and_the_city_only_for_its_staff(self):
        self.login("city")
        page = self.client.get(reverse("coordination:cadence"), {"year": 2026})
        self.assertContains(page, f'id="cadence-city-{self.city_a.pk}"')
        self.assertContains(page, f'id="cadence-district-{self.d1.pk}"')
        self.assertContains(page, f'id="cadence-district-{self.d2.pk}"')
        self.assertNotContains(page, f'id="cadence-district-{self.d3.pk}"')
        self.assertContains(page, "滨州市校园安全联席会议制度")
        # D1's March and September, the city's third quarter.
        self.assertContains(page, "text-bg-danger cadence-period", count=3)
        for persona in ("district1", "district1_principal2"):
            self.login(persona)
            page = self.client.get(reverse("coordination:cadence"))
            self.assertNotContains(page, f'id="cadence-city-{self.city_a.pk}"')
            self.assertNotContains(page, f'id="cadence-district-{self.d2.pk}"')
            self.assertContains(page, f'id="cadence-district-{self.d1.pk}"')

    def test_the_page_costs_a_constant_number_of_queries(self):
        self.login("city")
        url = reverse("coordination:cadence")
        # Session, user, role assignments; the cities and the districts overseen; the
        # cadences; ONE grouped count of the meetings.
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            self.client.get(url)
        more_districts(self.city_a)
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["districts"]), 12)

    def test_the_drill_down_lists_the_schools_monthly_meetings(self):
        ObligationRule.objects.filter(code=services.MEETING_RULE).update(
            even_without_school_days=True
        )
        services.save_meeting(
            Meeting(level="school", school=self.s1, title="九月例会", held_on=D(2026, 9, 8))
        )
        self.login("district1")
        url = reverse("coordination:cadence-district", args=[self.d1.pk])
        page = self.client.get(url, {"year": 2026})
        rows = {school.pk: rate for school, rate in page.context["rows"]}
        self.assertEqual(set(rows), {self.s1.pk, self.k1.pk})
        # Nine months due by 12 October (January to September); S1 held September's.
        self.assertEqual((rows[self.s1.pk].counted, rows[self.s1.pk].done), (9, 1))
        self.assertEqual(rows[self.k1.pk].missed, 9)
        # The furthest behind first; the district's own periods above.
        self.assertEqual(page.context["rows"][0][0].pk, self.k1.pk)
        self.assertContains(page, f'id="cadence-district-{self.d1.pk}"')
        self.assertContains(page, f"?level=school&amp;school={self.s1.pk}")

    def test_a_city_without_a_school_meeting_obligation(self):
        ObligationRule.objects.filter(code=services.MEETING_RULE).delete()
        self.login("district1")
        page = self.client.get(reverse("coordination:cadence-district", args=[self.d1.pk]))
        self.assertContains(page, 'id="cadence-no-rule"')
        self.assertContains(page, f'id="cadence-district-{self.d1.pk}"')

    def test_the_drill_down_costs_a_constant_number_of_queries(self):
        self.login("district1")
        url = reverse("coordination:cadence-district", args=[self.d1.pk])
        # Session, user, role assignments; the district, and again through a bureau role;
        # the cadences, the district's meetings counted; the school meeting rule;
        # ensure_windows(); the page of schools (count, rows with their windows' counts).
        # The first request of a year materialises its windows.
        self.client.get(url)
        with self.assertNumQueries(11 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(60):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n:02}")
        self.client.get(url)
        with self.assertNumQueries(11 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["rows"]), 50)

    def test_the_meeting_list_narrows_to_a_unit(self):
        self.login("city")
        response = self.client.get(
            reverse("coordination:meetings"), {"level": "district", "district": self.d2.pk}
        )
        self.assertEqual(response.context["paginator"].count, 9)
        bad = self.client.get(reverse("coordination:meetings"), {"district": "x"})
        self.assertEqual(bad.status_code, 404)


class CadenceAPITests(ActionChecks, CadenceWorldTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(NOW, tick=False))

    def test_meeting_cadence(self):
        def send(client, key):
            district = getattr(self, key).district_id
            response = client.get(reverse("meeting-cadence"), {"district": district})
            if response.status_code == 200:
                [row] = response.json()["results"]
                self.assertEqual((row["level"], row["unit"]), ("district", district))
            return response

        self.check("meeting-cadence", send, BUREAU, foreign_status=400)

    def test_meeting_cadence_schools(self):
        def send(client, key):
            return client.get(
                reverse("meeting-cadence-schools"),
                {"school": getattr(self, key).pk, "start": "2026-01-01", "end": "2026-12-31"},
            )

        self.check("meeting-cadence-schools", send, EVERYONE, foreign_status=400)

    def test_the_rows_of_a_city_s_staff(self):
        response = self.api("city").get(reverse("meeting-cadence"), {"year": 2026})
        self.assertEqual(response.status_code, 200, response.content)
        rows = {(row["level"], row["unit"]): row for row in response.json()["results"]}
        self.assertEqual(
            set(rows),
            {("city", self.city_a.pk), ("district", self.d1.pk), ("district", self.d2.pk)},
        )
        d1 = rows["district", self.d1.pk]
        self.assertEqual((d1["due"], d1["held"], d1["missed"]), (10, 8, 2))
        self.assertEqual(d1["rule"]["basis"], "month")
        self.assertEqual(d1["rule"]["source"], "滨州市校园安全联席会议制度")
        self.assertEqual(d1["periods"][2], {**d1["periods"][2], "held": 0, "status": "missed"})
        self.assertIsNone(rows["city", self.city_a.pk]["schools"])
        drill = self.api("city").get(d1["schools"] + "&group_by=school")
        self.assertEqual(drill.status_code, 200, drill.content)

    def test_school_staff_and_bad_input(self):
        self.assertEqual(self.api("principal1").get(reverse("meeting-cadence")).status_code, 403)
        self.assertEqual(self.api("outsider").get(reverse("meeting-cadence")).status_code, 403)
        for query in ({"year": "x"}, {"year": 1800}, {"district": "x"}, {"district": 10**9}):
            with self.subTest(query=query):
                response = self.api("city").get(reverse("meeting-cadence"), query)
                self.assertEqual(response.status_code, 400)

    def test_the_list_costs_a_constant_number_of_queries(self):
        # Role assignments; the cities and the districts overseen; the cadences; ONE
        # grouped count of the meetings.
        client = self.api("city")
        with self.assertNumQueries(5):
            client.get(reverse("meeting-cadence"))
        more_districts(self.city_a)
        client = self.api("city")
        with self.assertNumQueries(5):
            response = client.get(reverse("meeting-cadence"), {"page_size": 100})
        self.assertEqual(response.json()["count"], 13)
