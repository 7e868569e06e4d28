"""The sweep benchmark runs every sweep, prints a row for each, and keeps nothing."""

import io
import os
import tempfile

from django.core.management import CommandError, call_command

from posts.models import PostPeriod
from posts.rosters import generate_shifts
from reminders.models import Notification
from reminders.registry import KINDS
from schools.models import District
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

    def test_parts_and_growth_against_a_saved_run(self):
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY)
        with tempfile.TemporaryDirectory() as folder:
            saved = os.path.join(folder, "small.json")
            args = ["--date", TODAY.isoformat(), "--repeat", "1", "--kind", "roster_digest"]
            call_command("bench_sweeps", *args, "--save", saved, stdout=io.StringIO())
            out = io.StringIO()
            call_command("bench_sweeps", *args, "--parts", "--against", saved, stdout=out)
        header, _rule, row = out.getvalue().splitlines()[-3:]
        self.assertIn("slowest part", header)
        self.assertIn("growth", header)
        cells = row.split()
        self.assertEqual(cells[0], "roster_digest")
        # floor, ratio; the parts (one per district) and the slowest; the saved figure, growth.
        self.assertTrue(cells[-1].endswith("x"))
        self.assertEqual(int(cells[-4]), District.objects.count())
        self.assertFalse(Notification.objects.exists())

    def test_bad_arguments(self):
        with self.assertRaises(CommandError):
            call_command("bench_sweeps", "--date", "tomorrow")
        with self.assertRaises(CommandError):
            call_command("bench_sweeps", "--repeat", "0")
