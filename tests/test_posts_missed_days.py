"""Missed days, on the page, in the API and in the export: read a keyset page at a time by
(day, school), never counted nor offset, every day once and in order, whatever the page."""

import datetime
from base64 import b64encode
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campussafety.api.pagination import keyset_cursor
from posts.choices import CoverageStatus
from posts.coverage import coverage_schools
from posts.dutylogs import submit_log
from posts.models import DailyCoverage
from posts.views.coverage import MissedDaysView
from schools.calendar import school_days
from tests.base import LAYOUT_QUERIES
from tests.export_contract import csv_rows
from tests.posts_world import TODAY, PostsWorldTestCase

D = datetime.date
# Three weeks and today: today counts only once the school has logged something.
RANGE = {"start": "2026-11-02", "end": TODAY.isoformat()}
API = "/api/v1/coverage/missed/"
# Small pages, so that the week's missed days take many of them.
PAGE = 4


def expected_missed(user, start, end):
    """The missed days of `user`'s schools as (date, school id), by day and school: worked
    out here in Python from the calendar and the coverage rows, as the rule says."""
    schools = coverage_schools(user)
    covered = {
        (row.school_id, row.date): row
        for row in DailyCoverage.objects.filter(school__in=schools, date__range=(start, end))
    }
    missed = []
    for school_id, days in school_days(schools, start, end).items():
        for day in days:
            row = covered.get((school_id, day))
            logged_some = row is not None and row.status != CoverageStatus.MISSED
            logged_all = logged_some and row.logged >= row.required
            # Before today, unless every required period was logged; today, only once
            # some were and not all.
            if (day < TODAY and not logged_all) or (
                day == TODAY and logged_some and not logged_all
            ):
                missed.append((day, school_id))
    return sorted(missed)


