"""The coordination demo step: meetings at each level with open and done items, the city's
meeting cadence with one district period missed, a handful of factors per district (police
only), legal vice-presidents with a year of activities; deterministic, and undone by
--reset."""

import datetime
from io import StringIO

import time_machine
from django.core.management import call_command
from django.test import TestCase

from coordination import cadence
from coordination.models import ActionItem, Activity, Appointment, Factor, Meeting, MeetingCadence
from reminders.registry import KINDS
from schools.choices import WindowStatus
from tests.obligations_world import restore_default_rules
from tests.photos import temporary_media
from tests.posts_world import NOW

PASSWORD = "demo-Pass-1"


def seed(**options):
    call_command(
        "seed_demo", schools=8, days=14, seed=5, password=PASSWORD, stdout=StringIO(), **options
    )


def made():
    return (
        list(Meeting.objects.order_by("held_on", "title", "level").values_list("level", "held_on")),
        list(Factor.objects.order_by("school__code", "pk").values_list("school__code", "risk")),
        Activity.objects.count(),
    )


@time_machine.travel(NOW, tick=False)
class CoordinationDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        restore_default_rules()

    def setUp(self):
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)

    def test_meetings_factors_and_legal_vice_presidents(self):
        seed()
        levels = set(Meeting.objects.values_list("level", flat=True))
        self.assertEqual(levels, {"city", "district", "school"})
        self.assertTrue(ActionItem.objects.filter(status="done", evidence__isnull=False).exists())
        self.assertTrue(ActionItem.objects.filter(status="open").exists())
        self.assertGreater(Factor.objects.count(), 0)
        self.assertTrue(Factor.objects.filter(shares__isnull=False).exists())
        self.assertGreater(Appointment.objects.count(), 0)
        self.assertGreater(Activity.objects.count(), 0)
        first = made()
        seed(reset=True)
        self.assertEqual(made(), first)

    def test_the_city_s_cadence_with_one_district_period_missed(self):
        seed()
        self.assertEqual(
            set(MeetingCadence.objects.filter(city__isnull=False).values_list("level", "basis")),
            {("city", "quarter"), ("district", "month")},
        )
        this_year = datetime.date(NOW.year, 1, 1), NOW.date()
        plans = cadence.unit_cadences(cadence.all_units(), *this_year, NOW)
        missed = [
            (plan.unit.level, window.first)
            for plan in plans
            for window in plan.windows
            if window.status == WindowStatus.MISSED
        ]
        self.assertEqual(missed, [("district", datetime.date(2026, 10, 1))])
        self.assertTrue(all(plan.held for plan in plans if plan.cadence and plan.cadence.city_id))
        # Its district's staff are reminded of it.
        [due] = {(d.subject, d.due) for d in KINDS["coordination_meeting_missed"].sweep(NOW)}
        self.assertEqual(due[1], "2026-10-01")
        seed(reset=True)
        self.assertEqual(MeetingCadence.objects.filter(city__isnull=False).count(), 2)
