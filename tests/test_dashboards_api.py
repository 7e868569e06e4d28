"""The district-dashboard API: scope, persona by persona; conditional requests; 400s; tokens."""

import datetime
import runpy
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode
from rest_framework.test import APIClient

from accounts.choices import Role
from dashboards.snapshots import take
from schools.models import School
from tests.base import PASSWORD
from tests.dashboards_world import build_evidence
from tests.factories import SchoolFactory, assign
from tests.permissions import ALL_PERSONAS, ActionChecks
from tests.posts_world import TODAY, PostsWorldTestCase

AS_OF = TODAY - datetime.timedelta(days=1)
FOUR = {"indicator": "four100", "as_of": AS_OF.isoformat()}
# A page of today's four 100%, computed live for its schools: the user's scope, the
# snapshot day (validators), the page of places, the schools' names and groups; licensed
# guards, the guard rules, the schools' sizes (#1); the latest perimeter inspections (#2);
# the calendar's three, today's logs, the peaks' coverage rows (#2's gate and #4); the
# alarm tests and video checks (#3).
LIVE_FOUR_100_QUERIES = 14


class DashboardAPITests(ActionChecks, PostsWorldTestCase):
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_evidence(cls)
        take(AS_OF)

    def test_indicators(self):
        def send(client, key):
            response = client.get(reverse("indicators"))
            if response.status_code == 200:
                codes = [item["code"] for item in response.json()]
                self.assertEqual(
                    codes[:4],
                    [
                        "posts.guards",
                        "four100.closed_campus",
                        "equipment.alarm_video",
                        "posts.peaks_covered",
                    ],
                )
            return response

        # The definitions are the same for everyone signed in.
        self.check("indicators", send, set(ALL_PERSONAS), foreign_status=200)
        self.assertIn(self.api().get(reverse("indicators")).status_code, (401, 403))

    def test_indicator_values(self):
        def send(client, key):
            school = getattr(self, key).pk
            response = client.get(reverse("indicator-values"), {"school": school, **FOUR})
            if response.status_code == 200:
                rows = response.json()["results"]
                self.assertEqual({row["key"] for row in rows}, {school})
                self.assertEqual(len(rows), 4)
            return response

        # Out of scope, the school named in the query is a 400, not an empty table.
        self.check("indicator-values", send, set(ALL_PERSONAS), foreign_status=400)

    def test_a_district_sees_its_own_schools_only(self):
        response = self.api("district1").get(
            reverse("indicator-values"), {**FOUR, "group_by": "district"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual({row["label"] for row in response.json()["results"]}, {"滨城区"})
        rows = self.api("city").get(reverse("indicator-values"), {**FOUR, "group_by": "city"})
        [guards, closed, alarm, peaks] = rows.json()["results"]
        self.assertEqual((peaks["numerator"], peaks["denominator"]), (1, 3))
        self.assertEqual(closed["indicator"], "four100.closed_campus")
        self.assertFalse(closed["meets_target"])

    def test_a_trend_gives_one_row_per_day_and_group(self):
        take(AS_OF - datetime.timedelta(days=1))
        response = self.api("city").get(
            reverse("indicator-values"),
            {
                "indicator": "posts.peaks_covered",
                "group_by": "city",
                "start": (AS_OF - datetime.timedelta(days=3)).isoformat(),
                "end": TODAY.isoformat(),
            },
        )
        self.assertEqual(response.status_code, 200, response.content)
        days = [row["date"] for row in response.json()["results"]]
        self.assertEqual(
            days,
            [
                (AS_OF - datetime.timedelta(days=1)).isoformat(),
                AS_OF.isoformat(),
                TODAY.isoformat(),
            ],
        )

    def test_conditional_requests(self):
        client = self.api("district1")
        first = client.get(reverse("indicator-values"), FOUR)
        self.assertEqual(first.status_code, 200)
        etag = first["ETag"]
        again = client.get(reverse("indicator-values"), FOUR, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        since = client.get(
            reverse("indicator-values"), FOUR, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        )
        self.assertEqual(since.status_code, 304)
        # A 304 is answered before any value is computed: the day's snapshot
        # row and the user's roles only.
        fresh = self.api("district1")  # a user whose roles are not read yet, as per request
        with self.assertNumQueries(2):
            fresh.get(reverse("indicator-values"), FOUR, HTTP_IF_NONE_MATCH=etag)
        # Another user, or another question, never shares the tag.
        other = self.api("city").get(reverse("indicator-values"), FOUR, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(other.status_code, 200)
        # A role given changes the schools in the answer, so the tag.
        assign(self.users["district1"], Role.PRINCIPAL, SchoolFactory())
        client = self.api("district1")  # a new request's user, with its roles read afresh
        regranted = client.get(reverse("indicator-values"), FOUR, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(regranted.status_code, 200)
        etag = regranted["ETag"]
        # Each page has its own tag, and a page's 304 costs what the first page's does.
        first_page = client.get(reverse("indicator-values"), {**FOUR, "page_size": 1}).json()
        second = client.get(first_page["next"])
        self.assertEqual(second.status_code, 200)
        self.assertNotEqual(second["ETag"], etag)
        fresh = self.api("district1")
        with self.assertNumQueries(2):
            again = fresh.get(first_page["next"], HTTP_IF_NONE_MATCH=second["ETag"])
        self.assertEqual(again.status_code, 304)
        # Taking the day again changes it.
        take(AS_OF)
        retaken = client.get(reverse("indicator-values"), FOUR, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(retaken.status_code, 200)
        self.assertNotEqual(retaken["ETag"], etag)

    def test_bad_parameters_are_field_errors(self):
        client = self.api("city")
        cases = {
            "indicator": {"indicator": "posts.nothing"},
            "group_by": {"group_by": "province"},
            "as_of": {"as_of": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "start": {"start": "2026-11-99", "end": "2026-11-20", "indicator": "posts.coverage"},
            "end": {"start": "2026-11-20", "indicator": "posts.coverage"},
        }
        cases_more = [
            ({"as_of": "2026-11-20", "start": "2026-11-01", "end": "2026-11-20"}, "as_of"),
            ({"start": "2025-01-01", "end": "2026-11-20", "indicator": "posts.coverage"}, "end"),
            ({"start": "2026-11-20", "end": "2026-11-01", "indicator": "posts.coverage"}, "end"),
            ({"start": "2026-11-01", "end": "2026-11-20"}, "indicator"),
        ]
        for params, field in [*((p, f) for f, p in cases.items()), *cases_more]:
            with self.subTest(params=params):
                response = client.get(reverse("indicator-values"), params)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json())

    def test_a_snapshotted_day_costs_the_same_queries_whatever_the_schools(self):
        # The user's scope, the snapshot day (the validators; the values reuse it), the page
        # of places, ONE GROUP BY over their schools' snapshots.
        for number in range(2):
            with self.subTest(schools=number):
                client = self.api("city")
                with self.assertNumQueries(4):
                    response = client.get(
                        reverse("indicator-values"), {**FOUR, "group_by": "school"}
                    )
                self.assertEqual(response.status_code, 200)
                SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{number}")

    def test_the_example_client_pulls_a_districts_four_100_with_a_token(self):
        token = (
            APIClient()
            .post("/api/v1/auth/token/", {"username": "district1", "password": PASSWORD})
            .json()["token"]
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        indicators = client.get(reverse("indicators")).json()
        example = runpy.run_path(str(Path(settings.BASE_DIR) / "docs" / "four_100_client.py"))
        # One school a page: the client follows `next` to the last page.
        first = f"{reverse('indicator-values')}?{urlencode({**FOUR, 'district': self.d1.pk})}"
        pages = []

        def get(url):
            pages.append(url)
            return client.get(url).json()

        rows = list(example["all_rows"](f"{first}&page_size=1", get))
        self.assertEqual(len(pages), 2)  # S1 and K1, D1's schools
        header, *lines = example["table"](indicators, rows)
        self.assertEqual(len(header), 2 + 2 * 4)
        by_name = {line[1]: line for line in lines}
        # S1 meets all four; the kindergarten has no posts, guards or checks.
        self.assertEqual(by_name[self.s1.name][2:], ["100.0", "1/1"] * 4)
        self.assertEqual(by_name[self.k1.name][8:], ["0.0", "0/1"])


class ValuePagesTests(PostsWorldTestCase):
    """The values come in pages of places, each page costing the same queries for 20 schools
    in the city or 200."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_evidence(cls)

    def grow_city_to(self, total):
        """Add schools to D1 until city A (S1, S2, K1 and these) has `total`."""
        have = School.objects.filter(district__city=self.city_a).count()
        for number in range(have, total):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"滨城第{number:03d}小学")

    def walk(self, query):
        """Every page of the answer to `query` for city staff: [(rows, queries)], and the
        places each page named."""
        url, pages = f"{reverse('indicator-values')}?{urlencode(query)}", []
        while url:
            client = self.api("city")  # a fresh user each page, its roles read again
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            self.assertEqual(response.status_code, 200, response.content)
            page = response.json()
            pages.append((page["results"], len(captured)))
            url = page["next"]
        return pages

    def test_each_page_costs_the_same_queries_for_20_schools_or_200(self):
        cases = [
            ("as of a snapshotted day", FOUR, 4),
            # Today's values are computed live for the page's schools only: each
            # indicator's compute() costs a constant number of queries.
            ("today, live", {"indicator": "four100"}, None),
        ]
        live_queries = set()
        for total in (20, 200):
            self.grow_city_to(total)
            take(AS_OF)
            for label, query, pinned in cases:
                with self.subTest(schools=total, case=label):
                    pages = self.walk({**query, "group_by": "school"})
                    self.assertEqual(len(pages), -(-total // 50))
                    keys = [row["key"] for rows, _queries in pages for row in rows]
                    per_page = [len({row["key"] for row in rows}) for rows, _queries in pages]
                    # Every school once, its four rows on one page, at most 50 schools a page.
                    self.assertEqual(len(set(keys)), total)
                    self.assertEqual(len(keys), 4 * total)
                    self.assertLessEqual(max(per_page), 50)
                    counts = {queries for _rows, queries in pages}
                    if pinned is None:
                        live_queries |= counts
                    else:
                        self.assertEqual(counts, {pinned})
        self.assertEqual(len(live_queries), 1, live_queries)
        self.assertEqual(live_queries, {LIVE_FOUR_100_QUERIES})

    def test_districts_and_cities_are_paged_too(self):
        pages = self.walk({**FOUR, "group_by": "district", "page_size": 1})
        self.assertEqual(
            [{row["label"] for row in rows} for rows, _q in pages], [{"沾化区"}, {"滨城区"}]
        )
        [(rows, _queries)] = self.walk({**FOUR, "group_by": "city"})
        self.assertEqual({row["label"] for row in rows}, {"滨州市"})

    def test_a_long_trend_pages_fewer_places(self):
        # 366 days of one indicator: at most 20,000 rows a page, so 54 schools, not 500.
        self.grow_city_to(60)
        query = {
            "indicator": "posts.guards",
            "group_by": "school",
            "start": (TODAY - datetime.timedelta(days=365)).isoformat(),
            "end": TODAY.isoformat(),
            "page_size": 500,
        }
        response = self.api("city").get(reverse("indicator-values"), query)
        self.assertEqual(response.status_code, 200, response.content)
        page = response.json()
        self.assertEqual(len({row["key"] for row in page["results"]}), 20_000 // 366)
        self.assertIsNotNone(page["next"])

    def test_a_bad_page_size_or_cursor_is_a_400(self):
        client = self.api("city")
        for query, name in (
            ({"page_size": "0"}, "page_size"),
            ({"page_size": "x"}, "page_size"),
            # As on every cursor-paged list, and the keyset pages' edited links.
            ({"cursor": "not-a-cursor"}, "cursor"),
        ):
            with self.subTest(query=query):
                response = client.get(reverse("indicator-values"), {**FOUR, **query})
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(name, response.json())
