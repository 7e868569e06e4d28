"""The coverage pages of the bureaus."""

import datetime

import time_machine
from django.urls import reverse

from posts import dutylogs
from schools.models import School, Term
from tests.base import LAYOUT_QUERIES
from tests.factories import SchoolFactory
from tests.posts_pages import (
    LAST_FRIDAY,
    D,
    PostsPageTestCase,
)
from tests.posts_world import NOW, TODAY


class CoveragePageTests(PostsPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # S1 logged both periods of last Friday (the afternoon below the rule)
        # and S2 only the morning of last Thursday.
        with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=NOW.tzinfo)):
            for period in (cls.posts["s1"][1], cls.posts["s1"][2]):
                dutylogs.submit_log(cls.district1, period, LAST_FRIDAY)
            dutylogs.submit_log(cls.district2, cls.posts["s2"][1], D(2026, 11, 19))

    def get(self, persona, name="coverage", **query):
        self.login(persona)
        return self.client.get(reverse(f"posts:{name}"), query)

    def test_todays_row_says_how_many_schools_logged_so_far(self):
        dutylogs.submit_log(self.principal1, self.morning("s1"), TODAY)
        response = self.get("district1", start="2026-11-20", end="2026-11-23", group_by="day")
        rows = {row.key: row for row in response.context["page_obj"]}
        today = rows[TODAY]
        # S1 logged; district1's other schools open today have not yet.
        self.assertEqual(today.school_days, 1)
        self.assertGreater(today.schools_today, 1)
        self.assertIsNone(rows[LAST_FRIDAY].schools_today)
        self.assertContains(
            response, f"今日：{today.schools_today} 所学校中已有 1 所填报", html=False
        )

    def test_bureau_staff_see_rates_by_school_district_and_day(self):
        response = self.get("city", start="2026-11-16", end="2026-11-20", group_by="school")
        self.assertEqual(response.status_code, 200)
        rows = {row.label: row for row in response.context["page_obj"]}
        self.assertEqual(set(rows), {self.s1.name, self.s2.name, self.k1.name})
        s1 = rows[self.s1.name]
        self.assertEqual((s1.school_days, s1.covered, s1.partial, s1.missed), (5, 0, 1, 4))
        # Nobody was rostered before today, so both of Friday's logs are empty.
        self.assertEqual(s1.understaffed_logs, 2)
        self.assertContains(response, "progress-bar")
        response = self.get("district1", start="2026-11-16", end="2026-11-20", group_by="district")
        (row,) = response.context["page_obj"]
        self.assertEqual(row.label, self.d1.name)
        response = self.get("city", start="2026-11-19", end="2026-11-20", group_by="day")
        self.assertEqual(
            [row.key for row in response.context["page_obj"]], [D(2026, 11, 19), LAST_FRIDAY]
        )
        # The days as a trend, the numbers beside it.
        self.assertEqual(response.context["chart"].kind, "line")
        self.assertContains(response, "<polyline")
        self.assertContains(response, "每日覆盖率")

    def test_sorting(self):
        response = self.get(
            "city", start="2026-11-16", end="2026-11-20", sort="-missed", group_by="school"
        )
        labels = [row.label for row in response.context["page_obj"]]
        # The kindergarten missed all five days, S1 and S2 four each.
        self.assertEqual(labels[0], self.k1.name)
        response = self.get(
            "city", start="2026-11-16", end="2026-11-20", sort="-coverage_rate", group_by="school"
        )
        self.assertEqual(len(response.context["page_obj"]), 3)
        # The column headers sort, keeping the range.
        kept = "start=2026-11-16&amp;end=2026-11-20&amp;group_by=school"
        self.assertContains(response, f"{kept}&amp;sort=coverage_rate")
        self.assertContains(response, f"{kept}&amp;sort=-missed")

    def test_drill_down_city_district_school(self):
        week = {"start": "2026-11-16", "end": "2026-11-20"}
        # City staff start with a row per district; each opens its schools' coverage.
        response = self.get("city", **week)
        self.assertEqual(response.context["group_by"], "district")
        labels = {row.label: row.key for row in response.context["page_obj"]}
        self.assertEqual(set(labels), {self.d1.name, self.d2.name})
        link = f"?district={self.d1.pk}&amp;start=2026-11-16&amp;end=2026-11-20&amp;group_by=school"
        self.assertContains(response, link)
        response = self.get("city", district=self.d1.pk, group_by="school", **week)
        self.assertEqual(response.context["group_by"], "school")
        self.assertEqual(
            {row.label for row in response.context["page_obj"]}, {self.s1.name, self.k1.name}
        )
        self.assertContains(response, f'class="drill-district">{self.d1.name}<')
        # The district chosen narrows the missed days too.
        response = self.get("city", "missed", district=self.d2.pk, **week)
        self.assertEqual({item.school_id for item, _name in response.context["rows"]}, {self.s2.pk})

    def test_a_district_out_of_scope_is_a_form_error(self):
        response = self.get("district1", district=self.d2.pk)
        self.assertEqual(response.status_code, 200)
        self.assertIn("district", response.context["form"].errors)
        self.assertNotIn("page_obj", response.context)

    def test_date_presets(self):
        response = self.get("district1", district=self.d1.pk)
        # Yesterday, this week and this month always; the terms from the calendar.
        for preset in ("yesterday", "this_week", "this_month"):
            self.assertContains(response, f'data-preset="{preset}"')
        self.assertContains(response, "start=2026-11-22&amp;end=2026-11-22")
        self.assertContains(response, "start=2026-11-23&amp;end=2026-11-23")
        # This term up to today; last term from the calendar, once there is one.
        self.assertContains(response, "start=2026-09-01&amp;end=2026-11-23")
        self.assertNotContains(response, 'data-preset="last_term"')
        spring = {"start_date": D(2026, 2, 24), "end_date": D(2026, 7, 3)}
        Term.objects.create(city=self.city_a, name="2026 春季学期", **spring)
        response = self.get("district1", district=self.d1.pk)
        self.assertContains(response, "start=2026-02-24&amp;end=2026-07-03")
        # The district chosen stays chosen.
        self.assertContains(response, f"district={self.d1.pk}&amp;start=2026-02-24")

    def test_the_default_range_is_this_month_up_to_today(self):
        response = self.get("district1")
        form = response.context["form"]
        self.assertEqual(
            (form.cleaned_data["start"], form.cleaned_data["end"]), (D(2026, 11, 1), TODAY)
        )

    def test_bad_ranges_are_form_errors(self):
        cases = {
            "end before start": {"start": "2026-11-20", "end": "2026-11-01"},
            "not a date": {"start": "2026-11-31"},
            "more than a year": {"start": "2025-01-01", "end": "2026-11-20"},
            "unknown grouping": {"group_by": "planet"},
        }
        for case, query in cases.items():
            for name in ("coverage", "missed"):
                if name == "missed" and "group_by" in query:
                    continue
                with self.subTest(case, page=name):
                    response = self.get("district1", name, **query)
                    self.assertEqual(response.status_code, 200)
                    self.assertTrue(response.context["form"].errors)
                    self.assertNotIn("page_obj", response.context)

    def test_bureau_staff_and_principals_only(self):
        for persona in ("officer1", "police1", "outsider"):
            with self.subTest(persona=persona):
                for name in ("coverage", "missed"):
                    self.assertEqual(self.get(persona, name).status_code, 403)
        self.assertEqual(self.get("admin").status_code, 200)

    def test_a_principal_sees_their_own_schools_coverage(self):
        for name in ("coverage", "missed"):
            with self.subTest(page=name):
                response = self.get("principal1", name, start="2026-11-16", end="2026-11-20")
                self.assertEqual(response.status_code, 200)
                if name == "coverage":
                    schools = {row.key for row in response.context["page_obj"]}
                else:
                    schools = {item.school_id for item in response.context["object_list"]}
                self.assertEqual(schools, {self.s1.pk})

    def test_the_missed_list(self):
        response = self.get("district2", "missed", start="2026-11-16", end="2026-11-20")
        rows = response.context["rows"]
        self.assertEqual(
            [(item.date, item.status) for item, _name in rows],
            [
                (D(2026, 11, 16), "missed"),
                (D(2026, 11, 17), "missed"),
                (D(2026, 11, 18), "missed"),
                # S2 logged the morning only: partly missed, the afternoon named.
                (D(2026, 11, 19), "partial"),
                (D(2026, 11, 20), "missed"),
            ],
        )
        self.assertEqual(rows[3][0].missing, [self.afternoon("s2")])
        self.assertTrue(all(name == self.s2.name for _item, name in rows))

    def test_query_counts_do_not_grow_with_schools(self):
        # coverage: session, user, role assignments; the school days (three);
        # which schools logged today (the default range ends today); the
        # schools' names and districts; the daily coverage rows added up.
        # missed: the same three, the school days (three); in the database, the
        # page of missed days (an anti-join of the school days against the
        # coverage rows, one more than a page: is there a next?), never counted;
        # for the page shown, the required post periods and the logged ones; the
        # names. Both: the districts to choose from and the terms of the date
        # presets.
        for name, count in (("coverage", 11), ("missed", 12)):
            with self.subTest(name):
                self.login("city")
                with self.assertNumQueries(count + LAYOUT_QUERIES):
                    self.client.get(reverse(f"posts:{name}"))
        for n in range(5):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n}")
        for name, count in (("coverage", 11), ("missed", 12)):
            with self.subTest(name):
                self.login("city")
                with self.assertNumQueries(count + LAYOUT_QUERIES):
                    response = self.client.get(reverse(f"posts:{name}"))
                self.assertEqual(response.status_code, 200)
        self.assertTrue(School.objects.filter(name="新校4").exists())
