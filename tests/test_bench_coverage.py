"""`manage.py bench_coverage` runs on a tiny city and prints every request it times."""

import io
import re

from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import TestCase, override_settings

from posts.dutylogs import refresh_daily_coverage
from posts.models import DailyCoverage, DutyLog
from tests.test_seed_demo_posts import Pinned

REQUESTS = [
    f"coverage by {group}, {span}"
    for span in ("whole range", "one month")
    for group in ("school", "district", "city", "day")
] + [
    "missed days, one month, first page",
    "missed days, whole range, first page",
    "missed days, whole range, deep page",
    "understaffed logs, one month",
    "duty logs, first page",
]
# login, request, rows, then min, median and max milliseconds and the query count.
# Coverage by school and the missed days have their floor (as SQL, and served by the bare
# floor view) and the ratio to the served floor beside them.
ROW = r"^{login} +{request} +\d+ +[\d.]+ +[\d.]+ +[\d.]+ +\d+( +[\d.]+ +[\d.]+ +[\d.]+x)?$"


def bench(**options):
    out = io.StringIO()
    call_command("bench_coverage", stdout=out, **options)
    return out.getvalue()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BenchCoverageTests(Pinned, TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", schools=4, days=7, password="x", stdout=io.StringIO())

    def test_it_prints_a_row_for_every_request_of_both_logins(self):
        output = bench(repeat=1)
        self.assertIn("bench_coverage: ", output)
        for login in ("city", "district1"):
            for request in REQUESTS:
                with self.subTest(login=login, request=request):
                    row = re.search(ROW.format(login=login, request=request), output, re.M)
                    self.assertIsNotNone(row, output)
                    floored = request.startswith(("coverage by school", "missed days"))
                    self.assertEqual(bool(row.group(1)), floored, row[0])

    def test_a_deep_page_of_missed_days_costs_the_queries_of_the_first(self):
        # A month of logs, some periods left out: the city's schools miss days all through
        # the range (district1's two, in this seed, none in its second half).
        output = bench(synthesize=True, force=True, days=20, repeat=1)
        cells = {}
        for page in ("first", "deep"):
            request = f"missed days, whole range, {page} page"
            line = re.search(ROW.format(login="city", request=request), output, re.M)[0]
            # rows, min, median, max, queries: the columns after the label.
            cells[page] = re.split(r" {2,}", line.split(request)[1].strip())
        self.assertGreater(int(cells["deep"][0]), 0)
        self.assertEqual(cells["first"][4], cells["deep"][4])

    def test_synthesize_refuses_a_database_with_logs_unless_forced(self):
        with self.assertRaisesMessage(CommandError, "--force"):
            bench(synthesize=True, days=20, repeat=1)

    def test_synthesized_logs_fill_the_days_without_logs_and_keep_coverage_true(self):
        seeded = set(DutyLog.objects.values_list("post_period_id", "date", "present_count"))
        output = bench(synthesize=True, force=True, days=20, repeat=1)
        self.assertRegex(output, r"Synthesized \d+ duty logs over the last 20 school days")
        # The seeded logs are untouched; the other days got some.
        self.assertTrue(
            seeded <= set(DutyLog.objects.values_list("post_period_id", "date", "present_count"))
        )
        self.assertGreater(DutyLog.objects.count(), len(seeded))
        per_school = DutyLog.objects.values("school").annotate(days=Count("date", distinct=True))
        self.assertTrue(all(row["days"] > 7 for row in per_school))

        before = set(DailyCoverage.objects.values_list())
        for school_id, day in DutyLog.objects.values_list("school_id", "date").distinct():
            refresh_daily_coverage(school_id, day)
        self.assertEqual(set(DailyCoverage.objects.values_list()), before)

    def test_bad_arguments_are_refused(self):
        for options, message in [({"repeat": 0}, "--repeat"), ({"days": 0}, "--days")]:
            with self.subTest(options=options), self.assertRaisesMessage(CommandError, message):
                bench(**options)


class BenchCoverageWithoutDataTests(TestCase):
    def test_it_asks_for_the_demo_first(self):
        with self.assertRaisesMessage(CommandError, "seed_demo"):
            bench()
