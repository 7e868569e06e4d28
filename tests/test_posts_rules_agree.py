"""The pages and the API apply each posts rule from one place, so they cannot drift apart:
how coverage sorts, how long a range may be, how far ahead rosters are generated, and
what a second log of the same period is told."""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from posts import coverage, dutylogs, rosters
from posts.forms import CoverageForm, GenerateRosterForm
from posts.models import PostPeriod
from posts.rules import coverage_status, coverage_status_sql
from schools.choices import ExceptionKind
from schools.models import CalendarException
from tests.posts_pages import LAST_FRIDAY, PostsPageTestCase
from tests.posts_world import TODAY

MONDAY = datetime.date(2026, 11, 16)
TRAFFIC = (
    "illegal_parking",
    "wrong_way_driving",
    "electric_tricycles",
    "farm_vehicles",
    "other_traffic",
)
RANGE = {"start": MONDAY.isoformat(), "end": LAST_FRIDAY.isoformat()}


class RulesAgreeTests(PostsPageTestCase):
    def page_rows(self, **query):
        self.login("city")
        response = self.client.get(reverse("posts:coverage"), {**RANGE, **query})
        self.assertEqual(response.status_code, 200)
        return response

    def api_get(self, url, **query):
        return self.api("city").get(url, {**RANGE, **query})

    def test_coverage_sorts_alike_and_rows_without_a_rate_go_last(self):
        dutylogs.submit_log(self.users["district1"], self.morning("s1"), LAST_FRIDAY)
        # The kindergarten closed all week: no school days, so no rate to rank.
        CalendarException.objects.bulk_create(
            CalendarException(
                school=self.k1,
                date=MONDAY + datetime.timedelta(days=n),
                kind=ExceptionKind.CLOSED,
                reason="停课",
            )
            for n in range(5)
        )
        self.assertEqual(
            {value for value, _ in CoverageForm({}).fields["sort"].choices},
            set(coverage.ORDERINGS),
        )
        for ordering in coverage.ORDERINGS:
            with self.subTest(ordering=ordering):
                # By school on both: the page opens a city user's at the districts.
                rows = self.page_rows(sort=ordering, group_by="school").context["page_obj"]
                page = [row.label for row in rows]
                response = self.api_get("/api/v1/coverage/", ordering=ordering, group_by="school")
                api = [row["label"] for row in response.json()["results"]]
                self.assertEqual(api, page)
                if "coverage_rate" in ordering:
                    self.assertEqual(page[-1], self.k1.name)

    def test_a_range_too_long_is_refused_alike(self):
        end = MONDAY + datetime.timedelta(days=coverage.MAX_RANGE_DAYS)
        with self.settings(LANGUAGE_CODE="en"):
            page = self.page_rows(end=end.isoformat()).context["form"].errors["end"]
            api = self.api_get("/api/v1/coverage/", end=end.isoformat())
        self.assertEqual(api.status_code, 400)
        self.assertEqual(api.json()["end"], page)
        self.assertIn(str(coverage.MAX_RANGE_DAYS), page[0])
        # One day less is allowed on both.
        end -= datetime.timedelta(days=1)
        self.assertTrue(self.page_rows(end=end.isoformat()).context["form"].is_valid())
        self.assertEqual(self.api_get("/api/v1/coverage/", end=end.isoformat()).status_code, 200)

    def test_rosters_are_generated_equally_far_ahead(self):
        weeks = GenerateRosterForm.base_fields["weeks"].max_value
        self.assertEqual(weeks * 7, rosters.MAX_GENERATED_DAYS)
        api = self.api("principal1")
        furthest = TODAY + datetime.timedelta(days=rosters.MAX_GENERATED_DAYS - 1)
        for end, status in ((furthest, 200), (furthest + datetime.timedelta(days=1), 400)):
            with self.subTest(end=end):
                response = api.post(
                    "/api/v1/shifts/generate/",
                    {"post": self.post("s1").pk, "start": TODAY.isoformat(), "end": end},
                    format="json",
                )
                self.assertEqual(response.status_code, status, response.content)
        # The service itself holds the bound, whoever calls it.
        with self.assertRaises(ValidationError):
            rosters.generate_shifts(
                PostPeriod.objects.all(), TODAY, furthest + datetime.timedelta(days=1)
            )

    def test_a_second_log_of_a_past_day_is_told_the_same_on_the_page_and_in_the_api(self):
        existing = dutylogs.submit_log(self.users["district1"], self.morning("s1"), LAST_FRIDAY)
        with self.settings(LANGUAGE_CODE="en"):
            self.login("admin")
            url = reverse("posts:log-create", args=[self.morning("s1").pk])
            response = self.client.post(
                f"{url}?date={LAST_FRIDAY}",
                {"date": LAST_FRIDAY.isoformat(), "present": [], **dict.fromkeys(TRAFFIC, "0")},
            )
            page = response.context["form"].non_field_errors()
            api = self.api("admin").post(
                "/api/v1/duty-logs/",
                {"post_period": self.morning("s1").pk, "date": LAST_FRIDAY.isoformat()},
                format="json",
            )
        self.assertEqual(api.status_code, 409)
        self.assertEqual([api.json()["detail"]], list(page))
        self.assertEqual(api.json()["id"], existing.pk)
        # Logged last Friday, not today.
        self.assertNotIn("today", api.json()["detail"])


class CoverageStatusSQLTests(PostsPageTestCase):
    def test_the_sql_status_is_the_python_one(self):
        # The write path words a day's status in SQL (posts/dutylogs.count_new_log).
        for required, logged, compliant in [
            (r, lg, c) for r in range(3) for lg in range(3) for c in range(lg + 1)
        ]:
            with (
                self.subTest(required=required, logged=logged, compliant=compliant),
                connection.cursor() as cursor,
            ):
                cursor.execute(
                    "SELECT " + coverage_status_sql("%s", "%s", "%s"),
                    # required appears twice in the CASE, after logged.
                    [logged, required, compliant, required],
                )
                self.assertEqual(cursor.fetchone()[0], coverage_status(required, logged, compliant))
