"""The hazard ledger's demo step and bench_hazards: a ledger in every state, deterministic,
shown by the pages; the benchmark prints each figure beside its floor."""

import io
import re

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from accounts.models import User
from inspections.choices import HazardState
from inspections.models import Hazard, HazardEvent, HazardSequence, SupervisionOrder
from tests.obligations_world import restore_default_rules
from tests.photos import temporary_media
from tests.test_seed_demo_posts import Pinned

FLOORED = (
    "ledger page, open hazards",
    "API hazards, open",
)
# login, request, min, median and max ms, queries, the floor as SQL and served by the
# bare floor view, and the ratio to the served floor.
FLOOR_ROW = r"^{login} +{request} +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+ +[\d.]+x$"
# A function's line: its floor as SQL only, and the ratio to it.
SQL_ROW = r"^{login} +{request} +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+x$"


def seed(**options):
    call_command(
        "seed_demo", schools=6, days=7, seed=3, password="x", stdout=io.StringIO(), **options
    )


def ledger():
    return list(
        Hazard.objects.order_by("school__code", "year", "number").values_list(
            "school__code", "year", "number", "state", "level", "deadline", "recurrence_of__number"
        )
    )


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class HazardDemoTests(Pinned, TestCase):
    def setUp(self):
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)
        restore_default_rules()

    def test_principal1s_ledger_has_every_state_and_the_pages_show_it(self):
        seed()
        principal = User.objects.get(username="principal1")
        school = principal.role_assignments.get().school
        hazards = Hazard.objects.filter(school=school)
        self.assertEqual(set(hazards.values_list("state", flat=True)), set(HazardState.values))
        self.assertTrue(hazards.overdue().exists())
        self.assertTrue(hazards.filter(supervised=True).exists())
        self.assertTrue(hazards.filter(recurrence_of__isnull=False).exists())
        self.assertEqual(
            SupervisionOrder.objects.filter(lifted_at__isnull=True).count(),
            Hazard.objects.filter(supervised=True).count(),
        )
        # Every hazard's last event left it in its state; numbers continue from the sequences.
        for hazard in Hazard.objects.all():
            last = (
                HazardEvent.objects.filter(hazard=hazard)
                .exclude(to_state="")
                .order_by("-at", "-pk")
                .first()
            )
            self.assertEqual(last.to_state, hazard.state)
        for sequence in HazardSequence.objects.all():
            numbers = Hazard.objects.filter(school=sequence.school, year=sequence.year)
            self.assertEqual(numbers.count(), sequence.last)
        self.client.force_login(principal)
        page = self.client.get(reverse("inspections:hazards"), {"school": school.pk})
        self.assertContains(page, "hazard-overdue")
        closed = hazards.filter(state="closed").first()
        self.assertContains(
            self.client.get(reverse("inspections:hazard", args=[closed.pk])),
            "hazard-photo-after",
        )

    def test_the_seed_is_deterministic(self):
        seed()
        first = ledger()
        seed(reset=True)
        self.assertEqual(ledger(), first)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BenchHazardsTests(Pinned, TestCase):
    @classmethod
    def setUpTestData(cls):
        restore_default_rules()
        call_command("seed_demo", schools=3, days=7, password="x", stdout=io.StringIO())

    def test_it_synthesizes_and_prints_each_request_beside_its_floor(self):
        before = Hazard.objects.count()
        out = io.StringIO()
        call_command(
            "bench_hazards", synthesize=True, force=True, per_school=20, repeat=1, stdout=out
        )
        output = out.getvalue()
        self.assertGreater(Hazard.objects.count(), before + 30)
        for login in ("city", "district1"):
            for request in (*FLOORED, "overview by (district|school) with ageing"):
                self.assertRegex(
                    output, re.compile(FLOOR_ROW.format(login=login, request=request), re.M)
                )
            rows = SQL_ROW.format(login=login, request=r"ledger rows, open hazards \(first page\)")
            self.assertRegex(output, re.compile(rows, re.M))
        self.assertRegex(output, r"sweep hazard_overdue, all schools +[\d.]+")

    def test_it_refuses_to_add_to_a_ledger_without_force(self):
        with self.assertRaises(CommandError):
            call_command("bench_hazards", synthesize=True, stdout=io.StringIO())
