"""The supervision pages: who draws, who scores a visit, the ranking and the districts' averages."""

from decimal import Decimal

from django.urls import reverse

from inspections.models import Round, SupervisionDraw, SupervisionVisit
from inspections.supervision import draw
from tests.base import LAYOUT_QUERIES
from tests.inspections_pages import InspectionsPageTestCase
from tests.permissions import ALL_PERSONAS

SUPERVISORS = {"admin", "city", "district1", "district2", "district1_principal2"}
FULL_MARKS = [10, 10, 20, 15, 15, 15, 15]


class SupervisionPageTests(InspectionsPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        made = draw(cls.users["district1"], cls.d1, "2026-autumn", 2, seed=7)
        # Whoever the seed drew, the tests name the inspector of each school.
        made.visits.filter(school=cls.s1).update(inspector=cls.users["district1"])
        made.visits.filter(school=cls.k1).update(inspector=cls.users["district1_principal2"])
        cls.visit_s1 = made.visits.get(school=cls.s1)
        cls.visit_k1 = made.visits.get(school=cls.k1)

    def items(self, visit):
        response = self.client.get(reverse("inspections:supervision-visit", args=[visit.pk]))
        return list(response.context["form"].fields)

    def score(self, visit, persona, marks):
        self.login(persona)
        names = self.items(visit)
        return self.client.post(
            reverse("inspections:supervision-visit", args=[visit.pk]),
            dict(zip(names, marks, strict=True)),
        )

    def test_who_sees_the_supervision_page(self):
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("inspections:supervision"))
                self.assertEqual(response.status_code, 200 if persona in SUPERVISORS else 403)

    def test_who_sees_a_visit(self):
        url = reverse("inspections:supervision-visit", args=[self.visit_s1.pk])
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                expected = 200 if persona in SUPERVISORS - {"district2"} else 404
                self.assertEqual(self.client.get(url).status_code, expected)

    def test_district_staff_draw_once_a_period(self):
        self.login("district1")
        url = reverse("inspections:supervision")
        data = {"district": self.d1.pk, "period": "2027-spring", "count": 1}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        made = SupervisionDraw.objects.get(period="2027-spring")
        self.assertEqual((made.drawn_by, made.visits.count()), (self.users["district1"], 1))
        self.client.post(url, {**data, "count": 2})
        self.assertEqual(made.visits.count(), 1)
        self.assertContains(self.client.get(url), str(made.seed))

    def test_a_draw_outside_the_scope_or_bad_is_a_400(self):
        url = reverse("inspections:supervision")
        for persona, data in (
            ("district2", {"district": self.d1.pk, "period": "2027-spring", "count": 1}),
            ("district1", {"district": self.d1.pk, "period": "2027 spring!", "count": 1}),
            ("district1", {"district": self.d1.pk, "period": "2027-spring", "count": 0}),
        ):
            with self.subTest(persona=persona, data=data):
                self.login(persona)
                self.assertEqual(self.client.post(url, data).status_code, 400)
        self.assertFalse(SupervisionDraw.objects.filter(period="2027-spring").exists())

    def test_only_the_drawn_inspector_scores(self):
        url = reverse("inspections:supervision-visit", args=[self.visit_s1.pk])
        for persona, status in (("city", 403), ("district1_principal2", 403), ("district2", 404)):
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.post(url, {}).status_code, status)
        self.assertFalse(Round.objects.exists())

    def test_a_score_above_the_items_points_is_refused(self):
        response = self.score(self.visit_s1, "district1", [11, 10, 20, 15, 15, 15, 15])
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Round.objects.exists())

    def test_the_visit_is_scored_and_ranked(self):
        self.assertEqual(self.score(self.visit_s1, "district1", FULL_MARKS).status_code, 302)
        self.assertEqual(
            self.score(
                self.visit_k1, "district1_principal2", [5, 5, 10, 10, 10, 10, 10]
            ).status_code,
            302,
        )
        visit = SupervisionVisit.objects.select_related("round").get(pk=self.visit_s1.pk)
        self.assertEqual(visit.round.rule.obligation.code, "supervision-visit")
        self.login("district1")
        response = self.client.get(
            reverse("inspections:supervision-visit", args=[self.visit_s1.pk])
        )
        self.assertContains(response, "supervision-score")
        self.assertContains(response, "100")
        url = reverse("inspections:supervision")
        # session, user, role assignments; the user's visits to make; the draw
        # form's districts; the ranking (visits, schools, inspectors, scores in
        # one); the draws with their counts.
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            response = self.client.get(url)
        ranked = [(v.school_id, v.score) for v in response.context["ranking"]]
        self.assertEqual(ranked, [(self.s1.pk, Decimal(100)), (self.k1.pk, Decimal(60))])
        self.assertIsNone(response.context["averages"])
        self.login("city")
        # As district staff's, and the districts' averages.
        with self.assertNumQueries(8 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertContains(response, "supervision-averages")
        [row] = response.context["averages"]
        self.assertEqual((row["visited"], row["average"]), (2, Decimal(80)))
        # The other district's staff see neither.
        self.login("district2")
        self.assertNotContains(self.client.get(url), "supervision-rank")

    def test_city_staff_rank_one_district(self):
        self.score(self.visit_s1, "district1", FULL_MARKS)
        self.login("city")
        url = reverse("inspections:supervision")
        response = self.client.get(url, {"district": self.d2.pk})
        self.assertEqual(list(response.context["ranking"]), [])
        response = self.client.get(url, {"district": self.d1.pk})
        self.assertEqual([v.pk for v in response.context["ranking"]], [self.visit_s1.pk])
        self.assertEqual(self.client.get(url, {"district": "x"}).status_code, 404)
