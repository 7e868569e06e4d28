"""Celery tasks of the dashboards. Thin: the logic lives in dashboards/snapshots.py."""

from celery import shared_task
from django.utils import timezone

from dashboards.snapshots import ONE_DAY, take


@shared_task
def snapshot_yesterday() -> dict:
    """Snapshot yesterday, whole: run after midnight by beat (reminders/schedule.py)."""
    day = timezone.localdate() - ONE_DAY
    return {"date": day.isoformat(), "rows": take(day)}
