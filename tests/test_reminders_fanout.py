"""A city-wide sweep fanned out over Celery: one task per district, on a real worker.

Beat sends one tick (run_sweep); a kind that fans out sends one sweep_district
task per district through the broker, and what they record together is what
the sweep records in one process.
"""

import datetime
from collections import Counter

import time_machine
from django.conf import settings
from django.test import TransactionTestCase
from django.utils import translation

from posts.models import PostPeriod
from posts.rosters import generate_shifts
from reminders.delivery import record
from reminders.models import Notification, NotificationItem
from reminders.registry import KINDS
from reminders.tasks import run_sweep
from schools.models import District
from tests.base import World
from tests.posts_world import NOW, TODAY, build_posts
from tests.worker import running_worker, send, task_runs, wait_until

# The posts kinds that fan out, at a moment each has something to say.
FANNED = {
    "roster_digest": (6, 30),
    "missing_log": (8, 30),
    "missing_log_escalation": (9, 30),
    "missed_summary": (20, 0),
    "roster_gaps": (15, 0),
}


# The city-wide obligation sweeps fan out too; their parts are checked against the
# whole sweep in their apps' tests (tests.reminder_support.assert_parts_make_the_whole).
FANNED_ELSEWHERE = {
    "inspection_missed",
    "inspection_missed_district",
    "fire_check",
    "alarm_test_missed",
    "drill_period_start",
    "drill_nothing_planned",
    "drill_overdue",
    "drill_overdue_district",
}


def at(hour, minute):
    return NOW.replace(hour=hour, minute=minute)


def items():
    """What was recorded, recipient by recipient (digests aside: parts fill their own)."""
    return sorted(
        NotificationItem.objects.values_list(
            "user", "member", "kind", "subject", "due", "school", "params", "url"
        ),
        key=repr,
    )


class FanOutTests(TransactionTestCase):
    """TransactionTestCase: the worker's own connection must see committed data."""

    def setUp(self):
        with time_machine.travel(NOW, tick=False):
            World.build(self)
            build_posts(self)
            generate_shifts(PostPeriod.objects.all(), TODAY, TODAY + datetime.timedelta(days=7))

    def test_the_city_wide_sweeps_fan_out(self):
        self.assertEqual(
            {name for name, kind in KINDS.items() if kind.fans_out}, set(FANNED) | FANNED_ELSEWHERE
        )

    def test_one_task_per_district_records_what_one_process_does(self):
        # In the site's language, as the worker sweeps: the items' texts are worded then.
        with translation.override(settings.LANGUAGE_CODE):
            for kind, moment in FANNED.items():
                record(KINDS[kind].sweep(at(*moment)), at(*moment))
        single = items()
        self.assertEqual(set(Counter(item[2] for item in single)), set(FANNED))
        Notification.objects.all().delete()

        districts = District.objects.count()
        self.assertGreater(districts, 1)
        with running_worker(concurrency=2), task_runs() as runs:
            for kind, moment in FANNED.items():
                send(run_sweep, kind, at(*moment).isoformat())

            def parts():
                return [run for run in runs if run[0] == "reminders.tasks.sweep_district"]

            wait_until(lambda: len(parts()) == districts * len(FANNED), 90)

        ticks = [run for run in runs if run[0] == "reminders.tasks.run_sweep"]
        self.assertEqual(Counter(run[1][0] for run in ticks), dict.fromkeys(FANNED, 1))
        # Every district's part of every kind ran once, and succeeded.
        self.assertEqual(
            Counter((run[1][0], run[1][2]) for run in parts()),
            {
                (kind, pk): 1
                for kind in FANNED
                for pk in District.objects.values_list("pk", flat=True)
            },
        )
        self.assertEqual({run[2] for run in parts()}, {"SUCCESS"})
        self.assertEqual(items(), single)
