"""Coverage by school, district, city and day; missed days; pinned list query counts."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from posts.api.serializers import CoverageRowSerializer
from posts.coverage import ORDERINGS, coverage, sort_rows
from posts.dutylogs import AttendanceEntry, refresh_daily_coverage, submit_log
from posts.models import DutyLog, PostPeriod
from posts.rosters import generate_shifts
from schools.models import School
from tests.posts_world import TODAY, PostsWorldTestCase

D = datetime.date
MONDAY = D(2026, 11, 16)
FRIDAY = D(2026, 11, 20)


class CoverageTests(PostsWorldTestCase):
    """The school week of 16-20 November, logged by the bureau afterwards.

    S1: Monday and Tuesday covered (both periods, 4 of 5 qualified), Wednesday
    partial (morning only), Thursday and Friday missed. S2: Monday partial (the
    afternoon log is understaffed), the rest missed. K1 has no posts: missed.
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        admin = cls.users["admin"]
        s1 = cls.members["s1"]
        compliant = [s1[r] for r in ("police", "aux", "guard_a", "guard_b", "community")]

        def log(school_key, period_index, day, people):
            period = cls.posts[school_key][period_index]
            submit_log(admin, period, day, attendance=[AttendanceEntry(m) for m in people])

        # S1: Mon and Tue covered, Wed partial (morning only), Thu and Fri missed.
        for day in (MONDAY, MONDAY + datetime.timedelta(days=1)):
            log("s1", 1, day, compliant)
            log("s1", 2, day, compliant)
        log("s1", 1, MONDAY + datetime.timedelta(days=2), compliant)
        # S2: Mon both periods logged but understaffed in the afternoon (2 members).
        s2 = cls.members["s2"]
        log("s2", 1, MONDAY, [s2[r] for r in ("police", "aux", "guard_a", "guard_b", "community")])
        log("s2", 2, MONDAY, [s2["police"], s2["aux"]])

    def coverage(self, persona, **params):
        response = self.api(persona).get(
            "/api/v1/coverage/", {"start": MONDAY.isoformat(), "end": FRIDAY.isoformat(), **params}
        )
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["results"]

    def test_by_school(self):
        rows = {row["label"]: row for row in self.coverage("city")}
        s1 = rows[self.s1.name]
        self.assertEqual(
            (s1["school_days"], s1["covered"], s1["partial"], s1["missed"]), (5, 2, 1, 2)
        )
        self.assertEqual(s1["coverage_rate"], 0.4)
        self.assertEqual(s1["logs"], 5)
        self.assertEqual(s1["understaffed_logs"], 0)
        self.assertEqual(s1["qualified_share"], 0.8)
        s2 = rows[self.s2.name]
        self.assertEqual((s2["covered"], s2["partial"], s2["missed"]), (0, 1, 4))
        self.assertEqual(s2["understaffed_logs"], 1)
        # K1 (a kindergarten with no posts) misses every day; S3 is not in city A.
        self.assertEqual(rows[self.k1.name]["missed"], 5)
        self.assertNotIn(self.s3.name, rows)

    def test_by_district_and_city(self):
        rows = {row["label"]: row for row in self.coverage("city", group_by="district")}
        self.assertEqual(rows["滨城区"]["school_days"], 10)  # S1 and K1
        self.assertEqual(rows["滨城区"]["covered"], 2)
        self.assertEqual(rows["沾化区"]["partial"], 1)
        [city] = self.coverage("city", group_by="city")
        self.assertEqual((city["school_days"], city["covered"], city["partial"]), (15, 2, 2))
        self.assertEqual(city["missed"], 11)

    def test_by_day(self):
        rows = {row["label"]: row for row in self.coverage("district1", group_by="day")}
        self.assertEqual(rows["2026-11-16"]["school_days"], 2)
        self.assertEqual(rows["2026-11-16"]["covered"], 1)
        self.assertEqual(rows["2026-11-18"]["partial"], 1)
        self.assertEqual(rows["2026-11-20"]["missed"], 2)

    def test_late_entries_are_counted_as_such(self):
        # The bureau logged the week afterwards: every log is a late entry.
        rows = {row["label"]: row for row in self.coverage("district1")}
        self.assertEqual((rows[self.s1.name]["logs"], rows[self.s1.name]["late_logs"]), (5, 5))
        days = {row["label"]: row for row in self.coverage("city", group_by="day")}
        self.assertEqual(days["2026-11-16"]["late_logs"], 4)
        # A log written on its day is not late; the count is kept on the day's row.
        log = submit_log(self.users["principal1"], self.morning("s1"), TODAY)
        self.assertFalse(log.is_late)
        params = {"start": TODAY.isoformat(), "end": TODAY.isoformat()}
        [today] = [r for r in self.coverage("district1", **params) if r["label"] == self.s1.name]
        self.assertEqual((today["logs"], today["late_logs"]), (1, 0))
        DutyLog.objects.filter(pk=log.pk).update(is_late=True)
        refresh_daily_coverage(self.s1.pk, TODAY)
        [today] = [r for r in self.coverage("district1", **params) if r["label"] == self.s1.name]
        self.assertEqual(today["late_logs"], 1)
        self.client.force_login(self.users["district1"])
        response = self.client.get(
            reverse("posts:coverage"), {"start": MONDAY.isoformat(), "end": FRIDAY.isoformat()}
        )
        self.assertContains(response, "补报")
        self.assertContains(response, '<span class="badge text-bg-info">5</span>')

    def test_scope_limits_coverage(self):
        rows = self.coverage("principal2")
        self.assertEqual([row["label"] for row in rows], [self.s2.name])

    def test_ordering_by_rate(self):
        rows = self.coverage("city", ordering="-coverage_rate")
        self.assertEqual(rows[0]["label"], self.s1.name)

    def test_missed_days(self):
        response = self.api("district1").get(
            "/api/v1/coverage/missed/", {"start": MONDAY.isoformat(), "end": FRIDAY.isoformat()}
        )
        missed = {(row["school"], row["date"]): row for row in response.json()["results"]}
        self.assertEqual(missed[(self.s1.pk, "2026-11-19")]["status"], "missed")
        # S1 logged Wednesday's morning only: partly missed, its afternoon named.
        wednesday = missed[(self.s1.pk, "2026-11-18")]
        self.assertEqual(wednesday["status"], "partial")
        afternoon = self.afternoon("s1")
        self.assertEqual(
            wednesday["missing_periods"],
            [{"post_period": afternoon.pk, "post": afternoon.post_id, "label": str(afternoon)}],
        )
        # S2 logged both of Monday's periods (one understaffed): not missed.
        self.assertNotIn((self.s2.pk, "2026-11-16"), missed)
        self.assertEqual(len(missed), 2 + 1 + 5)

    def test_the_missed_days_page_agrees_with_the_api(self):
        params = {"start": MONDAY.isoformat(), "end": FRIDAY.isoformat()}
        api = self.api("district1").get("/api/v1/coverage/missed/", params).json()["results"]
        self.client.force_login(self.users["district1"])
        response = self.client.get(reverse("posts:missed"), params)
        page = [
            (item.school_id, item.date.isoformat(), item.status, [p.pk for p in item.missing])
            for item, _name in response.context["rows"]
        ]
        self.assertEqual(
            page,
            [
                (
                    row["school"],
                    row["date"],
                    row["status"],
                    [p["post_period"] for p in row["missing_periods"]],
                )
                for row in api
            ],
        )
        self.assertContains(response, "部分漏报")
        self.assertContains(response, str(self.afternoon("s1")))

    def test_a_day_with_only_an_optional_post_logged_is_still_missed(self):
        from posts.models import DailyCoverage

        noon = self.post("s1").periods.create(
            period="noon",
            start_time=datetime.time(11, 40),
            end_time=datetime.time(12, 10),
            min_members=1,
            min_police=0,
            is_required=False,
        )
        thursday = MONDAY + datetime.timedelta(days=3)
        submit_log(self.users["admin"], noon, thursday, attendance=[])
        row = DailyCoverage.objects.get(school=self.s1, date=thursday)
        self.assertEqual((row.status, row.logs, row.logged), ("missed", 1, 0))
        response = self.api("district1").get(
            "/api/v1/coverage/missed/", {"start": MONDAY.isoformat(), "end": FRIDAY.isoformat()}
        )
        missed = [(r["school"], r["date"]) for r in response.json()["results"]]
        self.assertIn((self.s1.pk, thursday.isoformat()), missed)
        rows = {row["label"]: row for row in self.coverage("district1")}
        self.assertEqual(rows[self.s1.name]["missed"], 2)
        self.assertEqual(rows[self.s1.name]["logs"], 6)

    def test_the_understaffed_list(self):
        response = self.api("city").get("/api/v1/duty-logs/", {"understaffed": "true"})
        [row] = response.json()["results"]
        self.assertEqual((row["school"], row["period"]), (self.s2.pk, "afternoon"))

    def test_bad_parameters(self):
        for params in (
            {"start": "2026-11-20", "end": "2026-11-16"},
            {"start": "2026-01-01", "end": "2027-03-01"},
            {"start": "2026-11-16", "end": "2026-11-20", "group_by": "street"},
        ):
            with self.subTest(params):
                response = self.api("city").get("/api/v1/coverage/", params)
                self.assertEqual(response.status_code, 400)

    def test_by_school_in_sql_agrees_with_the_rows_in_python_in_every_order(self):
        schools = School.objects.for_user(self.users["city"])
        for start, end in ((MONDAY, FRIDAY), (MONDAY, TODAY + datetime.timedelta(days=3))):
            for ordering in ORDERINGS:
                expected = sort_rows(coverage(schools, start, end, "school"), ordering)
                rows = self.coverage(
                    "city", start=start.isoformat(), end=end.isoformat(), ordering=ordering
                )
                self.assertEqual(
                    rows,
                    CoverageRowSerializer(expected, many=True).data,
                    (start, end, ordering),
                )
        # A page cut in the database: the second of two, in order.
        week = sort_rows(coverage(schools, MONDAY, FRIDAY, "school"), "-missed")
        page = self.coverage("city", ordering="-missed", page_size=1, page=2)
        self.assertEqual(page, CoverageRowSerializer(week[1:2], many=True).data)

    def test_query_count_is_fixed(self):
        client = self.api("city")
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/v1/coverage/", {"start": "2026-09-01", "end": "2026-11-23"})
        # 1. role assignments, 2. the schools counted (for the pages), 3-5. school
        # days (schools, terms, exceptions), 6. the page: school days and daily
        # coverage added up per school, sorted and cut in the database.
        self.assertEqual(len(queries), 6, [q["sql"] for q in queries])

    def test_today_counts_once_logged_and_days_to_come_never(self):
        params = {"start": "2026-11-23", "end": "2026-11-27"}
        rows = {row["label"]: row for row in self.coverage("district1", **params)}
        self.assertEqual(rows[self.s1.name]["school_days"], 0)
        self.assertEqual(rows[self.s1.name]["missed"], 0)
        response = self.api("district1").get("/api/v1/coverage/missed/", params)
        self.assertEqual(response.json(), {"next": None, "previous": None, "results": []})
        submit_log(self.users["principal1"], self.morning("s1"), TODAY)
        rows = {row["label"]: row for row in self.coverage("district1", **params)}
        self.assertEqual((rows[self.s1.name]["school_days"], rows[self.s1.name]["partial"]), (1, 1))
        self.assertEqual(rows[self.k1.name]["school_days"], 0)


