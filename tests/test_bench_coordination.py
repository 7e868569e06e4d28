"""`manage.py bench_coordination` prints the meeting cadence and its sweep beside their SQL
floor, and the meeting form's weight, on the demo's data."""

import io
import re

import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from tests.coordination_world import restore_coordination_defaults
from tests.obligations_world import restore_default_rules
from tests.photos import temporary_media
from tests.posts_world import NOW

ROW = r"^{login} +{figure} +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+x$"


@time_machine.travel(NOW, tick=False)
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BenchCoordinationTests(TestCase):
    def setUp(self):
        # The seed's emergency plans and photos go to a folder of the test's own.
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)
        restore_default_rules()
        restore_coordination_defaults()
        call_command("seed_demo", schools=4, days=7, password="x", stdout=io.StringIO())

    def test_it_prints_each_figure_beside_its_floor(self):
        out = io.StringIO()
        call_command("bench_coordination", repeat=1, stdout=out)
        output = out.getvalue()
        self.assertIn("bench_coordination: ", output)
        for login, figure in (
            ("city", "cadence of the year"),
            ("district1", "cadence of the year"),
            (re.escape("(beat)"), "missed-meeting sweep"),
        ):
            with self.subTest(login=login, figure=figure):
                self.assertRegex(output, re.compile(ROW.format(login=login, figure=figure), re.M))
        self.assertRegex(output, re.compile(r"^meeting form \(city\) +[\d.]+ .* \d+$", re.M))

    def test_bad_repeat(self):
        with self.assertRaises(CommandError):
            call_command("bench_coordination", repeat=0, stdout=io.StringIO())
