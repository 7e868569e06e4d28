"""`manage.py bench_inspections` writes consistent rounds on a tiny city and prints its timings."""

import io
import re

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from campussafety.templatetags.rates import bar_width, percent, rate_colour
from inspections.management.synthesis import WINDOW_FIELDS
from inspections.models import Answer, Round, Scan
from schools.models import ObligationCompletion, ObligationRule, ObligationWindow, School
from schools.obligations import record_completion
from tests.obligations_world import restore_default_rules
from tests.test_seed_demo_posts import Pinned

FLOORED = [
    *(
        f"API completion by {group}, {span}"
        for span in ("one month", "one year")
        for group in ("district", "school")
    ),
]
# login, request, min, median and max ms, queries, the floor's ms as SQL and served by the
# bare floor view, and the ratio to the served floor.
FLOOR_ROW = r"^{login} +{request} +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+ +[\d.]+x$"
WINDOW_VALUES = (*WINDOW_FIELDS, "excused")


def bench(**options):
    out = io.StringIO()
    call_command("bench_inspections", stdout=out, **options)
    return out.getvalue()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BenchInspectionsTests(Pinned, TestCase):
    @classmethod
    def setUpTestData(cls):
        # The rounds follow the default inspection rules `migrate` made.
        restore_default_rules()
        call_command("seed_demo", schools=3, days=7, password="x", stdout=io.StringIO())

    def test_it_prints_each_request_beside_its_floor_the_answer_and_the_sweeps(self):
        output = bench(repeat=1)
        self.assertIn("bench_inspections: ", output)
        for login, page in (("city", "district"), ("district1", "school")):
            for request in [*FLOORED, f"page completion by {page}, one month"]:
                with self.subTest(login=login, request=request):
                    self.assertRegex(
                        output, re.compile(FLOOR_ROW.format(login=login, request=request), re.M)
                    )
        self.assertRegex(
            output, re.compile(r"^API answer on an open round +[\d.]+ +[\d.]+ +[\d.]+ +\d+$", re.M)
        )
        self.assertRegex(output, re.compile(r"^inspections sweeps|^sweep ", re.M))
        # The timed answer's round is gone again.
        self.assertFalse(Round.objects.filter(status="in_progress").exists())

    def test_synthesize_refuses_a_database_with_rounds_unless_forced(self):
        with self.assertRaisesMessage(CommandError, "--force"):
            bench(synthesize=True, days=3, repeat=1)

    def test_synthesized_rounds_come_with_the_windows_record_completion_writes(self):
        seeded = Round.objects.count()
        output = bench(synthesize=True, force=True, days=10, schools_limit=2, repeat=1)
        self.assertRegex(output, r"Synthesized \d+ rounds, .* for 2 schools over the last 10 ")
        rounds = Round.objects.order_by("pk")[seeded:]
        # Five patrol windows a school day, a few missed, and the days the seed left without
        # a fire patrol.
        self.assertGreater(len(rounds), 2 * 10 * 5 * 0.8)
        self.assertEqual(
            {r.school_id for r in rounds},
            set(School.objects.order_by("pk").values_list("pk", flat=True)[:2]),
        )
        # Both patrols, with scans and answers; every round is counted once.
        self.assertEqual(
            {r.rule.obligation.code for r in rounds}, {"security-patrol", "fire-patrol"}
        )
        self.assertTrue(Scan.objects.filter(round__in=rounds).exists())
        self.assertTrue(Answer.objects.filter(round__in=rounds, checkpoint=None).exists())
        sources = set(ObligationCompletion.objects.values_list("source", flat=True))
        self.assertTrue({f"inspections.round:{r.pk}" for r in rounds} <= sources)
        self.assertTrue(ObligationWindow.objects.filter(status="late").exists())

        # Recording every synthesized completion again changes no window: the
        # summaries equal what record_completion() counts.
        before = set(ObligationWindow.objects.values_list(*WINDOW_VALUES))
        rules = {rule.pk: rule for rule in ObligationRule.objects.all()}
        schools = {school.pk: school for school in School.objects.all()}
        for rule_id, school_id, moment, source in ObligationCompletion.objects.values_list(
            "rule_id", "school_id", "occurred_at", "source"
        ):
            self.assertIsNotNone(
                record_completion(rules[rule_id], schools[school_id], moment, source), source
            )
        self.assertEqual(set(ObligationWindow.objects.values_list(*WINDOW_VALUES)), before)

    def test_bad_arguments_are_refused(self):
        for options, message in [
            ({"repeat": 0}, "--repeat"),
            ({"days": 0}, "--days"),
            ({"schools_limit": 0}, "--schools-limit"),
        ]:
            with self.subTest(options=options), self.assertRaisesMessage(CommandError, message):
                bench(**options)


class BenchInspectionsWithoutDataTests(TestCase):
    def test_it_asks_for_the_demo_first(self):
        with self.assertRaisesMessage(CommandError, "seed_demo"):
            bench()


class RateFiltersTests(TestCase):
    def test_a_row_without_a_rate_shows_no_rate_instead_of_failing(self):
        # The completion page's districts with nothing due yet have no rate row:
        # `rate.rate` reaches the filters as the empty string.
        for missing in (None, ""):
            with self.subTest(missing=missing):
                self.assertEqual(rate_colour(missing), "secondary")
                self.assertEqual(percent(missing), "—")
                self.assertEqual(bar_width(missing), 0)
        self.assertEqual(rate_colour(0.5), "danger")