class ListQueryCountTests(PostsWorldTestCase):
    """Every posts list endpoint runs a fixed number of queries."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY + datetime.timedelta(days=4))
        for key in ("s1", "s2"):
            submit_log(cls.users["admin"], cls.posts[key][1], TODAY)

    def assert_queries(self, url, expected):
        client = self.api("city")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": 500})
        self.assertEqual(response.status_code, 200)
        self.assertGreater(len(response.json()["results"]), 1)
        self.assertEqual(len(queries), expected, [q["sql"] for q in queries])

    def test_members(self):
        # 1. role assignments, 2. count, 3. members (with the phone-visibility
        # subquery), 4. their assignments.
        self.assert_queries("/api/v1/members/", 4)

    def test_member_assignments(self):
        # 1. role assignments, 2. count, 3. assignments.
        self.assert_queries("/api/v1/member-assignments/", 3)

    def test_posts(self):
        # 1. role assignments, 2. count, 3. posts with gates, 4. their periods.
        self.assert_queries("/api/v1/posts/", 4)

    def test_post_periods(self):
        self.assert_queries("/api/v1/post-periods/", 3)

    def test_roster_rules(self):
        self.assert_queries("/api/v1/roster-rules/", 3)

    def test_shifts(self):
        # 1. role assignments, 2. count, 3. shifts with members and post periods.
        self.assert_queries("/api/v1/shifts/", 3)

    def test_duty_logs(self):
        # 1. role assignments, 2. logs with post periods (a cursor page: no
        # count), 3. attendance with members.
        self.assert_queries("/api/v1/duty-logs/", 3)
