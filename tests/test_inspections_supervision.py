"""Supervision visits: the reproducible 双随机 draw, the visit's round, its score, rankings."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from accounts.scope import OutOfScope, write_in_scope
from inspections import services
from inspections.choices import CheckpointKind, RoundStatus
from inspections.models import Checkpoint, SupervisionDraw, SupervisionVisit
from inspections.supervision import district_averages, draw, ranking, replay, start_visit
from tests.obligations_world import D, ObligationWorldTestCase, at

NOW = at(D(2026, 11, 25), 9)


class SupervisionTests(ObligationWorldTestCase):
    keep_default_rules = True
    multi_role_personas = True

    def draw_d1(self, persona="district1", count=2, seed=7):
        user = self.users[persona]
        return write_in_scope(user, "add", lambda: draw(user, self.d1, "2026-autumn", count, seed))

    def visit(self, visit, points):
        """The drawn inspector visits and gives each scored item its points, in order."""
        round_ = start_visit(visit.inspector, visit, now=NOW)
        for item, value in zip(round_.version.items.all(), points, strict=False):
            services.answer(round_, item, number=value, now=NOW)
        return services.finish(round_, now=NOW)

    def test_the_draw_is_recorded_and_reproducible(self):
        made = self.draw_d1()
        self.assertEqual(
            (made.seed, made.drawn_by, made.schools_asked), (7, self.users["district1"], 2)
        )
        pairs = sorted(made.visits.values_list("school_id", "inspector_id"))
        # Only the district's own schools and staff are drawn from.
        self.assertEqual(set(made.candidates["schools"]), {self.s1.pk, self.k1.pk})
        self.assertTrue(
            set(made.candidates["inspectors"])
            <= {self.users["district1"].pk, self.users["district1_principal2"].pk}
        )
        replayed = replay(7, made.candidates["schools"], made.candidates["inspectors"], 2)
        self.assertEqual(sorted(replayed), pairs)

    def test_a_repeated_draw_for_the_period_is_the_first(self):
        first = self.draw_d1(seed=7)
        again = self.draw_d1(persona="district1_principal2", seed=99, count=1)
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(SupervisionDraw.objects.count(), 1)
        self.assertEqual(SupervisionVisit.objects.count(), 2)

    def test_only_the_districts_bureau_may_draw(self):
        for persona in ("district2", "principal1", "police1"):
            with self.subTest(persona=persona), self.assertRaises(OutOfScope):
                self.draw_d1(persona=persona)
        self.assertFalse(SupervisionDraw.objects.exists())

    def test_bad_counts_are_refused(self):
        for count in (0, 1000):
            with self.subTest(count=count), self.assertRaises(ValidationError):
                self.draw_d1(count=count)
        self.assertFalse(SupervisionDraw.objects.exists())

    def test_only_the_drawn_inspector_starts_the_visit(self):
        visit = self.draw_d1().visits.first()
        other = self.users["city"]
        with self.assertRaises(ValidationError):
            start_visit(other, visit, now=NOW)
        round_ = start_visit(visit.inspector, visit, now=NOW)
        self.assertEqual(round_.rule.obligation.code, "supervision-visit")
        # Starting again goes back to the same round.
        self.assertEqual(start_visit(visit.inspector, visit, now=NOW).pk, round_.pk)

    def test_a_visit_walks_no_checkpoint_and_is_complete(self):
        visit = self.draw_d1().visits.first()
        # The school's patrol checkpoints are a guard's round, not the bureau's visit.
        Checkpoint.objects.create(school=visit.school, name="南门", kind=CheckpointKind.GATE)
        round_ = self.visit(visit, [Decimal(1)] * 50)
        self.assertEqual(round_.status, RoundStatus.COMPLETE)
        self.assertFalse(round_.skipped.exists())

    def test_score_ranking_and_district_averages(self):
        first, second = self.draw_d1().visits.order_by("school__name")
        self.visit(first, [10, 10, 20, 15, 15, 15, 15])
        self.visit(second, [5, 5, 10, 10, 10, 10, 10])
        visits = SupervisionVisit.objects.for_user(self.users["district1"])
        # One query: the finished visits with their schools, inspectors and scores.
        with self.assertNumQueries(1):
            rows = [(v.school_id, v.score) for v in ranking(visits)]
        self.assertEqual(rows, [(first.school_id, Decimal(100)), (second.school_id, Decimal(60))])
        city_visits = SupervisionVisit.objects.for_user(self.users["city"])
        # One query: each district's visits and average.
        with self.assertNumQueries(1):
            averages = list(district_averages(city_visits))
        self.assertEqual(len(averages), 1)
        self.assertEqual((averages[0]["visited"], averages[0]["average"]), (2, Decimal(80)))
        # Another district's staff see nothing of it.
        self.assertFalse(ranking(SupervisionVisit.objects.for_user(self.users["district2"])))
