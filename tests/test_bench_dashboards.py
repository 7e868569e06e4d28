"""`manage.py bench_dashboards` times the nightly snapshot night after night and prints the
dashboards' aggregates, API and pages beside their floors; the snapshot it takes is the one
the dashboards read."""

import io
import re

import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from dashboards.models import IndicatorSnapshot
from dashboards.snapshots import ONE_DAY
from tests.obligations_world import restore_default_rules
from tests.posts_world import NOW

SQL_ROW = r"^{label} +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+x$"
SERVED_ROW = r"^{label} +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+ +[\d.]+x$"


@time_machine.travel(NOW, tick=False)
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BenchDashboardsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        restore_default_rules()
        call_command("seed_demo", schools=4, days=7, password="x", stdout=io.StringIO())

    def test_it_times_each_night_and_prints_each_figure_beside_its_floor(self):
        out = io.StringIO()
        call_command("bench_dashboards", repeat=1, stdout=out)
        output = out.getvalue()
        self.assertIn("bench_dashboards: ", output)
        for night in (
            r"snapshot of the day before \(cold\)",
            r"the next night \(yesterday\)",
            r"taken again \(idempotent\)",
        ):
            with self.subTest(night):
                self.assertRegex(output, re.compile(rf"^{night} +[\d.]+ +[1-9]\d* +\d+$", re.M))
        yesterday = NOW.date() - ONE_DAY
        for day in (yesterday - ONE_DAY, yesterday):
            self.assertTrue(IndicatorSnapshot.objects.filter(date=day).exists())
        self.assertRegex(
            output,
            re.compile(
                SQL_ROW.format(label=r"city: all indicators by district, \d+ schools"), re.M
            ),
        )
        for login in ("city", "district1"):
            for label in (
                "the API's first page",
                "the API, every page of 500",
                "the dashboard page",
            ):
                with self.subTest(login=login, label=label):
                    row = SERVED_ROW.format(label=f"{login}: {re.escape(label)}")
                    self.assertRegex(output, re.compile(row, re.M))

    def test_bad_repeat(self):
        with self.assertRaises(CommandError):
            call_command("bench_dashboards", repeat=0, stdout=io.StringIO())
