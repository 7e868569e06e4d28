"""Take (or take again) the indicators' snapshots of a range of days: a backfill.

manage.py snapshot_indicators                     # yesterday
manage.py snapshot_indicators --start 2026-09-01 --end 2026-11-24
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboards.snapshots import ONE_DAY, take_range


class Command(BaseCommand):
    help = "Snapshot every school's indicators for each day of a range (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--start", type=datetime.date.fromisoformat)
        parser.add_argument("--end", type=datetime.date.fromisoformat)

    def handle(self, *args, start=None, end=None, **options):
        yesterday = timezone.localdate() - ONE_DAY
        end = end or (start if start and start <= yesterday else yesterday)
        start = start or end
        if start > end:
            raise CommandError("--start is after --end.")
        if end > yesterday:
            raise CommandError("Only days that are over can be snapshotted (up to yesterday).")

        def progress(day, count):
            self.stdout.write(f"{day.isoformat()}: {count} rows")

        total = take_range(start, end, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{total} rows from {start} to {end}."))