def anti_join_counts(captured):
    """The captured statements that count over the school days (the anti-join)."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if "COUNT(" in query["sql"].upper() and "school_day" in query["sql"]
    ]


class MissedDaysPagesTests(PostsWorldTestCase):
    """S1 logged both periods on two days, S2 one period (partly missed) on one, and S1 the
    morning of today (partly missed so far); every other school day of the range is missed."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        admin = cls.users["admin"]
        for day in (D(2026, 11, 3), D(2026, 11, 10)):
            submit_log(admin, cls.posts["s1"][1], day)
            submit_log(admin, cls.posts["s1"][2], day)
        submit_log(admin, cls.posts["s2"][1], D(2026, 11, 4))
        submit_log(admin, cls.posts["s1"][1], TODAY)

    def setUp(self):
        self.expected = expected_missed(self.users["city"], D(2026, 11, 2), TODAY)

    def test_the_oracle_sees_every_kind_of_day(self):
        # So that the walks below check something: whole days missed, partly missed days
        # (S2's), today partly missed at S1, and S1's fully logged days absent.
        self.assertGreater(len(self.expected), 5 * PAGE)
        self.assertIn((D(2026, 11, 4), self.s2.pk), self.expected)
        self.assertIn((TODAY, self.s1.pk), self.expected)
        self.assertNotIn((D(2026, 11, 3), self.s1.pk), self.expected)
        self.assertNotIn((TODAY, self.s2.pk), self.expected)

    def page(self, query):
        """The page as the city sees it, for a query (a dict, or a query string)."""
        self.client.force_login(self.users["city"])
        if isinstance(query, str):
            return self.client.get(f"{reverse('posts:missed')}?{query}")
        return self.client.get(reverse("posts:missed"), query)

    def test_the_pages_walked_to_the_end_list_every_missed_day_once_in_order(self):
        seen = []
        query = RANGE
        with mock.patch.object(MissedDaysView, "page_size", PAGE):
            for _page in range(len(self.expected)):
                response = self.page(query)
                self.assertEqual(response.status_code, 200)
                rows = [(item.date, item.school_id) for item, _name in response.context["rows"]]
                seen += rows
                if "next_page_query" not in response.context:
                    break
                self.assertEqual(len(rows), PAGE)
                query = response.context["next_page_query"]
                self.assertContains(response, f'href="?{query.replace("&", "&amp;")}"')
        self.assertEqual(seen, self.expected)
        # After the last but one: S1's today, partly missed so far, its afternoon named.
        last = self.page({**RANGE, "after": f"{self.expected[-2][0]}~{self.expected[-2][1]}"})
        self.assertEqual(
            [(item.date, item.school_id) for item in last.context["object_list"]],
            self.expected[-1:],
        )
        self.assertEqual(last.context["object_list"][0].missing, [self.afternoon("s1")])
        self.assertContains(last, "部分漏报")
        self.assertNotIn("next_page_query", last.context)

    def test_a_deep_page_costs_the_queries_of_the_first_and_counts_nothing(self):
        # session, user, role assignments; the school days (schools, terms, exceptions);
        # the page of missed days, one more than a page (is there a next?), never
        # counted; the page's required post periods and its logged ones; the schools'
        # names; the districts to choose from and the terms of the date presets.
        middle = self.expected[len(self.expected) // 2]
        for query in (RANGE, {**RANGE, "after": f"{middle[0]}~{middle[1]}"}):
            with self.subTest(query=query):
                self.client.force_login(self.users["city"])
                with (
                    mock.patch.object(MissedDaysView, "page_size", PAGE),
                    CaptureQueriesContext(connection) as captured,
                ):
                    response = self.client.get(reverse("posts:missed"), query)
                self.assertEqual(len(captured), 12 + LAYOUT_QUERIES)
                self.assertEqual(anti_join_counts(captured), [])
                if connection.vendor == "postgresql":
                    # Day by day from the position, stopping once the page is full.
                    self.assertTrue(any("LATERAL" in q["sql"] for q in captured.captured_queries))
                self.assertEqual(len(response.context["rows"]), PAGE)

    def test_an_edited_position_is_a_400(self):
        for after in (
            "yesterday~1",
            "2026-11-16",
            "2026-11-16~1~2",
            "2026-11-16~abc",
            "2026-11-16~²",
            "2026-11-16~-3",
            "2026-13-01~1",
        ):
            with self.subTest(after=after):
                self.assertEqual(self.page({**RANGE, "after": after}).status_code, 400)

    def test_the_api_walked_by_next_and_back_by_previous(self):
        client = self.api("city")
        pages = []
        response = client.get(API, {**RANGE, "page_size": PAGE})
        while True:
            self.assertEqual(response.status_code, 200, response.content)
            body = response.json()
            self.assertEqual(set(body), {"next", "previous", "results"})
            self.assertEqual(body["previous"] is None, not pages)
            pages.append([(D.fromisoformat(r["date"]), r["school"]) for r in body["results"]])
            if body["next"] is None:
                break
            response = client.get(body["next"])
        self.assertEqual([day for page in pages for day in page], self.expected)
        self.assertTrue(all(len(page) == PAGE for page in pages[:-1]))
        # Back from the last page: the same pages, the first with no previous.
        back = []
        while body["previous"] is not None:
            body = client.get(body["previous"]).json()
            back.append([(D.fromisoformat(r["date"]), r["school"]) for r in body["results"]])
        self.assertEqual(back, pages[-2::-1])
        self.assertIsNotNone(body["next"])

    def test_an_api_page_costs_the_same_queries_wherever_it_starts(self):
        # The user's roles; the school days (schools, terms, exceptions); the page of
        # missed days, one more than a page, never counted; the page's required post
        # periods and its logged ones; the schools' names.
        middle = self.expected[len(self.expected) // 2]
        for cursor in (None, keyset_cursor(middle), keyset_cursor(middle, reverse=True)):
            with self.subTest(cursor=cursor):
                client = self.api("city")
                query = {**RANGE, "page_size": PAGE, **({"cursor": cursor} if cursor else {})}
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(API, query)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(response.json()["results"]), PAGE)
                self.assertEqual(len(captured), 8, [q["sql"] for q in captured.captured_queries])
                self.assertEqual(anti_join_counts(captured), [])

    def test_an_edited_api_cursor_is_a_400(self):
        client = self.api("city")
        for cursor in (
            "not-a-cursor",
            b64encode(b"p=yesterday~1").decode(),
            b64encode(b"p=2026-11-16").decode(),
            b64encode(b"p=2026-11-16~abc").decode(),
        ):
            with self.subTest(cursor=cursor):
                response = client.get(API, {**RANGE, "cursor": cursor})
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn("cursor", response.json())

    def test_the_export_holds_every_missed_day_read_a_chunk_after_the_last(self):
        self.client.force_login(self.users["city"])
        self.client.cookies["django_language"] = "en"
        with (
            mock.patch("campussafety.exports.CHUNK", PAGE),
            CaptureQueriesContext(connection) as captured,
        ):
            response = self.client.get(reverse("posts:missed"), {**RANGE, "format": "csv"})
        self.assertEqual(response.status_code, 200)
        names = dict(coverage_schools(self.users["city"]).values_list("name", "pk"))
        rows = [(D.fromisoformat(row[0]), names[row[1]]) for row in csv_rows(response)[1:]]
        self.assertEqual(rows, self.expected)
        # No chunk is read with an OFFSET.
        self.assertFalse(any("OFFSET" in q["sql"] for q in captured.captured_queries))
