"""Beat's schedule lives in the database (django-celery-beat) so staff can change times.

The defaults are created after each migrate when missing; a schedule changed
or disabled on the schedule page (or in the admin) is left as it is. The
schedule page edits the same rows through `set_time` and `set_interval`.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

SCHEDULE_PREFIX = "reminders: "


@dataclass(frozen=True)
class Entry:
    """One scheduled task: its row's name, what it runs, when by default, and its wording."""

    name: str
    task: str
    args: list
    crontab: dict | None
    every_minutes: int | None
    label: str
    recipients: str


def default_entries() -> list[Entry]:
    from reminders.registry import KINDS

    entries = [
        Entry(
            f"{SCHEDULE_PREFIX}{kind.name}",
            "reminders.tasks.run_sweep",
            [kind.name],
            kind.crontab,
            kind.every_minutes,
            kind.label,
            kind.recipients,
        )
        for kind in KINDS.values()
        # A kind recorded as things happen has no schedule, and no beat row.
        if kind.crontab or kind.every_minutes
    ]
    entries += [
        Entry(
            "reminders: flush deliveries",
            "reminders.tasks.flush_deliveries",
            [],
            None,
            5,
            _("Send held-back messages"),
            _("Nobody directly: sends SMS held by quiet hours and retries lost messages."),
        ),
        Entry(
            "reminders: retention",
            "reminders.tasks.purge_old_notifications",
            [],
            {"hour": 3, "minute": 30},
            None,
            _("Delete old notifications"),
            _("Nobody: deletes read notifications and finished deliveries past the retention age."),
        ),
        Entry(
            "calendar: check data",
            "schools.tasks.check_calendar_data",
            [],
            {"hour": 7, "minute": 0},
            None,
            _("Check the school calendar"),
            _("Nobody directly: warns in the log of districts without terms ahead."),
        ),
        Entry(
            "obligations: materialise today's windows",
            "schools.tasks.materialise_windows",
            [],
            {"hour": 0, "minute": 5},
            None,
            _("Prepare today's inspection windows"),
            _(
                "Nobody directly: writes every school's windows of the day before the "
                "morning's sweeps read them."
            ),
        ),
        Entry(
            "dashboards: snapshot indicators",
            "dashboards.tasks.snapshot_yesterday",
            [],
            {"hour": 0, "minute": 20},
            None,
            _("Snapshot yesterday's indicators"),
            _(
                "Nobody directly: keeps each school's indicators of the day for trends and "
                "as-of dates."
            ),
        ),
    ]
    return entries


def crontab_at(hour, minute, day_of_week="*"):
    from django_celery_beat.models import CrontabSchedule

    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week=str(day_of_week),
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    return crontab


def interval_of(minutes):
    from django_celery_beat.models import IntervalSchedule

    interval, _created = IntervalSchedule.objects.get_or_create(
        every=minutes, period=IntervalSchedule.MINUTES
    )
    return interval


def interval_minutes(interval) -> int:
    """An interval row in minutes (rows made in the admin may count hours or seconds)."""
    per = {"days": 24 * 60, "hours": 60, "minutes": 1}
    return max(1, round(interval.every * per.get(interval.period, 1 / 60)))


def install_default_schedule(**kwargs):
    from django_celery_beat.models import PeriodicTask

    for entry in default_entries():
        if PeriodicTask.objects.filter(name=entry.name).exists():
            continue
        schedule = {}
        if entry.crontab:
            schedule["crontab"] = crontab_at(
                entry.crontab.get("hour", "*"),
                entry.crontab.get("minute", "0"),
                entry.crontab.get("day_of_week", "*"),
            )
        else:
            schedule["interval"] = interval_of(entry.every_minutes)
        PeriodicTask.objects.create(
            name=entry.name, task=entry.task, args=json.dumps(entry.args), **schedule
        )
