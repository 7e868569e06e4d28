"""The hazard ledger's pages: the ledger, registering, a hazard's page and its moves.

The pages call inspections/hazards.py; these tests check what each role sees
and may do through them, and that a refusal is an answer (400/403/409), never 500.
"""

from unittest import mock

from django.db import transaction
from django.urls import reverse

from inspections import hazards
from inspections.models import Hazard
from inspections.views.hazards import LedgerView
from tests.base import LAYOUT_QUERIES
from tests.hazards_world import HazardWorldTestCase, days, photo, today
from tests.permissions import ALL_PERSONAS, PageChecks

ALL_SINGLE_ROLE = {
    "admin",
    "city",
    "district1",
    "district2",
    "principal1",
    "principal2",
    "officer1",
    "police1",
    "police2",
    "outsider",
}
CHANGERS = {"admin", "city", "district1", "district2", "principal1", "principal2", "officer1"}


class HazardPageTestCase(HazardWorldTestCase):
    def login(self, persona):
        # A fresh user object per login, so no scope is cached across personas.
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))

    def move(self, hazard, move, data=None):
        return self.client.post(
            reverse("inspections:hazard-move", args=[hazard.pk, move]), data or {}
        )

    def page(self, hazard):
        return self.client.get(reverse("inspections:hazard", args=[hazard.pk]))


