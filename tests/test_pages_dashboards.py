"""The city and district dashboards: the grid, the proof behind a red cell, who sees what."""

import datetime
from unittest import mock

from django.urls import reverse

from dashboards.pages import DistrictDashboardView
from schools.models import School
from tests.base import LAYOUT_QUERIES, PinnedClockMixin
from tests.dashboards_declared import declaring
from tests.factories import SchoolFactory
from tests.posts_world import NOW
from tests.test_pages import PageTestCase


class DashboardPageTests(PinnedClockMixin, PageTestCase):
    pinned_at = NOW

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # S1 has its police room; K1 and S2 have none. Only S2 has a booth.
        School.objects.filter(pk=cls.s1.pk).update(has_police_room=True)
        School.objects.filter(pk=cls.s2.pk).update(has_protection_booth=True)

    def setUp(self):
        super().setUp()
        self.addCleanup(declaring().close)

    def get(self, persona, name="city", *args, **query):
        self.login(persona)
        return self.client.get(reverse(f"dashboards:{name}", args=args), query)

    @staticmethod
    def cells(response):
        return {
            row.label: {cell.indicator.code: cell for cell in row.cells}
            for row in response.context["rows"]
        }

    def test_city_rows_per_district_four_100_first(self):
        response = self.get("city")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [indicator.code for indicator in response.context["indicators"]],
            ["test.no_data", "test.police_room", "test.booths_missing"],
        )
        # Yesterday unless asked.
        self.assertEqual(response.context["as_of"], datetime.date(2026, 11, 22))
        cells = self.cells(response)
        self.assertEqual(set(cells), {self.d1.name, self.d2.name})
        d1 = cells[self.d1.name]
        # Police rooms: one of D1's two schools; a share of schools, not an average.
        self.assertEqual(
            (d1["test.police_room"].measure.numerator, d1["test.police_room"].measure.denominator),
            (1, 2),
        )
        self.assertEqual(d1["test.police_room"].colour, "danger")
        self.assertEqual(d1["test.booths_missing"].measure.numerator, 2)
        self.assertEqual(cells[self.d2.name]["test.booths_missing"].colour, "success")
        # No data is grey and says so, never 100%.
        self.assertIsNone(d1["test.no_data"].measure)
        self.assertEqual(d1["test.no_data"].colour, "secondary")
        proof = reverse("dashboards:proof", args=["test.police_room"])
        self.assertContains(response, f"{proof}?district={self.d1.pk}&amp;as_of=2026-11-22")
        self.assertContains(
            response, f"{reverse('dashboards:district', args=[self.d1.pk])}?as_of=2026-11-22"
        )
        # The district comparison: a bar per district with its numbers beside it.
        self.assertContains(response, "<svg")
        self.assertContains(response, "chart-table")

    def test_district_rows_per_school_linking_to_the_evidence(self):
        response = self.get("district1", "district", self.d1.pk, as_of="2026-11-20")
        self.assertEqual(response.status_code, 200)
        cells = self.cells(response)
        self.assertEqual(set(cells), {self.s1.name, self.k1.name})
        self.assertEqual(cells[self.s1.name]["test.police_room"].colour, "success")
        self.assertEqual(
            cells[self.k1.name]["test.police_room"].url,
            reverse("schools:detail", args=[self.k1.pk]),
        )
        self.assertContains(response, f'id="school-{self.k1.pk}"')
        self.assertContains(response, f'class="drill-district">{self.d1.name}<')

    def test_the_proof_lists_the_schools_making_it_red(self):
        response = self.get("city", "proof", "test.police_room", district=self.d1.pk)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([school["name"] for school in response.context["failing"]], [self.k1.name])
        self.assertContains(response, reverse("schools:detail", args=[self.k1.pk]))
        self.assertNotContains(response, f">{self.s2.name}<")
        response = self.get("city", "proof", "test.no_data")
        self.assertEqual(response.context["failing"], [])
        self.assertEqual(len(response.context["missing"]), 3)
        self.assertEqual(self.get("city", "proof", "test.unknown").status_code, 404)

    def test_scope(self):
        for persona in ("principal1", "officer1", "police1", "outsider"):
            with self.subTest(persona=persona):
                self.assertEqual(self.get(persona).status_code, 403)
                self.assertEqual(self.get(persona, "district", self.d1.pk).status_code, 403)
                self.assertEqual(self.get(persona, "proof", "test.police_room").status_code, 403)
        # Another district, or another city's: as absent as one that does not exist.
        self.assertEqual(self.get("district1", "district", self.d2.pk).status_code, 404)
        self.assertEqual(self.get("city", "district", self.d3.pk).status_code, 404)
        response = self.get("city", "proof", "test.police_room", district=self.d3.pk)
        self.assertEqual(response.status_code, 404)
        # District staff see their district only.
        self.assertEqual(set(self.cells(self.get("district1"))), {self.d1.name})
        self.assertEqual(self.get("admin").status_code, 200)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("dashboards:city")).status_code, 302)

    def test_bad_dates_are_form_errors(self):
        for value in ("2026-11-31", "2026-11-24", "1999-01-01"):
            with self.subTest(as_of=value):
                response = self.get("city", as_of=value)
                self.assertEqual(response.status_code, 200)
                self.assertIn("as_of", response.context["form"].errors)
                self.assertNotIn("rows", response.context)

    def test_a_district_shows_a_page_of_schools_and_the_whole_districts_totals(self):
        for n in range(3):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"分页校{n}")
        whole = self.get("district1", "district", self.d1.pk)
        names = [row.label for row in whole.context["rows"]]
        self.assertGreater(len(names), 3)
        with mock.patch.object(DistrictDashboardView, "paginate_by", 2):
            first = self.get("district1", "district", self.d1.pk)
            second = self.get("district1", "district", self.d1.pk, page=2)
        self.assertEqual([row.label for row in first.context["rows"]], names[:2])
        self.assertEqual([row.label for row in second.context["rows"]], names[2:4])
        self.assertContains(first, "page=2")
        # The foot is the district's, not the page's: the same as with every school shown.
        for response in (first, second):
            self.assertEqual(
                [cell.measure for cell in response.context["totals"]],
                [cell.measure for cell in whole.context["totals"]],
            )

    def test_queries_do_not_grow_with_schools(self):
        # session, user, roles; the rows' places (the district page: the district,
        # then a page of its schools and their count); the values layer: is the day
        # snapshotted, the schools' places, one per indicator (two: the third declares
        # no data); the district page's totals, the whole district's (the same three
        # again, the page's rows being a page); the trend.
        for added in (0, 6):
            for n in range(added):
                SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n}")
            for name, args, count in (("city", (), 9), ("district", (self.d1.pk,), 15)):
                self.login("city")
                with self.subTest(name, added=added), self.assertNumQueries(count + LAYOUT_QUERIES):
                    response = self.client.get(reverse(f"dashboards:{name}", args=args))
                self.assertEqual(response.status_code, 200)
