"""Each indicator's rule, from evidence: a school missing one proof fails it.

The world: tests/dashboards_world.py on the posts world (today Monday
23 November 2026; "as of" Sunday 22nd, whose last ten school days are 9–20
November).
"""

import datetime

from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from campussafety.indicators import Measure, all_of, declared_indicator, declared_indicators
from dashboards.snapshots import take
from dashboards.values import FOUR_100, resolve_codes, values
from equipment.models import AlarmTest
from posts.models import DailyCoverage, GuardRule
from schools.models import School
from tests.dashboards_world import CHECKED, build_evidence
from tests.factories import SchoolFactory
from tests.posts_world import TODAY, PostsWorldTestCase

AS_OF = TODAY - datetime.timedelta(days=1)


def measures(code, schools=None, as_of=AS_OF):
    schools = School.objects.all() if schools is None else schools
    return declared_indicator(code).compute(schools, as_of)


class IndicatorTests(PostsWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_evidence(cls)

    def met(self, code, as_of=AS_OF):
        return {
            key: measure.met
            for key in ("s1", "s2", "s3")
            if (measure := measures(code, as_of=as_of).get(getattr(self, key).pk))
        }

    def test_the_four_100_are_declared_in_order_with_rule_source_and_evidence(self):
        four = resolve_codes([FOUR_100])
        self.assertEqual(
            four,
            [
                "posts.guards",
                "four100.closed_campus",
                "equipment.alarm_video",
                "posts.peaks_covered",
            ],
        )
        for indicator in declared_indicators():
            with self.subTest(indicator.code):
                self.assertTrue(str(indicator.rule) and indicator.source)
                self.assertIsNotNone(indicator.target)
                url = indicator.evidence(self.s1.pk, AS_OF)
                self.assertTrue(url.startswith("/"), url)

    def test_each_evidence_page_opens_for_the_bureau(self):
        self.client.force_login(self.users["city"])
        for indicator in declared_indicators():
            with self.subTest(indicator.code):
                url = indicator.evidence(self.s1.pk, AS_OF)
                self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_four_100_4_a_school_missing_one_peak_fails(self):
        self.assertEqual(self.met("posts.peaks_covered"), {"s1": True, "s2": False, "s3": False})
        # Today is not judged before the school logs: the same ten days count.
        self.assertEqual(
            self.met("posts.peaks_covered", as_of=TODAY), {"s1": True, "s2": False, "s3": False}
        )

    def test_gate_staffed_reads_the_latest_school_day(self):
        self.assertEqual(self.met("posts.gate_staffed"), {"s1": True, "s2": True, "s3": False})

    def test_four_100_2_closed_campus_needs_the_perimeter_passed_and_the_gate_staffed(self):
        self.assertEqual(
            self.met("inspections.perimeter_passed"), {"s1": True, "s2": False, "s3": False}
        )
        self.assertEqual(self.met("four100.closed_campus"), {"s1": True, "s2": False, "s3": False})
        # Before the perimeter inspection, S1 had none: not met.
        self.assertFalse(
            measures("four100.closed_campus", as_of=datetime.date(2026, 11, 13))[self.s1.pk].met
        )

    def test_a_composite_with_a_part_not_declared_has_no_data(self):
        composite = all_of(
            "test.missing",
            parts=("posts.gate_staffed", "absent.app"),
            name="x",
            rule="x",
            source="x",
        )
        self.assertEqual(composite.compute(School.objects.all(), AS_OF), {})
        self.assertIsNone(composite.meets_target(None))

    def test_four_100_3_alarm_and_video_within_the_period(self):
        self.assertEqual(self.met("equipment.alarm_video"), {"s1": True, "s2": False, "s3": False})
        # Before the test and the check, nothing proved it.
        before = datetime.date(2026, 11, 15)
        self.assertFalse(measures("equipment.alarm_video", as_of=before)[self.s1.pk].met)
        # A test more than 31 days old is out of date.
        AlarmTest.objects.filter(school=self.s1).update(
            pressed_at=CHECKED - datetime.timedelta(days=30), acknowledged_at=None
        )
        self.assertFalse(measures("equipment.alarm_video")[self.s1.pk].met)
        AlarmTest.objects.filter(school=self.s1).update(
            pressed_at=CHECKED - datetime.timedelta(days=30),
            acknowledged_at=CHECKED - datetime.timedelta(days=30),
        )
        self.assertFalse(measures("equipment.alarm_video")[self.s1.pk].met)

    def test_four_100_1_licensed_guards_against_the_region_rule(self):
        # Two licensed guards (the third's certificate expired), 800 pupils: GB/T asks 2.
        self.assertEqual(self.met("posts.guards"), {"s1": True, "s2": True, "s3": True})
        School.objects.filter(pk=self.s1.pk).update(enrolment=1600)
        self.assertFalse(measures("posts.guards")[self.s1.pk].met)  # 3 + 1 per 500 above 1,000
        self.assertTrue(measures("posts.guards_any")[self.s1.pk].met)
        GuardRule.objects.create(city=self.city_a, name="本市", source="test", minimum=2)
        self.assertTrue(measures("posts.guards")[self.s1.pk].met)
        # Neither rule is met without a licensed guard on the roster.
        self.s1.member_assignments.filter(member__kind="security_guard").delete()
        self.assertFalse(measures("posts.guards")[self.s1.pk].met)
        self.assertFalse(measures("posts.guards_any")[self.s1.pk].met)

    def test_the_national_guard_rule_follows_gb_t_29315(self):
        rule = GuardRule.objects.get(city=None)
        cases = [
            ((99, 0, False), 1),
            ((99, 0, True), 2),
            ((800, 60, False), 2),
            ((1000, 0, False), 3),
            ((1499, 0, False), 3),
            ((1500, 0, False), 4),
            ((2600, 0, False), 6),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                self.assertEqual(rule.required(*args), expected)

    def test_coverage_and_qualified_shares(self):
        # Logged without attendance: understaffed, so partly covered, not covered.
        coverage = measures("posts.coverage")
        self.assertEqual(coverage[self.s1.pk].numerator, 0)
        self.assertGreater(coverage[self.s1.pk].denominator, 10)
        DailyCoverage.objects.filter(school=self.s1).update(
            compliant=F("required"), status="covered"
        )
        self.assertEqual(measures("posts.coverage")[self.s1.pk].numerator, 10)
        self.assertEqual(measures("posts.coverage")[self.s3.pk].numerator, 0)
        # Police, auxiliary police and two guards with valid certificates, of seven members.
        self.assertEqual(measures("posts.qualified_registry")[self.s1.pk], Measure(4, 7))

    def test_hazard_counts_are_zero_not_missing(self):
        for code in ("inspections.hazards_open", "inspections.hazards_overdue"):
            with self.subTest(code):
                self.assertEqual(measures(code)[self.s3.pk], Measure(0))
                self.assertTrue(measures(code)[self.s3.pk].met)

    def test_every_indicator_costs_the_same_queries_whatever_the_schools(self):
        schools = School.objects.filter(district__city=self.city_a)
        with CaptureQueriesContext(connection) as few:
            values(schools, as_of=AS_OF)
        for number in range(4):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{number}")
        with CaptureQueriesContext(connection) as many:
            values(schools, as_of=AS_OF)
        self.assertEqual(len(few), len(many))

    def test_a_snapshotted_day_is_one_group_by(self):
        take(AS_OF)
        schools = School.objects.filter(district__city=self.city_a)
        with self.assertNumQueries(2):
            rows = values(schools, [FOUR_100], as_of=AS_OF, group_by="district")
        by = {(row.code, row.label): row for row in rows}
        binzhou = by[("posts.peaks_covered", "滨城区")]
        # S1 met, the kindergarten (no posts) did not.
        self.assertEqual((binzhou.numerator, binzhou.denominator), (1, 2))
        self.assertEqual(binzhou.value, 50.0)
        self.assertFalse(binzhou.meets_target)
        live = values(schools, [FOUR_100], as_of=TODAY, group_by="district")
        self.assertEqual(
            {(row.code, row.key, row.numerator, row.denominator) for row in rows},
            {(row.code, row.key, row.numerator, row.denominator) for row in live},
        )
