"""The sweep benchmark runs every sweep, prints a row for each, and keeps nothing."""

import io

from django.core.management import CommandError, call_command

from posts.models import PostPeriod
from posts.rosters import generate_shifts
from reminders.models import Notification
from reminders.registry import KINDS
from tests.posts_world import TODAY, PostsWorldTestCase


class BenchSweepsTests(PostsWorldTestCase):
    def test_every_sweep_is_timed_and_rolled_back(self):
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY)
        out = io.StringIO()
        call_command("bench_sweeps", "--date", TODAY.isoformat(), "--repeat", "2", stdout=out)
        lines = out.getvalue().splitlines()
        for kind in KINDS:
            [row] = [line for line in lines if line.startswith(kind + " ")]
            due = int(row.split()[1])
            if kind in ("roster_digest", "missing_log", "missed_summary"):
                self.assertGreater(due, 0, row)
        self.assertFalse(Notification.objects.exists())

    def test_bad_arguments(self):
        with self.assertRaises(CommandError):
            call_command("bench_sweeps", "--date", "tomorrow")
        with self.assertRaises(CommandError):
            call_command("bench_sweeps", "--repeat", "0")
