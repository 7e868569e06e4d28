"""Time `schools.calendar.school_days` over many schools, as dashboards and reminders call it.

    manage.py bench_calendar --schools-limit 3000 --days 190

Prints the latency over a few repeats and the number of database queries of
one call. It asserts nothing: the figures are for comparing changes and
databases (run it on SQLite and on PostgreSQL).
"""

import datetime
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schools.calendar import school_days
from schools.models import School


class Command(BaseCommand):
    help = "Time schools.calendar.school_days over all (or the first N) schools for a D-day range."

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools-limit",
            type=int,
            default=None,
            help="Use the first N schools by id (default: all).",
        )
        parser.add_argument(
            "--days", type=int, default=190, help="Length of the range ending today (>= 1)."
        )
        parser.add_argument("--repeats", type=int, default=5, help="Timed calls (>= 1).")

    def handle(self, *args, schools_limit, days, repeats, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if repeats < 1:
            raise CommandError("--repeats must be at least 1.")
        if schools_limit is not None and schools_limit < 1:
            raise CommandError("--schools-limit must be at least 1.")

        schools = School.objects.all()
        if schools_limit is not None:
            ids = list(School.objects.order_by("pk").values_list("pk", flat=True)[:schools_limit])
            schools = School.objects.filter(pk__in=ids)
        count = schools.count()
        if not count:
            raise CommandError("There are no schools: run `manage.py seed_demo` first.")

        end = timezone.localdate()
        start = end - datetime.timedelta(days=days - 1)
        timings = []
        queries = None
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                result = school_days(schools, start, end)
                timings.append((time.perf_counter() - began) * 1000)
            queries = len(captured)
        total_days = sum(len(days_of_school) for days_of_school in result.values())

        self.stdout.write(
            f"school_days: {count} schools, {start} to {end} ({days} days), "
            f"{connection.vendor}, {repeats} repeats"
        )
        self.stdout.write(
            f"  latency ms: min {min(timings):.1f}  median {statistics.median(timings):.1f}  "
            f"max {max(timings):.1f}"
        )
        self.stdout.write(f"  queries per call: {queries}")
        self.stdout.write(
            f"  school days found: {total_days} ({total_days / count:.1f} per school)"
        )
