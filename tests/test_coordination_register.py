"""The instability register: a police liaison registers a factor that school staff cannot
read, then shares it with the district; multi-role personas; every read logged; the review
reminder; a factor opening a hazard; the police list by risk."""

import datetime
from collections import Counter

import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from coordination.models import Factor
from reminders.delivery import record
from reminders.models import NotificationItem
from reminders.registry import KINDS
from tests.coordination_world import DAY, CoordinationWorldTestCase, make_factor
from tests.obligations_world import at

SCHOOL_SIDE = ("principal1", "officer1", "district1", "city", "district1_principal2")


def reads_of(factor):
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_id=factor.pk, content_type__model="factor"
    )


class PoliceRegisterTests(CoordinationWorldTestCase):
    def register_factor(self):
        response = self.api("police1").post(
            reverse("factor-list"),
            {
                "school": self.s1.pk,
                "category": "dispute",
                "risk": 3,
                "description": "学生家长因赔偿纠纷多次到校门口聚集",
                "place": "南门",
                "measures": "已约谈，安排民警上下学时段驻守",
                "responsible_unit": "市中派出所",
                "review_on": (DAY + datetime.timedelta(days=7)).isoformat(),
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        return Factor.objects.get(pk=response.json()["id"])

    def test_school_staff_cannot_read_it_until_shared_and_then_only_the_district(self):
        factor = self.register_factor()
        detail = reverse("factor-detail", args=[factor.pk])
        for persona in SCHOOL_SIDE:
            with self.subTest(persona=persona):
                self.assertEqual(self.api(persona).get(detail).status_code, 404)
                self.login(persona)
                page = self.client.get(reverse("coordination:factor", args=[factor.pk]))
                self.assertEqual(page.status_code, 404)
                listed = self.client.get(reverse("coordination:factors"))
                self.assertNotContains(listed, factor.description)
        # The police share it with the school's district (a page's button).
        self.login("police1")
        response = self.client.post(
            reverse("coordination:factor-share", args=[factor.pk]), {"unit": "district"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.api("district1").get(detail).status_code, 200)
        self.assertEqual(self.api("district1_principal2").get(detail).status_code, 200)
        for persona in ("principal1", "officer1", "city", "district2", "police2"):
            with self.subTest(persona=persona):
                self.assertEqual(self.api(persona).get(detail).status_code, 404)
        self.assertEqual(self.api("police1").get(detail).json()["shared_with"], ["district"])
        # Shared with the city too: city staff read it; stopping the district's share ends it.
        self.api("police1").post(
            reverse("factor-share", args=[factor.pk]), {"unit": "city"}, format="json"
        )
        self.assertEqual(self.api("city").get(detail).status_code, 200)
        self.api("police1").post(
            reverse("factor-unshare", args=[factor.pk]), {"unit": "district"}, format="json"
        )
        self.assertEqual(self.api("district1").get(detail).status_code, 404)

    def test_a_reporter_reads_back_only_their_own_report(self):
        own = self.api("officer1").post(
            reverse("factor-list"),
            {
                "school": self.s1.pk,
                "category": "construction",
                "risk": 1,
                "description": "校东侧道路施工，围挡不全",
                "review_on": DAY.isoformat(),
            },
            format="json",
        )
        self.assertEqual(own.status_code, 201, own.content)
        police_factor = self.register_factor()
        ids = {
            row["id"] for row in self.api("officer1").get(reverse("factor-list")).json()["results"]
        }
        self.assertEqual(ids, {own.json()["id"]})
        # The principal of the same school reads neither.
        self.assertEqual(self.api("principal1").get(reverse("factor-list")).json()["count"], 0)
        # The police see both; the reporter cannot change the police's factor.
        self.assertEqual(self.api("police1").get(reverse("factor-list")).json()["count"], 2)
        response = self.api("officer1").patch(
            reverse("factor-detail", args=[police_factor.pk]), {"risk": 1}, format="json"
        )
        self.assertEqual(response.status_code, 404)

    def test_a_principal_who_is_police_elsewhere_reads_only_that_station_s_factors(self):
        s1_factor = make_factor(self.s1, self.police1)
        s2_factor = make_factor(self.s2, self.police2)
        rows = self.api("principal1_police2").get(reverse("factor-list")).json()["results"]
        self.assertEqual({row["id"] for row in rows}, {s2_factor.pk})
        # ...and may not share the S1 factor, which they do not see.
        response = self.api("principal1_police2").post(
            reverse("factor-share", args=[s1_factor.pk]), {"unit": "district"}, format="json"
        )
        self.assertEqual(response.status_code, 404)

    def test_district_staff_and_school_officer_without_a_share_reads_nothing(self):
        # district1_principal2: district staff of D1 and principal of S2, no share anywhere.
        make_factor(self.s1, self.police1)
        make_factor(self.s2, self.police2)
        self.assertEqual(
            self.api("district1_principal2").get(reverse("factor-list")).json()["count"], 0
        )

    def test_every_read_is_logged(self):
        factor = self.register_factor()
        self.login("police1")
        self.client.get(reverse("coordination:factors"))
        self.client.get(reverse("coordination:factor", args=[factor.pk]))
        self.api("police1").get(reverse("factor-detail", args=[factor.pk]))
        self.assertEqual(reads_of(factor).count(), 3)
        self.assertEqual({e.actor.username for e in reads_of(factor)}, {"police1"})
        # A refused read is no read.
        self.api("principal1").get(reverse("factor-detail", args=[factor.pk]))
        self.assertEqual(reads_of(factor).count(), 3)

    def test_the_police_list_is_by_risk_and_costs_a_constant_number_of_queries(self):
        low = make_factor(self.s1, self.police1, risk=1, description="低风险")
        high = make_factor(self.k1, self.police1, risk=3, description="高风险")
        make_factor(self.s1, self.police1, risk=2, status="resolved", description="旧纠纷处理完毕")
        self.login("police1")
        response = self.client.get(reverse("coordination:factors"))
        body = response.content.decode()
        self.assertLess(body.index("高风险"), body.index("低风险"))
        self.assertNotIn("旧纠纷处理完毕", body)
        self.assertEqual([f.pk for f in response.context["object_list"]], [high.pk, low.pk])
        for _more in range(2):
            make_factor(self.s1, self.police1, risk=2)
            # Session, user, roles, the count, the page with schools, the access log, the badge.
            with self.assertNumQueries(7):
                self.client.get(reverse("coordination:factors"))

    def test_the_police_home_counts_active_factors_by_risk(self):
        make_factor(self.s1, self.police1, risk=3)
        make_factor(self.s1, self.police1, risk=3)
        self.login("police1")
        response = self.client.get(reverse("home"))
        self.assertContains(response, "coordination-factors-panel")

    def test_a_physical_fix_opens_a_hazard_once(self):
        factor = self.register_factor()
        url = reverse("factor-hazard", args=[factor.pk])
        first = self.api("police1").post(url).json()
        second = self.api("police1").post(url).json()
        self.assertTrue(first["hazard_ref"].startswith("inspections.hazard:"))
        self.assertEqual(first["hazard_ref"], second["hazard_ref"])

    def test_a_factor_past_its_review_date_reminds_the_station_once(self):
        factor = make_factor(self.s1, self.police1, review_on=DAY)
        make_factor(self.s2, self.police2, review_on=DAY + datetime.timedelta(days=30))

        def sweep(moment):
            before = set(NotificationItem.objects.values_list("pk", flat=True))
            record(KINDS["coordination_factor_review"].sweep(moment), moment)
            return Counter(
                item.user.username
                for item in NotificationItem.objects.exclude(pk__in=before).select_related("user")
            )

        self.assertEqual(sweep(at(DAY - datetime.timedelta(days=1), 8)), Counter())
        self.assertEqual(sweep(at(DAY, 8)), Counter({"police1": 1}))
        self.assertEqual(sweep(at(DAY + datetime.timedelta(days=1), 8)), Counter())
        # The police review it and set a new date: it reminds again on that date.
        factor.review_on = DAY + datetime.timedelta(days=7)
        factor.save()
        self.assertEqual(sweep(at(DAY + datetime.timedelta(days=7), 8)), Counter({"police1": 1}))

    def test_reporting_from_a_phone_page(self):
        self.login("officer1")
        with time_machine.travel(at(DAY, 9), tick=False):
            form = self.client.get(reverse("coordination:factor-report"))
            self.assertEqual(form.status_code, 200)
            bad = self.client.post(reverse("coordination:factor-report"), {"school": self.s1.pk})
            self.assertEqual(bad.status_code, 400)
            response = self.client.post(
                reverse("coordination:factor-report"),
                {
                    "school": self.s1.pk,
                    "category": "person",
                    "risk": 2,
                    "description": "放学时段有陌生人在校门口拍照",
                    "review_on": DAY.isoformat(),
                },
            )
        self.assertEqual(response.status_code, 302)
        factor = Factor.objects.get()
        self.assertEqual(factor.reported_by.username, "officer1")
        # A school the officer does not work at is not a choice.
        self.assertEqual(
            self.client.post(
                reverse("coordination:factor-report"),
                {
                    "school": self.s2.pk,
                    "category": "person",
                    "risk": 2,
                    "description": "x",
                    "review_on": DAY.isoformat(),
                },
            ).status_code,
            400,
        )


class WriteCostTests(CoordinationWorldTestCase):
    multi_role_personas = False

    def test_reporting_and_sharing_cost_a_fixed_number_of_queries(self):
        client = self.api("police1")
        payload = {
            "school": self.s1.pk,
            "category": "traffic",
            "risk": 2,
            "description": "路口缺少减速带",
            "review_on": DAY.isoformat(),
        }
        client.post(reverse("factor-list"), payload, format="json")
        client = self.api("police1")
        # Roles; the school through the writing roles; savepoint, INSERT, the scope check,
        # release; the answer's read back: its shares.
        with self.assertNumQueries(7):
            response = client.post(reverse("factor-list"), payload, format="json")
        self.assertEqual(response.status_code, 201)
        factor = Factor.objects.get(pk=response.json()["id"])
        client = self.api("police1")
        # Roles; the factor with its shares; the share right on it; the write (savepoint,
        # get_or_create's lookup, savepoint, INSERT, release, the scope check, release);
        # the answer read back with its shares.
        with self.assertNumQueries(13):
            client.post(
                reverse("factor-share", args=[factor.pk]), {"unit": "district"}, format="json"
            )
