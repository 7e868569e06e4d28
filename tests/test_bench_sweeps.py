"""The sweep benchmark runs every sweep, prints a row for each, and keeps nothing."""

import io
import os
import tempfile
from unittest import skipUnless

import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase

from posts.models import PostPeriod
from posts.rosters import generate_shifts
from reminders.models import Notification
from reminders.registry import KINDS
from schools.models import District
from tests.base import World
from tests.posts_world import NOW, TODAY, PostsWorldTestCase, build_posts


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
        with self.assertRaises(CommandError):
            call_command("bench_sweeps", "--workers", "-1")
        with self.assertRaises(CommandError):
            call_command("bench_sweeps", "--workers", "2")  # inside the test's transaction


@skipUnless(connection.vendor == "postgresql", "SQLite has one writer: no parallel timing")
class BenchSweepsWorkersTests(TransactionTestCase):
    """TransactionTestCase: the forked workers' own connections must see committed data."""

    def setUp(self):
        with time_machine.travel(NOW, tick=False):
            World.build(self)
            build_posts(self)
            generate_shifts(PostPeriod.objects.all(), TODAY, TODAY)

    def test_the_fan_out_timed_on_two_workers(self):
        out = io.StringIO()
        call_command(
            "bench_sweeps",
            *["--date", TODAY.isoformat(), "--repeat", "1", "--workers", "2"],
            *["--kind", "roster_digest", "--kind", "certificate_expiry"],
            stdout=out,
        )
        header, _rule, *rows = out.getvalue().splitlines()[-4:]
        self.assertIn("2 workers", header)
        digest, expiry = (row.split() for row in rows)
        self.assertEqual(digest[0], "roster_digest")
        self.assertGreater(int(digest[1]), 0)
        self.assertGreater(float(digest[-2]), 0)
        self.assertTrue(digest[-1].endswith("x"))
        # A kind swept in one piece has no fan-out to time.
        self.assertEqual(expiry[0], "certificate_expiry")
        self.assertEqual(len(expiry), len(digest) - 2)
        # Every part was rolled back, in the workers as in this process.
        self.assertFalse(Notification.objects.exists())