class LedgerPageTests(HazardPageTestCase):
    def test_the_ledger_lists_the_schools_hazards_and_marks_the_overdue(self):
        late = self.rectifying()
        Hazard.objects.filter(pk=late.pk).update(deadline=today() - days(2))
        fresh = self.report()
        self.report("s2")
        self.login("principal1")
        response = self.client.get(reverse("inspections:hazards"), {"school": self.s1.pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, late.ledger_number)
        self.assertContains(response, fresh.ledger_number)
        self.assertContains(response, "hazard-overdue", count=1)
        self.assertNotContains(response, self.s2.name)
        overdue = self.client.get(reverse("inspections:hazards"), {"overdue": "on"})
        self.assertEqual([h.pk for h in overdue.context["hazards"]], [late.pk])
        reported = self.client.get(reverse("inspections:hazards"), {"state": "reported"})
        self.assertEqual([h.pk for h in reported.context["hazards"]], [fresh.pk])

    def test_the_ledger_takes_a_fixed_number_of_queries(self):
        for _n in range(3):
            self.rectifying()
        self.login("district1")
        url = reverse("inspections:hazards")
        # Session, user, the scope's assignments, the page (with school and
        # checkpoint), the school named by ?school=; nothing counted.
        with self.assertNumQueries(5 + LAYOUT_QUERIES):
            self.client.get(url, {"school": self.s1.pk})
        for _n in range(5):
            self.report()
        with self.assertNumQueries(5 + LAYOUT_QUERIES) as queries:
            self.client.get(url, {"school": self.s1.pk})
        counted = [q for q in queries.captured_queries if "inspections_hazard" in q["sql"]]
        self.assertFalse([q for q in counted if "COUNT(" in q["sql"]])

    def test_the_ledger_pages_after_the_last_hazard_shown(self):
        found = [self.report() for _n in range(7)]
        # Two found in the same instant: the id orders them.
        Hazard.objects.filter(pk__in=[found[2].pk, found[3].pk]).update(found_at=found[2].found_at)
        self.login("district1")
        url = reverse("inspections:hazards")
        shown, query = [], {"school": self.s1.pk}
        with mock.patch.object(LedgerView, "page_size", 3):
            response = self.client.get(url, query)
            while True:
                shown += [h.pk for h in response.context["hazards"]]
                if "next_page_query" not in response.context:
                    break
                self.assertIn(f"school={self.s1.pk}", response.context["next_page_query"])
                response = self.client.get(f"{url}?{response.context['next_page_query']}")
        expected = Hazard.objects.filter(school=self.s1).order_by("-found_at", "-id")
        self.assertEqual(shown, list(expected.values_list("pk", flat=True)))
        self.assertEqual(self.client.get(url, {"after": "not-a-date~1"}).status_code, 400)

    def test_a_bad_filter_is_ignored_not_an_error(self):
        self.login("principal1")
        response = self.client.get(reverse("inspections:hazards"), {"year": "abc", "age": "x"})
        self.assertEqual(response.status_code, 200)


class RegisterPageTests(HazardPageTestCase):
    def test_school_staff_register_a_hazard_with_a_photo(self):
        self.login("officer1")
        url = reverse("inspections:hazard-register") + f"?school={self.s1.pk}"
        page = self.client.get(url)
        self.assertContains(page, "南门")  # the school's checkpoints are offered
        response = self.client.post(
            url,
            {
                "school": self.s1.code,
                "checkpoint": self.gates["s1"].pk,
                "category": "fire",
                "level": "general",
                "description": "消防通道堆放杂物",
                "photo": photo("before.jpg"),
            },
        )
        hazard = Hazard.objects.get(description="消防通道堆放杂物")
        self.assertRedirects(response, reverse("inspections:hazard", args=[hazard.pk]))
        self.assertEqual(hazard.reported_by, self.officer1)
        self.assertEqual(hazard.photos.get().kind, "before")

    def test_police_register_at_a_school_of_their_station_only(self):
        self.login("police1")
        url = reverse("inspections:hazard-register")
        data = {
            "category": "security",
            "level": "general",
            "description": "围墙破损",
            "place": "北墙",
        }
        self.assertEqual(self.client.post(url, {**data, "school": self.s1.code}).status_code, 302)
        refused = self.client.post(url, {**data, "school": self.s2.code})
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(Hazard.objects.filter(school=self.s2).exists())

    def test_bad_input_is_a_400_with_the_errors(self):
        self.login("officer1")
        response = self.client.post(
            reverse("inspections:hazard-register"),
            {"school": self.s1.code, "category": "nope", "level": "general", "description": ""},
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors)
        self.assertFalse(Hazard.objects.exists())

    def test_a_guard_or_outsider_may_not_register(self):
        self.login("outsider")
        self.assertEqual(self.client.get(reverse("inspections:hazard-register")).status_code, 403)


class HazardMoveTests(HazardPageTestCase):
    def test_rectified_by_one_person_verified_and_struck_off_by_another(self):
        hazard = self.report()
        self.login("principal1")
        page = self.page(hazard)
        self.assertContains(page, 'id="move-confirm"')
        self.assertNotContains(page, 'id="move-verify"')
        self.assertEqual(self.move(hazard, "confirm", {"level": "general"}).status_code, 302)
        self.move(hazard, "assign", {"responsible_person": self.officer1.pk, "measures": "更换"})
        hazard.refresh_from_db()
        self.assertEqual((hazard.state, hazard.responsible_person), ("rectifying", self.officer1))

        self.login("officer1")
        missing_photo = self.move(hazard, "submit", {"rectification": "已更换灭火器"})
        self.assertEqual(missing_photo.status_code, 400)
        submitted = self.move(hazard, "submit", {"rectification": "已更换灭火器", "photo": photo()})
        self.assertEqual(submitted.status_code, 302)
        page = self.page(hazard)
        self.assertContains(page, "hazard-photo-after")
        self.assertNotContains(page, 'id="move-verify"')  # not offered to the rectifier
        refused = self.move(hazard, "verify")
        self.assertEqual(refused.status_code, 403)
        self.assertContains(refused, "hazard-error", status_code=403)
        hazard.refresh_from_db()
        self.assertEqual(hazard.state, "submitted")

        self.login("principal1")
        self.assertContains(self.page(hazard), 'id="move-verify"')
        self.assertEqual(self.move(hazard, "verify", {"note": "复查合格"}).status_code, 302)
        self.assertEqual(self.move(hazard, "close").status_code, 302)
        hazard.refresh_from_db()
        self.assertEqual((hazard.state, hazard.verified_by), ("closed", self.principal1))
        page = self.page(hazard)
        self.assertContains(page, "hazard-event-closed")
        self.assertContains(page, "复查合格")
        # A second re-check of a struck-off hazard is a conflict, shown on the page.
        self.assertEqual(self.move(hazard, "verify").status_code, 409)

    def test_returned_with_a_reason_then_rectified_again(self):
        hazard = hazards.submit(
            self.officer1, self.rectifying(), rectification="换了", photos=[photo()]
        )
        self.login("principal1")
        self.assertEqual(self.move(hazard, "return", {"reason": ""}).status_code, 400)
        self.move(hazard, "return", {"reason": "压力不足"})
        hazard.refresh_from_db()
        self.assertEqual(hazard.state, "returned")
        self.assertContains(self.page(hazard), "压力不足")
        self.move(hazard, "assign", {"responsible_person": self.officer1.pk})
        hazard.refresh_from_db()
        self.assertEqual(hazard.state, "rectifying")

    def test_a_major_hazard_under_supervision_closes_only_with_the_bureau_sign_off(self):
        hazard = self.rectifying(level="major")
        deadline = today() + days(20)
        self.login("district1")
        supervise = {
            "level": "district",
            "measures": "停用并加固",
            "responsibility": "校长负责",
            "funds": "区财政 5 万元",
            "deadline": deadline.isoformat(),
            "contingency_plan": "封闭区域",
            "report_every_days": 7,
        }
        self.assertEqual(self.move(hazard, "supervise", supervise).status_code, 302)
        self.login("officer1")
        self.move(hazard, "progress", {"progress": "已封闭，等待施工"})
        self.move(hazard, "submit", {"rectification": "加固完成", "photo": photo()})
        self.login("principal1")
        self.move(hazard, "verify")
        page = self.page(hazard)
        self.assertNotContains(page, 'id="move-close"')
        self.assertEqual(self.move(hazard, "close").status_code, 400)
        self.assertEqual(self.move(hazard, "sign_off").status_code, 403)
        self.login("district1")
        self.assertContains(self.page(hazard), "已封闭，等待施工")
        self.assertEqual(self.move(hazard, "sign_off").status_code, 302)
        self.login("principal1")
        self.assertEqual(self.move(hazard, "close").status_code, 302)
        hazard.refresh_from_db()
        self.assertEqual((hazard.state, hazard.supervised), ("closed", False))

    def test_an_extension_is_requested_and_decided_by_the_principal(self):
        hazard = self.rectifying()
        new = today() + days(30)
        self.login("officer1")
        self.move(hazard, "extend", {"new_deadline": new.isoformat(), "reason": "等待采购"})
        self.assertNotContains(self.page(hazard), 'id="move-decide_extension"')
        self.login("principal1")
        self.assertContains(self.page(hazard), 'id="move-decide_extension"')
        self.move(hazard, "decide_extension", {"approve": "1"})
        hazard.refresh_from_db()
        self.assertEqual(hazard.deadline, new)

    def test_reject_and_merge(self):
        first, second, third = self.report(), self.report(), self.report()
        self.login("principal1")
        self.move(second, "merge", {"into": first.ledger_number})
        self.move(third, "reject", {"reason": "不是隐患"})
        self.assertEqual(self.move(first, "merge", {"into": "2000-999"}).status_code, 400)
        states = dict(Hazard.objects.values_list("pk", "state"))
        self.assertEqual(
            [states[first.pk], states[second.pk], states[third.pk]],
            ["reported", "merged", "rejected"],
        )

    def test_out_of_scope_is_a_404_and_police_may_not_change(self):
        hazard = self.report()
        self.login("principal2")
        self.assertEqual(self.page(hazard).status_code, 404)
        self.assertEqual(self.move(hazard, "reject", {"reason": "x"}).status_code, 404)
        self.login("police1")
        self.assertEqual(self.page(hazard).status_code, 200)
        self.assertNotContains(self.page(hazard), 'id="move-')
        self.assertEqual(self.move(hazard, "reject", {"reason": "x"}).status_code, 403)
        self.assertEqual(self.move(hazard, "nonsense").status_code, 404)
        hazard.refresh_from_db()
        self.assertEqual(hazard.state, "reported")

    def test_a_hazard_page_takes_a_fixed_number_of_queries(self):
        hazard = self.rectifying(level="major")
        order = hazards.supervise(
            self.district1,
            hazard,
            level="district",
            measures="m",
            responsibility="r",
            funds="f",
            deadline=today() + days(9),
            contingency_plan="c",
        )
        hazards.submit(self.officer1, hazard, rectification="换了", photos=[photo()])
        self.login("principal1")
        # Session, user, scope; the hazard; its events and their photos; its
        # photos; extensions; orders and their reports; the scope of the actions
        # the hazard's state allows (hazards.allowed_actions: change, verify).
        with self.assertNumQueries(12 + LAYOUT_QUERIES):
            self.page(hazard)
        hazards.report_progress(self.officer1, order, progress="p", photos=[photo()])
        hazards.report_progress(self.officer1, order, progress="q")
        with self.assertNumQueries(12 + LAYOUT_QUERIES):
            self.assertContains(self.page(hazard), "hazard-event-progress", count=2)


class HazardInputBoundsTests(HazardPageTestCase):
    def test_ids_and_dates_out_of_range_are_not_errors(self):
        huge = "9" * 25
        self.login("city")
        for url, params, status in (
            (reverse("inspections:hazards"), {"school": huge, "district": huge}, 200),
            (reverse("inspections:hazard-overview"), {"district": huge}, 404),
            (reverse("inspections:hazard-overview"), {"city": huge}, 404),
            (reverse("inspections:hazard-register"), {"school": huge}, 200),
            (
                reverse("inspections:hazard-ledger-school", args=[self.s1.pk]),
                {"as_of": "9999-12-31", "year": huge},
                400,
            ),
        ):
            self.assertEqual(self.client.get(url, params).status_code, status, (url, params))


class HazardPagePersonaTests(PageChecks, HazardPageTestCase):
    """A hazard's page and a move on it, persona by persona, multi-role personas included:
    the page for every role of the school (police included), the move for those who
    change hazards (school staff and the bureaus), 404 away from the persona's schools."""

    multi_role_personas = True

    def setUp(self):
        super().setUp()
        self.reported = {
            "s1": self.report("s1"),
            "s2": self.report("s2"),
            "s3": self.report("s3", user=self.admin),
        }

    def test_the_page(self):
        self.each_persona(
            lambda key: reverse("inspections:hazard", args=[self.reported[key].pk]),
            ALL_SINGLE_ROLE - {"outsider"},
        )

    def test_a_move(self):
        for persona in ALL_PERSONAS:
            self.login(persona)
            for key, acting in self.cases(persona):
                url = reverse("inspections:hazard-move", args=[self.reported[key].pk, "confirm"])
                with self.subTest(persona=persona, school=key), transaction.atomic():
                    response = self.client.post(url, {"level": "general"})
                    transaction.set_rollback(True)
                if acting is None:
                    self.assertEqual(response.status_code, 404)
                elif acting in CHANGERS:
                    self.assertRedirects(
                        response, reverse("inspections:hazard", args=[self.reported[key].pk])
                    )
                else:
                    self.assertEqual(response.status_code, 403)


class HomePanelTests(HazardPageTestCase):
    def test_the_home_page_links_the_ledger_for_all_but_guards(self):
        ledger, overview = reverse("inspections:hazards"), reverse("inspections:hazard-overview")
        for persona, links, absent in (
            ("officer1", [ledger], [overview]),
            ("principal1", [ledger], [overview]),
            ("district1", [ledger, overview], []),
            ("police1", [ledger], [overview]),
        ):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("home"))
                for link in links:
                    self.assertContains(response, f'href="{link}"')
                for link in absent:
                    self.assertNotContains(response, f'href="{link}"')
