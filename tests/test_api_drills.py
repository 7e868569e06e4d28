"""The drills API: the shared permission tests, the drill's actions and the reports persona by
persona, the shared headcount link without an account, and pinned query counts."""

import datetime
import uuid
from unittest import mock

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from drills import services
from drills.api.views import HeadcountThrottle
from drills.models import ClassHeadcount, Drill, DrillRequirement
from schools.models import ObligationOverride, ObligationRule
from tests.auth_support import fresh_throttle_cache
from tests.drills_world import DAY, DrillWorldTestCase
from tests.factories import SchoolFactory
from tests.obligations_world import at
from tests.permissions import ALL_PERSONAS, ActionChecks, ScopedAPITests

SCHOOL_STAFF = {"admin", "principal1", "principal2", "officer1"}
PRINCIPALS = {"admin", "principal1", "principal2"}
POLICE = {"admin", "police1", "police2"}
CITY_STAFF = {"admin", "city"}
TERM = {"start": "2026-09-01", "end": "2026-12-31"}
KEYS = ("s1", "s2", "s3")


def held(cls, school):
    """DrillWorldTestCase.held_drill, for setUpTestData (no test instance yet)."""
    return cls.drill(
        cls,
        school,
        status="held",
        started_at=at(DAY, 10),
        all_clear_at=at(DAY, 10, 2),
        evacuation_seconds=120,
    )


class DrillsAPITestCase(DrillWorldTestCase):
    multi_role_personas = True

    def key_of(self, school):
        return next(key for key in KEYS if getattr(self, key).pk == school.pk)


class DrillAPITests(ScopedAPITests, DrillsAPITestCase):
    basename = "drill"
    can_create = can_update = can_delete = SCHOOL_STAFF

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.drills = {key: cls.drill(cls, getattr(cls, key)) for key in KEYS}

    def object_for(self, school):
        return self.drills[self.key_of(school)]

    def create_payload(self, school):
        return {
            "school": school.pk,
            "drill_type": "earthquake",
            "planned_at": at(DAY, 15).isoformat(),
            "commander": "李校长",
        }

    def update_payload(self, obj):
        return {"scenario": f"三楼化学实验室起火 {self.seq()}"}

    def test_the_list_costs_a_constant_number_of_queries(self):
        for n in range(5):
            self.drill(self.s1, planned_at=at(DAY + datetime.timedelta(days=n), 10))
        client = self.api("principal1")
        client.get(reverse("drill-list"))
        # The user's scope is cached on the request's user: a fresh client per count.
        for more in range(2):
            client = self.api("principal1")
            # The user's roles (1), the count (1), the page of drills with their schools (1).
            with self.assertNumQueries(3):
                response = client.get(reverse("drill-list"))
            self.assertEqual(response.json()["count"], 6 + more)
            self.drill(self.s1)

    def test_the_live_screen_polls_at_a_constant_number_of_queries(self):
        drill = self.drills["s1"]
        services.start_drill(self.principal1, drill)
        url = reverse("drill-live", args=[drill.pk])
        for classes in (3, 30):
            for n in range(classes):
                services.record_headcount(drill, f"{n}班", "王老师", 40, 40 - n % 2)
            client = self.api("principal1")
            # The user's roles (1), the drill (1), the totals (1), the class reports (1).
            with self.assertNumQueries(4):
                response = client.get(url)
            self.assertEqual(len(response.json()["headcounts"]), classes)

    def test_a_plan_is_changed_only_while_planned_and_stays_at_its_school(self):
        drill = self.drills["s1"]
        client = self.api("principal1")
        url = self.detail_url(drill)
        moved = client.patch(url, {"school": self.k1.pk}, format="json")
        self.assertEqual(moved.status_code, 400)
        services.start_drill(self.principal1, drill)
        response = client.patch(url, {"scenario": "改"}, format="json")
        self.assertEqual(response.status_code, 400, response.content)

    def test_a_held_drill_is_a_record_and_is_not_deleted(self):
        drill = self.drills["s1"]
        services.start_drill(self.principal1, drill)
        response = self.api("principal1").delete(self.detail_url(drill))
        self.assertEqual(response.status_code, 400, response.content)
        self.assertTrue(Drill.objects.filter(pk=drill.pk).exists())

    def test_a_drill_runs_through_the_api(self):
        client = self.api("principal1")
        drill = self.drills["s1"]
        url = lambda name: reverse(f"drill-{name}", args=[drill.pk])  # noqa: E731
        with time_machine.travel(at(DAY, 10), tick=False):
            self.assertEqual(client.post(url("start")).json()["status"], "running")
        with time_machine.travel(at(DAY, 10, 2), tick=False):
            share = client.post(url("share")).json()
            report = APIClient().post(
                reverse("drill-headcount-report", args=[share["token"]]),
                {
                    "class_name": "三年级二班",
                    "teacher_name": "张老师",
                    "expected": 40,
                    "arrived": 38,
                    "report_id": str(uuid.uuid4()),
                },
                format="json",
            )
            self.assertEqual(report.status_code, 200, report.content)
            done = client.post(url("all-clear")).json()
        self.assertEqual((done["status"], done["evacuation_seconds"]), ("held", 120))
        self.assertTrue(share["url"].endswith(f"/drills/headcount/{share['token']}/"))
        live = client.get(url("live")).json()
        self.assertEqual((live["totals"]["missing"], live["headcounts"][0]["missing"]), (2, 2))
        response = client.post(url("problems"), {"problems": "东侧出口堵塞\n三楼听不到警报"})
        self.assertEqual(response.json()["problems_found"], "东侧出口堵塞\n三楼听不到警报")
        bad = client.post(url("evaluate"), {"evaluation_score": 120}, format="json")
        self.assertEqual(bad.status_code, 400)
        # Police arrival is for alarm drills only: refused, nothing saved.
        police = client.post(url("evaluate"), {"police_arrived_at": at(DAY, 10, 5).isoformat()})
        self.assertEqual(police.status_code, 400, police.content)
        evaluated = client.post(
            url("evaluate"),
            {"evaluation_score": 85, "evaluation": "疏散有序", "alarm_audible": False},
            format="json",
        )
        self.assertEqual(evaluated.status_code, 200, evaluated.content)
        self.assertEqual(evaluated.json()["status"], "evaluated")
        self.assertEqual(client.post(url("sign-off")).json()["status"], "closed")
        self.assertEqual(client.post(url("sign-off")).status_code, 400)


