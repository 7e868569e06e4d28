"""`manage.py bench_drills` prints the term's compliance beside its SQL floor; compliance and the
district summary are a fixed number of queries whatever the number of schools."""

import io
import re
import shutil
import tempfile

import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from drills.exports import district_summary
from schools.models import ObligationRule, School
from schools.obligation_rates import completion_rates
from tests.factories import SchoolFactory
from tests.obligations_world import restore_default_rules
from tests.posts_world import NOW

ROW = r"^{login} +term compliance by {group} +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+x$"


@time_machine.travel(NOW, tick=False)
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BenchDrillsTests(TestCase):
    @classmethod
    def setUpClass(cls):
        # The seeded emergency plans' documents go to a folder of the class's own.
        cls.media = tempfile.mkdtemp()
        cls.media_settings = override_settings(MEDIA_ROOT=cls.media)
        cls.media_settings.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.media_settings.disable()
        shutil.rmtree(cls.media, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        restore_default_rules()
        call_command("seed_demo", schools=4, days=7, password="x", stdout=io.StringIO())

    def test_it_prints_each_figure_beside_its_floor(self):
        out = io.StringIO()
        call_command("bench_drills", repeat=1, stdout=out)
        output = out.getvalue()
        self.assertIn("bench_drills: ", output)
        for login in ("city", "district1"):
            for group in ("district", "school"):
                with self.subTest(login=login, group=group):
                    self.assertRegex(output, re.compile(ROW.format(login=login, group=group), re.M))
        self.assertRegex(output, re.compile(r"^district summary, \d+ schools +[\d.]+", re.M))

    def test_bad_repeat(self):
        with self.assertRaises(CommandError):
            call_command("bench_drills", repeat=0, stdout=io.StringIO())

    def counts(self):
        city = School.objects.first().district.city
        user = User.objects.get(username="city")
        rules = list(ObligationRule.objects.filter(domain="drills"))
        start = NOW.date().replace(month=9, day=1)
        # The first read of a range materialises its windows (schools/obligation_rates.py);
        # what is pinned is every read after it.
        completion_rates(user, start, NOW.date(), "district", rules=rules)
        with CaptureQueriesContext(connection) as rates:
            completion_rates(user, start, NOW.date(), "district", rules=rules)
        schools = list(School.objects.filter(district__city=city))
        with CaptureQueriesContext(connection) as summary:
            district_summary(schools, NOW.date())
        return len(rates), len(summary)

    def test_compliance_and_the_summary_are_fixed_numbers_of_queries(self):
        # Compliance, once its windows are rows: whether they are (1) and ONE
        # aggregate. The summary: terms (2), due_windows()'s (the schools, rules, overrides,
        # terms (2), school days (3), summary rows) and one aggregate of the drills.
        before = self.counts()
        district = School.objects.first().district
        for _ in range(5):
            SchoolFactory(district=district)
        self.assertEqual(self.counts(), before)
        self.assertEqual(before, (2, 12))
