"""Time every reminder sweep over the data in the database, and count its queries.

Run it on a seeded city (`seed_demo --schools 3000 --days 30`): each sweep is
timed computing what is due and recording it, inside a transaction that is
rolled back, so the benchmark leaves no notifications behind.
"""

import datetime
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reminders.delivery import record
from reminders.registry import KINDS
from schools.models import School

# A moment of the school day at which each sweep has work to do.
MOMENTS = {
    "roster_digest": (6, 30),
    "missing_log": (8, 30),
    "missing_log_escalation": (9, 30),
    "roster_gaps": (15, 0),
    "missed_summary": (20, 0),
    "certificate_expiry": (8, 0),
    "pending_verification": (8, 0),
    "inspection_missed": (19, 30),
    "inspection_missed_district": (8, 0),
    "fire_check": (7, 0),
    "alarm_test_missed": (7, 30),
}


class Command(BaseCommand):
    help = "Time each reminder sweep over the whole database (nothing is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The school day to sweep (default: today).")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--kind", action="append", choices=sorted(KINDS))

    def handle(self, *args, date=None, repeat=3, kind=None, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {date!r} is not a date (YYYY-MM-DD).") from None
        schools = School.objects.count()
        self.stdout.write(f"{schools} schools, sweeping {day} ({connection.vendor})\n")
        header = f"{'sweep':<24}{'due':>8}{'queries':>9}{'min ms':>9}{'median':>9}{'max':>9}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name in kind or sorted(KINDS):
            hour, minute = MOMENTS.get(name, (12, 0))
            moment = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(hour, minute))
            )
            timings, due_count, queries = [], 0, 0
            for _ in range(repeat):
                with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    dues = KINDS[name].sweep(moment)
                    record(dues, moment)
                    timings.append((time.perf_counter() - started) * 1000)
                    transaction.set_rollback(True)
                due_count, queries = len(dues), len(captured)
            self.stdout.write(
                f"{name:<24}{due_count:>8}{queries:>9}{min(timings):>9.0f}"
                f"{statistics.median(timings):>9.0f}{max(timings):>9.0f}"
            )