class RequirementOverrideAPITests(ScopedAPITests, DrillsAPITestCase):
    basename = "drillrequirementoverride"
    can_create = can_update = can_delete = CITY_STAFF

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.rules = list(ObligationRule.objects.filter(domain="drills").order_by("code"))
        cls.overrides = {
            key: ObligationOverride.objects.create(
                rule=cls.rules[0], school=getattr(cls, key), required_count=2, reason="重点学校"
            )
            for key in KEYS
        }

    def object_for(self, school):
        return self.overrides[self.key_of(school)]

    def create_payload(self, school):
        rule = self.rules[1 + self.seq() % (len(self.rules) - 1)]
        return {"rule": rule.pk, "school": school.pk, "applies": False, "reason": "停课"}

    def update_payload(self, obj):
        return {"reason": f"更正 {self.seq()}"}

    def test_only_drill_rules_are_overridden_here(self):
        other = ObligationRule.objects.create(
            code="other", name="other", basis="month", domain="tests", source="test"
        )
        response = self.api("city").post(
            self.list_url(), {"rule": other.pk, "school": self.s1.pk}, format="json"
        )
        self.assertEqual(response.status_code, 400)


class RequirementAndHeadcountReadTests(DrillsAPITestCase):
    def test_everyone_with_a_role_reads_the_requirements_city_staff_edit_their_own(self):
        national = DrillRequirement.objects.select_related("obligation").first()
        count = DrillRequirement.objects.count()
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                response = self.api(persona).get(reverse("drillrequirement-list"))
                self.assertEqual(response.status_code, 200)
                expected = 0 if persona == "outsider" else count
                self.assertEqual(response.json()["count"], expected)
        url = reverse("drillrequirement-detail", args=[national.pk])
        # A national requirement: the city replaces it rather than editing it.
        self.assertEqual(self.api("city").patch(url, {"at_night": True}).status_code, 403)
        self.assertEqual(self.api("principal1").patch(url, {"at_night": True}).status_code, 403)
        own_rule = ObligationRule.objects.create(
            city=self.city_a,
            code="city-drill",
            name="市级演练",
            basis="quarter",
            domain="drills",
            source="市教育局",
        )
        own = DrillRequirement.objects.create(obligation=own_rule)
        url = reverse("drillrequirement-detail", args=[own.pk])
        response = self.api("city").patch(url, {"drill_types": ["lockdown"]}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        bad = self.api("city").patch(url, {"drill_types": ["picnic"]}, format="json")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(
            self.api("city").post(reverse("drillrequirement-list"), {}).status_code, 405
        )

    def test_headcounts_are_read_in_scope_only(self):
        rows = {}
        for key in KEYS:
            drill = self.drill(getattr(self, key))
            services.start_drill(self.users["admin"], drill)
            rows[key] = services.record_headcount(drill, "一班", "王老师", 30, 30)
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                response = self.api(persona).get(reverse("classheadcount-list"))
                self.assertEqual(response.status_code, 200)
                ids = {row["id"] for row in response.json()["results"]}
                reached = {
                    ClassHeadcount.objects.get(drill__school=getattr(self, key)).pk
                    for key in KEYS
                    if self.api(persona)
                    .get(reverse("classheadcount-detail", args=[rows[key].pk]))
                    .status_code
                    == 200
                }
                self.assertEqual(ids, reached)
        self.assertEqual(
            self.api("principal1")
            .get(reverse("classheadcount-detail", args=[rows["s2"].pk]))
            .status_code,
            404,
        )


class DrillActionTests(ActionChecks, DrillsAPITestCase):
    """The drill's actions and the reports, persona by persona and school by school."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.planned = {key: cls.drill(cls, getattr(cls, key)) for key in KEYS}
        cls.alarm = {
            key: cls.drill(cls, getattr(cls, key), drill_type="one_key_alarm") for key in KEYS
        }
        cls.running = {key: cls.drill(cls, getattr(cls, key)) for key in KEYS}
        cls.held = {key: held(cls, getattr(cls, key)) for key in KEYS}
        admin = cls.users["admin"]
        for key in KEYS:
            services.start_drill(admin, cls.running[key])
            services.send_prenotice(admin, cls.alarm[key])

    def action(self, name, drills, body=None):
        def send(client, key):
            return client.post(
                reverse(f"drill-{name}", args=[drills[key].pk]), body or {}, format="json"
            )

        return send

    def test_start(self):
        self.check("start", self.action("start", self.planned), SCHOOL_STAFF)

    def test_all_clear(self):
        self.check("all-clear", self.action("all-clear", self.running), SCHOOL_STAFF)

    def test_problems(self):
        self.check(
            "problems", self.action("problems", self.held, {"problems": "门锁"}), SCHOOL_STAFF
        )

    def test_evaluate(self):
        body = {"evaluation_score": 90, "plan_must_be_revised": True}
        self.check("evaluate", self.action("evaluate", self.held, body), SCHOOL_STAFF)

    def test_sign_off(self):
        self.check("sign-off", self.action("sign-off", self.held), PRINCIPALS)

    def test_prenotify(self):
        self.check("prenotify", self.action("prenotify", self.alarm), SCHOOL_STAFF)

    def test_acknowledge(self):
        self.check("acknowledge", self.action("acknowledge", self.alarm), POLICE)

    def test_share(self):
        self.check("share", self.action("share", self.running), SCHOOL_STAFF)

    def test_hazard(self):
        # The ledger files the hazard (schools.hazards); here the permission alone:
        # those who may are told the drill found no problem 99.
        self.check(
            "hazard",
            self.action("hazard", self.held, {"problem": 99}),
            SCHOOL_STAFF,
            allowed_status=400,
        )

    def test_live(self):
        def send(client, key):
            return client.get(reverse("drill-live", args=[self.running[key].pk]))

        self.check("live", send, set(ALL_PERSONAS))

    def report(self, name, period=TERM):
        def send(client, key):
            response = client.get(reverse(name), {"school": getattr(self, key).pk, **period})
            if response.status_code == 200:
                schools = {
                    str(row.get("school", row.get("key"))) for row in response.json()["results"]
                }
                self.assertLessEqual(schools, {str(getattr(self, key).pk)})
            return response

        return send

    def test_compliance(self):
        self.check(
            "compliance", self.report("drill-compliance"), set(ALL_PERSONAS), foreign_status=400
        )

    def test_windows(self):
        self.check(
            "windows",
            self.report("drill-windows", {"start": "2026-09-01", "end": "2026-09-30"}),
            set(ALL_PERSONAS),
            foreign_status=400,
        )

    def test_compliance_costs_the_same_queries_for_more_schools(self):
        query = {"group_by": "district", **TERM}
        counts = []
        for more in (0, 5):
            for n in range(more):
                SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n}")
            client = self.api("city")
            # The first read of the term materialises the new schools' windows
            # (schools/obligation_rates.py); what is pinned is every read after it.
            client.get(reverse("drill-compliance"), query)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("drill-compliance"), query)
            self.assertEqual(response.status_code, 200)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        # Whether the windows are rows, and one aggregate (the user's scope is cached).
        self.assertEqual(counts[0], 2)

    def test_the_acknowledgement_is_for_the_station_once(self):
        client = self.api("police1")
        url = reverse("drill-acknowledge", args=[self.alarm["s1"].pk])
        self.assertEqual(client.post(url).status_code, 200)
        self.assertEqual(client.post(url).status_code, 400)
        fire = reverse("drill-prenotify", args=[self.planned["s1"].pk])
        self.assertEqual(self.api("principal1").post(fire).status_code, 400)

    def test_compliance_moves_when_a_drill_is_signed_off(self):
        client = self.api("district1")
        monthly = DrillRequirement.objects.get(obligation__code="monthly-drill")
        query = {"school": self.s1.pk, "group_by": "school", "requirement": monthly.pk, **TERM}
        with time_machine.travel(at(datetime.date(2026, 12, 31), 12), tick=False):
            before = client.get(reverse("drill-compliance"), query).json()["results"][0]
            services.sign_off(self.principal1, self.held["s1"])
            after = client.get(reverse("drill-compliance"), query).json()["results"][0]
        self.assertEqual(after["done"], before["done"] + 1)
        other = client.get(reverse("drill-compliance"), {**query, "requirement": 999999})
        self.assertEqual(other.status_code, 400)


class HeadcountLinkTests(DrillsAPITestCase):
    """The shared link: no account, the drill's window only, idempotent, throttled."""

    def setUp(self):
        fresh_throttle_cache(self, HeadcountThrottle)
        self.drill_ = self.drill()
        services.start_drill(self.principal1, self.drill_)
        self.url = reverse("drill-headcount-report", args=[services.headcount_token(self.drill_)])

    def report(self, class_name="一年级一班", arrived=30, report_id=None, url=None):
        return APIClient().post(
            url or self.url,
            {
                "class_name": class_name,
                "teacher_name": "刘老师",
                "expected": 31,
                "arrived": arrived,
                "report_id": str(report_id or uuid.uuid4()),
            },
            format="json",
        )

    def test_a_report_costs_two_queries_whatever_the_number_of_classes(self):
        for n in range(3):
            self.report(class_name=f"{n}班")
        # The drill the link names (with its school), the insert-or-update of the class's row.
        for n in range(3, 6):
            with CaptureQueriesContext(connection) as queries:
                response = self.report(class_name=f"{n}班")
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(len(queries), 2, [q["sql"] for q in queries])

    def test_a_resent_report_is_one_row(self):
        report_id = uuid.uuid4()
        first = self.report(report_id=report_id)
        again = self.report(report_id=report_id)
        self.assertEqual(first.json()["report_id"], again.json()["report_id"])
        self.assertEqual(ClassHeadcount.objects.filter(drill=self.drill_).count(), 1)
        row = ClassHeadcount.objects.get(drill=self.drill_)
        self.assertEqual((row.missing, row.report_id), (1, report_id))

    def test_bad_counts_are_400_and_save_nothing(self):
        for body in ({"arrived": 40}, {"arrived": -1}):
            response = self.report(**body)
            self.assertEqual(response.status_code, 400)
        response = APIClient().post(self.url, {"class_name": "x"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ClassHeadcount.objects.exists())

    def test_only_during_the_drill_and_only_with_a_genuine_link(self):
        self.assertEqual(self.report(url=self.url[:-3] + "xx/").status_code, 403)
        planned = self.drill(self.s2)
        url = reverse("drill-headcount-report", args=[services.headcount_token(planned)])
        self.assertEqual(self.report(url=url).status_code, 403)
        services.record_all_clear(self.principal1, self.drill_)
        services.sign_off(self.principal1, self.drill_)
        self.assertEqual(self.report().status_code, 403)
        with time_machine.travel(datetime.timedelta(hours=4)):
            self.assertEqual(self.report(url=url).status_code, 403)
        self.assertFalse(ClassHeadcount.objects.exists())

    def test_a_flood_is_throttled(self):
        with mock.patch.object(HeadcountThrottle, "rate", "3/min"):
            statuses = [self.report(class_name=f"{n}班").status_code for n in range(5)]
        self.assertEqual(statuses, [200, 200, 200, 429, 429])


class DrillProblemHazardTests(DrillsAPITestCase):
    """A problem the drill found goes on the school's hazard ledger, once."""

    def test_a_problem_becomes_one_hazard_on_the_ledger(self):
        from inspections.models import Hazard

        drill = self.held_drill()
        services.record_problems(self.principal1, drill, "东侧楼梯安全出口被杂物堵塞\n广播听不清")
        client = APIClient()
        client.force_authenticate(self.officer1)
        url = reverse("drill-hazard", args=[drill.pk])
        first = client.post(url, {"problem": 1}, format="json")
        again = client.post(url, {"problem": 1}, format="json")
        self.assertEqual(first.status_code, 200, first.content)
        self.assertEqual(again.status_code, 200, again.content)
        hazard = Hazard.objects.get(origin="drill")
        self.assertEqual(hazard.school, self.s1)
        self.assertEqual(hazard.description, "东侧楼梯安全出口被杂物堵塞")
        self.assertEqual(hazard.origin_ref, f"drills.drill:{drill.pk}#1")
        self.assertEqual(hazard.state, "reported")
        self.assertEqual(hazard.reported_by, self.officer1)
