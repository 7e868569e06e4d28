"""`manage.py bench_writes`: its accounts and logs, and the floor its gunicorn serves.

The timed run itself starts gunicorn on the benchmark's database (make bench);
here its parts run on a tiny seeded city in the test database.
"""

import io
import json

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import clear_url_caches

from accounts.models import User
from posts.management.benchserver import FLOOR_PATH
from posts.management.commands.bench_writes import USER_PREFIX, Command
from posts.models import DutyLog
from tests.test_seed_demo_posts import Pinned


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BenchWritesTests(Pinned, TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", schools=4, days=7, password="x", stdout=io.StringIO())

    def test_each_school_account_posts_distinct_logs_of_free_days(self):
        pairs, tokens = Command().prepare(limit=3)
        self.assertEqual(len(pairs), len(set(pairs)))
        schools = {school for school, _period, _day in pairs}
        self.assertEqual(set(tokens), schools)
        self.assertLessEqual(len(schools), 3)
        # The days to log are free, and each account is a safety officer of its school.
        days = {day for _school, _period, day in pairs}
        self.assertFalse(DutyLog.objects.filter(school__in=schools, date__in=days).exists())
        school, period, day = pairs[0]
        response = self.client.post(
            "/api/v1/duty-logs/",
            json.dumps({"post_period": period, "date": day}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {tokens[school]}",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["school"], school)
        # A second run replaces the accounts of the first.
        Command().prepare(limit=3)
        self.assertEqual(User.objects.filter(username__startswith=USER_PREFIX).count(), 3)

    def test_the_floor_inserts_once_per_period_and_day(self):
        command = Command()
        command.create_floor_table()
        self.addCleanup(command.drop_floor_table)
        self.addCleanup(clear_url_caches)
        clear_url_caches()
        body = json.dumps({"post_period": 1, "date": "2026-11-23"})
        with override_settings(ROOT_URLCONF="posts.management.benchserver"):
            first = self.client.post(f"/{FLOOR_PATH}", body, content_type="application/json")
            second = self.client.post(f"/{FLOOR_PATH}", body, content_type="application/json")
            # The site itself is still served beside it.
            self.assertEqual(self.client.get("/health/").status_code, 200)
        self.assertEqual((first.status_code, second.status_code), (201, 409))
