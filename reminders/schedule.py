"""Beat's schedule lives in the database (django-celery-beat) so admins can change times.

The defaults are created after each migrate when missing; a schedule an admin
changed or disabled is left as it is.
"""

import json

from django.conf import settings

SCHEDULE_PREFIX = "reminders: "


def default_entries():
    """(name, task, args, crontab or None, every_minutes or None) for every scheduled task."""
    from reminders.registry import KINDS

    entries = [
        (
            f"{SCHEDULE_PREFIX}{kind.name}",
            "reminders.tasks.run_sweep",
            [kind.name],
            kind.crontab,
            kind.every_minutes,
        )
        for kind in KINDS.values()
        # A kind recorded as things happen has no schedule, and no beat row.
        if kind.crontab or kind.every_minutes
    ]
    entries.append(("reminders: flush deliveries", "reminders.tasks.flush_deliveries", [], None, 5))
    entries.append(
        (
            "calendar: check data",
            "schools.tasks.check_calendar_data",
            [],
            {"hour": 7, "minute": 0},
            None,
        )
    )
    return entries


def install_default_schedule(**kwargs):
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    for name, task, args, crontab, every_minutes in default_entries():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        schedule = {}
        if crontab:
            schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=str(crontab.get("minute", "0")),
                hour=str(crontab.get("hour", "*")),
                day_of_week=str(crontab.get("day_of_week", "*")),
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
        else:
            schedule["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=every_minutes, period=IntervalSchedule.MINUTES
            )
        PeriodicTask.objects.create(name=name, task=task, args=json.dumps(args), **schedule)
