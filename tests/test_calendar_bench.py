"""`manage.py bench_calendar` runs over seeded schools and reports latency and queries."""

import io

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings


def bench(**options):
    out = io.StringIO()
    call_command("bench_calendar", stdout=out, **options)
    return out.getvalue()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BenchCalendarTests(TestCase):
    def test_it_reports_latency_and_the_query_count(self):
        call_command("seed_demo", schools=12, days=20, password="x", stdout=io.StringIO())
        output = bench(days=30, repeats=2, schools_limit=5)
        self.assertIn("school_days: 5 schools", output)
        self.assertRegex(output, r"latency ms: min [\d.]+  median [\d.]+  max [\d.]+")
        # The calendar's promise: the same few queries whatever the number of schools.
        self.assertIn("queries per call: 3", output)

    def test_it_refuses_to_run_without_schools_or_with_bad_arguments(self):
        for options, message in [
            ({}, "seed_demo"),
            ({"days": 0}, "--days"),
            ({"repeats": 0}, "--repeats"),
            ({"schools_limit": 0}, "--schools-limit"),
        ]:
            with self.subTest(options=options), self.assertRaisesMessage(CommandError, message):
                bench(**options)
