"""Exit 1 unless Celery beat sent a task recently: docker-compose's beat health check.

Beat has no control channel to ping, but the database scheduler records when it
last sent each task. The deliveries flush runs every 5 minutes, so with beat
alive some enabled task was sent within a few minutes (plus the scheduler's
write-back delay of up to 3).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask


class Command(BaseCommand):
    help = "Fail unless beat sent a scheduled task within the last --within minutes."

    def add_arguments(self, parser):
        parser.add_argument("--within", type=int, default=15, help="minutes (default 15)")

    def handle(self, *args, within, **options):
        if within < 1:
            raise CommandError("--within must be at least 1 minute.")
        last = (
            PeriodicTask.objects.filter(enabled=True, last_run_at__isnull=False)
            .order_by("-last_run_at")
            .values_list("last_run_at", flat=True)
            .first()
        )
        if last is None or timezone.now() - last > datetime.timedelta(minutes=within):
            raise CommandError(f"Beat has sent no task within {within} minutes (last: {last}).")
        self.stdout.write(f"Beat sent a task at {last:%Y-%m-%d %H:%M:%S %Z}.")
