"""The rates counted in the database equal the Python computation from the calendar (varied world).

Rules of every kind of basis (school days with slots, boarding nights, every
day, months, terms), overrides for a district and a school, a closure,
completions on time, late and early, an excuse; then the calendar and the
rules change after the windows were materialised, and the rates follow.
"""

import datetime
import random

from schools.choices import Boarding, ExceptionKind
from schools.models import (
    CalendarException,
    ObligationCoverage,
    ObligationOverride,
    ObligationWindow,
    School,
)
from schools.obligation_rates import (
    completion_rates,
    ensure_windows,
    materialise,
    missed_windows,
)
from schools.obligations import due_windows, excuse, record_completion
from tests.factories import SchoolFactory
from tests.obligations_reference import reference_rates
from tests.obligations_world import D, ObligationWorldTestCase, at, make_rule

START, END = D(2026, 9, 14), D(2026, 10, 16)
FIGURES = ("due", "excused", "done", "late", "done_early")
NOWS = (at(D(2026, 10, 16), 23), at(D(2026, 10, 13), 8, 30), at(D(2026, 9, 20), 12))


class DatabaseRatesTests(ObligationWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.boarding = SchoolFactory(
            district=cls.d1, police_station=cls.p1, name="滨州寄宿学校", is_boarding=True
        )
        cls.extra = SchoolFactory(district=cls.d2, police_station=cls.p2, name="沾化第二中学")
        cls.patrol = make_rule(
            "patrol",
            "school_day",
            slots="07:00-08:30, 12:00-13:00, 17:00-19:00",
            grace=datetime.timedelta(minutes=30),
        )
        cls.night = make_rule(
            "night", "boarding_night", slots="20:00-06:00", boarding=Boarding.ONLY, required_count=2
        )
        cls.gate = make_rule("gate", "day", grace=datetime.timedelta(hours=2))
        cls.fire = make_rule("fire-check", "month", grace=datetime.timedelta(days=3))
        cls.sweep = make_rule("sweep", "term", grace=datetime.timedelta(days=14))
        make_rule("kinder-only", "month", school_types=["kindergarten"])
        # District 2 patrols twice a window; the kindergarten has no gate check.
        ObligationOverride.objects.create(rule=cls.patrol, district=cls.d2, required_count=2)
        ObligationOverride.objects.create(rule=cls.gate, school=cls.k1, applies=False)
        CalendarException.objects.create(
            district=cls.d1, date=D(2026, 9, 18), kind=ExceptionKind.CLOSED, reason="台风"
        )
        rng = random.Random(80)
        n = 0
        for school in School.objects.filter(district__city=cls.city_a).order_by("pk"):
            windows = due_windows([school], START, END, domain="tests", now=NOWS[0])
            for window in windows:
                for _ in range(window.required):
                    roll = rng.random()
                    if roll < 0.55:
                        moment = window.start + (window.end - window.start) / 3
                    elif roll < 0.7:
                        moment = window.end + (window.due - window.end) / 2  # late
                    else:
                        continue
                    n += 1
                    record_completion(window.rule, school, moment, f"test:{n}")
        excuse(cls.district1, cls.patrol, [cls.s1], D(2026, 9, 22), D(2026, 9, 23), "停电")
        excuse(cls.district1, cls.gate, [cls.boarding], D(2026, 9, 24), D(2026, 9, 24), "施工")

    def assertRatesAgree(self, start=START, end=END, rules=None):
        for now in NOWS:
            for group_by in ("school", "district", "city", "day"):
                with self.subTest(now=now, group_by=group_by, start=start, end=end):
                    database = {
                        row.key: (row.label, *(getattr(row, name) for name in FIGURES))
                        for row in completion_rates(
                            self.city, start, end, group_by, rules=rules, domain="tests", now=now
                        )
                    }
                    reference = {
                        row.key: (row.label, *(getattr(row, name) for name in FIGURES))
                        for row in reference_rates(
                            self.city, start, end, group_by, rules=rules, domain="tests", now=now
                        )
                    }
                    # The reference also lists groups without a window in the range;
                    # and by day it leaves out the days with nothing due yet, whose
                    # windows done early it counts in their school's row only.
                    reference = {k: v for k, v in reference.items() if any(v[1:])}
                    database = {
                        k: v
                        for k, v in database.items()
                        if any(v[1:]) and (group_by != "day" or v[1])
                    }
                    if now > at(start + datetime.timedelta(days=1)):
                        self.assertTrue(reference)
                    self.assertEqual(database, reference)

    def test_the_database_counts_what_the_calendar_says(self):
        self.assertRatesAgree()
        self.assertRatesAgree(D(2026, 10, 1), D(2026, 10, 9))  # National Day, then work
        self.assertRatesAgree(rules=[self.patrol, self.night])

    def test_the_rates_follow_changes_to_the_calendar_and_the_rules(self):
        ensure_windows(School.objects.all(), START, END)
        self.assertEqual(ObligationCoverage.objects.count(), School.objects.count())
        # A closure entered afterwards over a day that has completions, a
        # working Saturday, a stricter count in district 1 and a rule switched
        # off at one school: each forgets the coverage of the schools it decides.
        CalendarException.objects.create(
            city=self.city_a, date=D(2026, 9, 29), kind=ExceptionKind.CLOSED, reason="停水"
        )
        CalendarException.objects.create(
            school=self.s1, date=D(2026, 9, 19), kind=ExceptionKind.OPEN, reason="补课"
        )
        ObligationOverride.objects.create(rule=self.patrol, district=self.d1, required_count=3)
        ObligationOverride.objects.create(rule=self.fire, school=self.extra, applies=False)
        self.assertFalse(ObligationCoverage.objects.filter(school__district__city=self.city_a))
        self.assertRatesAgree()
        # Windows no longer asked for that have completions stay, out of the
        # rates: the closed day's, the boarders' night before it, and the
        # October fire check of the school the rule no longer applies to.
        kept = ObligationWindow.objects.filter(planned=False)
        self.assertEqual(
            set(kept.values_list("date", flat=True)),
            {D(2026, 9, 28), D(2026, 9, 29), D(2026, 10, 1)},
        )
        self.assertEqual(
            set(kept.filter(date=D(2026, 10, 1)).values_list("school", flat=True)), {self.extra.pk}
        )

    def test_materialising_again_changes_nothing(self):
        first = materialise(School.objects.values_list("pk", flat=True), START, END)
        self.assertGreater(first.get("inserted", 0), 0)
        again = materialise(School.objects.values_list("pk", flat=True), START, END)
        self.assertEqual(again, {"inserted": 0, "updated": 0, "unplanned": 0, "deleted": 0})

    def test_a_window_recorded_meanwhile_is_kept(self):
        """The COPY of new rows meets a row written since they were planned: it goes around it."""
        from schools.obligation_rates import _insert

        row = ObligationWindow.objects.filter(completions__gt=0).first()
        key = (row.rule_id, row.school_id, row.window_start, row.date, row.window_end)
        _insert(
            [
                (*key, row.due_at, row.required),
                (
                    *key[:2],
                    at(D(2027, 3, 1), 7),
                    D(2027, 3, 1),
                    at(D(2027, 3, 1), 9),
                    row.due_at,
                    1,
                ),
            ]
        )
        row.refresh_from_db()
        self.assertGreater(row.completions, 0)
        self.assertTrue(
            ObligationWindow.objects.filter(
                window_start=at(D(2027, 3, 1), 7), completions=0
            ).exists()
        )

    def test_missed_windows_are_those_due_windows_calls_missed(self):
        schools = School.objects.filter(district__city=self.city_a)
        first, last = D(2026, 9, 28), D(2026, 10, 12)
        for now in NOWS[:2]:
            with self.subTest(now=now):
                expected = [
                    (w.rule_id, w.school_id, w.start, w.end, w.due)
                    for w in due_windows(schools, first, last, domain="tests", now=now)
                    if w.status == "missed" and first <= w.date <= last
                ]
                self.assertTrue(expected)
                found = [
                    (w.rule_id, w.school_id, w.start, w.end, w.due)
                    for w in missed_windows(schools, first, last, now, domain="tests")
                ]
                self.assertEqual(found, expected)
