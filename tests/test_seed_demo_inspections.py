"""The inspections demo step: checkpoints and a guard per school, two weeks of patrols, misses."""

from io import StringIO

import time_machine
from django.core.management import call_command
from django.test import TestCase

from accounts.models import User
from inspections.models import Checkpoint, Finding, Round, Scan
from schools.models import ObligationCompletion, ObligationWindow, School
from schools.obligations import record_completion
from tests.obligations_world import restore_default_rules
from tests.posts_world import NOW

PASSWORD = "demo-Pass-1"


@time_machine.travel(NOW, tick=False)
class InspectionsDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # The demo's rounds follow the default inspection rules `migrate` made.
        restore_default_rules()

    def test_checkpoints_guards_and_rounds_with_misses(self):
        call_command("seed_demo", schools=8, days=14, seed=5, password=PASSWORD, stdout=StringIO())
        schools = School.objects.count()
        self.assertEqual(Checkpoint.objects.values("school").distinct().count(), schools)
        guard = User.objects.get(username="guard1")
        self.assertTrue(guard.check_password(PASSWORD))
        rounds = Round.objects.all()
        # Some days have no round: fewer than one a day a school.
        self.assertLess(rounds.count(), schools * 14)
        self.assertGreater(rounds.count(), schools * 10)
        self.assertTrue(rounds.filter(status="incomplete", skipped__isnull=False).exists())
        self.assertTrue(Finding.objects.exists())
        self.assertTrue(Scan.objects.exists())
        # Every round counts towards its window, as a finished round does.
        self.assertEqual(
            ObligationCompletion.objects.filter(source__startswith="inspections.round:").count(),
            rounds.count(),
        )

    def test_the_bulk_completions_are_those_record_completion_keeps(self):
        call_command("seed_demo", schools=4, days=14, seed=5, password=PASSWORD, stdout=StringIO())

        def windows():
            return sorted(
                ObligationWindow.objects.filter(rule__domain="inspections").values_list(
                    "rule_id",
                    "school_id",
                    "window_start",
                    "completions",
                    "on_time",
                    "status",
                    "satisfied_at",
                )
            )

        before = windows()
        self.assertTrue(before)
        # Told again, each round changes nothing: the same window, the same counts.
        for completion in ObligationCompletion.objects.filter(
            source__startswith="inspections.round:"
        ).select_related("rule", "school"):
            record_completion(
                completion.rule, completion.school, completion.occurred_at, completion.source
            )
        self.assertEqual(windows(), before)
