"""The drills demo step: a term of drills with gaps, headcounts, one drill that found problems,
emergency plans and training sessions; deterministic, and counted towards the requirements."""

from io import StringIO

import time_machine
from django.core.management import call_command
from django.test import TestCase

from drills.models import ClassHeadcount, Drill, EmergencyPlan, TrainingSession
from drills.models_training import TrainingAttendee
from schools.models import ObligationCompletion, ObligationWindow, School
from schools.obligations import record_completion
from tests.obligations_world import restore_default_rules
from tests.photos import temporary_media
from tests.posts_world import NOW

PASSWORD = "demo-Pass-1"


def seed(**options):
    call_command(
        "seed_demo", schools=8, days=14, seed=5, password=PASSWORD, stdout=StringIO(), **options
    )


def drills_made():
    return list(
        Drill.objects.order_by("school__code", "planned_at", "drill_type").values_list(
            "school__code", "drill_type", "planned_at", "status", "evacuation_seconds"
        )
    )


@time_machine.travel(NOW, tick=False)
class DrillsDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        restore_default_rules()

    def setUp(self):
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)

    def test_a_term_of_drills_with_gaps_plans_and_training(self):
        seed()
        schools = School.objects.count()
        drills = Drill.objects.all()
        self.assertGreater(drills.filter(status="closed").count(), schools)
        # Held and waiting for their evaluation, and planned ahead.
        self.assertTrue(drills.filter(status="held").exists())
        self.assertTrue(drills.filter(status="planned").exists())
        self.assertTrue(ClassHeadcount.objects.filter(missing__gt=0).exists())
        found = drills.exclude(problems_found="").get()
        self.assertTrue(found.plan_must_be_revised)
        self.assertEqual(found.status, "closed")
        self.assertEqual(
            ObligationCompletion.objects.filter(source__startswith="drills.drill:")
            .values("source")
            .distinct()
            .count(),
            drills.filter(status="closed").count(),
        )
        self.assertGreaterEqual(EmergencyPlan.objects.count(), schools * 3)
        with EmergencyPlan.objects.first().document.open() as document:
            self.assertTrue(document.read().startswith(b"%PDF"))
        self.assertTrue(TrainingSession.objects.filter(audience="guards").exists())
        self.assertTrue(TrainingAttendee.objects.exists())
        self.assertTrue(
            ObligationCompletion.objects.filter(
                source__startswith="drills.trainingsession:"
            ).exists()
        )

    def test_the_bulk_rows_are_those_record_completion_keeps(self):
        seed()

        def windows():
            return sorted(
                ObligationWindow.objects.filter(rule__domain="drills").values_list(
                    "rule_id", "school_id", "window_start", "completions", "status", "satisfied_at"
                )
            )

        before = windows()
        self.assertTrue(before)
        # Told again, each completion changes nothing: the same window, the same counts.
        for completion in ObligationCompletion.objects.filter(
            source__startswith="drills."
        ).select_related("rule", "school"):
            record_completion(
                completion.rule, completion.school, completion.occurred_at, completion.source
            )
        self.assertEqual(windows(), before)

    def test_the_same_seed_makes_the_same_drills_and_reset_removes_them(self):
        seed()
        first = drills_made()
        seed(reset=True)
        self.assertEqual(drills_made(), first)
        self.assertEqual(
            ObligationCompletion.objects.filter(source__startswith="drills.").count(),
            ObligationCompletion.objects.filter(source__startswith="drills.")
            .values("rule", "source")
            .distinct()
            .count(),
        )
