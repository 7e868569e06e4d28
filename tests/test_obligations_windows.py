"""Recurring obligations: windows over the calendar, statuses, completions, overrides, excuses."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schools.models import (
    CalendarException,
    ObligationCompletion,
    ObligationExcuse,
    ObligationOverride,
    ObligationRule,
    ObligationWindow,
    School,
)
from schools.obligations import due_windows, excuse, record_completion, withdraw_completion
from tests.factories import SchoolFactory
from tests.obligations_world import D, ObligationWorldTestCase, at, make_rule

HOUR = datetime.timedelta(hours=1)


def dates(windows):
    return sorted({window.date for window in windows})


class WindowTests(ObligationWorldTestCase):
    def test_school_day_windows_follow_holidays_and_make_up_days(self):
        rule = make_rule("patrol", "school_day", slots="07:00-09:00, 14:00-16:00")
        windows = due_windows([self.s1], D(2026, 9, 28), D(2026, 10, 11), rules=[rule])
        # National Day week is off; Saturday 10 October is worked.
        self.assertEqual(
            dates(windows),
            [D(2026, 9, 28), D(2026, 9, 29), D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9)]
            + [D(2026, 10, 10)],
        )
        self.assertEqual(len(windows), 12)
        first = windows[0]
        self.assertEqual((first.start, first.end), (at(D(2026, 9, 28), 7), at(D(2026, 9, 28), 9)))

    def test_a_closure_removes_the_day(self):
        rule = make_rule("patrol", "school_day")
        CalendarException.objects.create(
            school=self.s1, date=D(2026, 9, 29), kind="closed", reason="暴雨"
        )
        windows = due_windows([self.s1, self.s2], D(2026, 9, 28), D(2026, 9, 30), rules=[rule])
        self.assertEqual(
            dates([w for w in windows if w.school_id == self.s1.pk]),
            [D(2026, 9, 28), D(2026, 9, 30)],
        )
        self.assertEqual(len([w for w in windows if w.school_id == self.s2.pk]), 3)

    def test_boarding_nights_are_the_nights_before_school_days(self):
        self.s2.is_boarding = True
        self.s2.save()
        rule = make_rule("dorm", "boarding_night", slots="21:00-06:00", boarding="only")
        windows = due_windows([self.s1, self.s2], D(2026, 10, 9), D(2026, 10, 12), rules=[rule])
        # Only the boarding school. Friday 9's night comes before a worked
        # Saturday; Saturday 10's before a Sunday off, so none. Thursday 8's
        # night ends on the 9th, in the range.
        self.assertEqual({w.school_id for w in windows}, {self.s2.pk})
        self.assertEqual(
            dates(windows), [D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 11), D(2026, 10, 12)]
        )
        night = windows[1]
        self.assertEqual((night.start, night.end), (at(D(2026, 10, 9), 21), at(D(2026, 10, 10), 6)))

    def test_every_day_ignores_the_calendar(self):
        rule = make_rule("gate", "day")
        windows = due_windows([self.s3], D(2026, 8, 1), D(2026, 8, 3), rules=[rule])
        self.assertEqual(dates(windows), [D(2026, 8, 1), D(2026, 8, 2), D(2026, 8, 3)])

    def test_a_month_without_school_days_asks_for_nothing(self):
        rule = make_rule("fire-check", "month")
        windows = due_windows([self.s1], D(2026, 6, 1), D(2026, 9, 30), rules=[rule])
        self.assertEqual(dates(windows), [D(2026, 6, 1), D(2026, 7, 1), D(2026, 9, 1)])
        july = windows[1]
        self.assertEqual((july.start, july.end), (at(D(2026, 7, 1)), at(D(2026, 8, 1))))

    def test_unless_the_rule_says_otherwise(self):
        rule = make_rule("video", "month", even_without_school_days=True)
        windows = due_windows([self.s1], D(2026, 8, 10), D(2026, 8, 10), rules=[rule])
        self.assertEqual(dates(windows), [D(2026, 8, 1)])

    def test_quarters_terms_and_years(self):
        quarter = make_rule("alarm", "quarter")
        term = make_rule("sweep", "term")
        year = make_rule("drill", "year", required_count=2)
        windows = due_windows(
            [self.s1], D(2026, 6, 15), D(2026, 10, 15), rules=[quarter, term, year]
        )
        by_rule = {
            rule.pk: [(w.start.date(), w.end.date()) for w in windows if w.rule_id == rule.pk]
            for rule in (quarter, term, year)
        }
        # Q3 (July-September) has school days in July and September.
        self.assertEqual(
            by_rule[quarter.pk],
            [
                (D(2026, 4, 1), D(2026, 7, 1)),
                (D(2026, 7, 1), D(2026, 10, 1)),
                (D(2026, 10, 1), D(2027, 1, 1)),
            ],
        )
        self.assertEqual(
            by_rule[term.pk], [(D(2026, 2, 24), D(2026, 7, 4)), (D(2026, 9, 1), D(2027, 1, 23))]
        )
        self.assertEqual(by_rule[year.pk], [(D(2026, 1, 1), D(2027, 1, 1))])
        self.assertEqual([w.required for w in windows if w.rule_id == year.pk], [2])

    def test_a_school_without_terms_has_no_term_or_school_day_windows(self):
        rule = make_rule("sweep", "term")
        self.assertEqual(due_windows([self.s3], D(2026, 9, 1), D(2026, 12, 31), rules=[rule]), [])

    def test_who_a_rule_applies_to(self):
        make_rule("kg-only", "day", school_types=["kindergarten"])
        make_rule("large", "day", size_bands=["large"])
        big = SchoolFactory(district=self.d1, police_station=self.p1, enrolment=2000)
        windows = due_windows([self.s1, self.k1, big], D(2026, 9, 1), D(2026, 9, 1), domain="tests")
        applied = {(w.rule.code, w.school_id) for w in windows}
        # S1 (860 people) is a small school; K1 (as many) a large kindergarten.
        self.assertEqual(
            applied, {("kg-only", self.k1.pk), ("large", big.pk), ("large", self.k1.pk)}
        )

    def test_a_city_rule_replaces_the_national_one_with_the_same_code(self):
        # City B has no terms: the national rule asks even so.
        make_rule("fire-check", "month", even_without_school_days=True)
        own = make_rule("fire-check", "quarter", city=self.city_a)
        windows = due_windows([self.s1, self.s3], D(2026, 9, 1), D(2026, 9, 30), domain="tests")
        by_school = {w.school_id: w.rule for w in windows}
        self.assertEqual(by_school[self.s1.pk], own)
        self.assertEqual(by_school[self.s3.pk].basis, "month")

    def test_overrides_by_district_and_school(self):
        rule = make_rule("patrol", "school_day", slots="07:00-09:00")
        ObligationOverride.objects.create(rule=rule, district=self.d1, required_count=3)
        ObligationOverride.objects.create(
            rule=rule, school=self.s1, slots="06:30-08:00, 17:00-18:00"
        )
        ObligationOverride.objects.create(rule=rule, school=self.s2, applies=False)
        windows = due_windows(
            [self.s1, self.s2, self.k1], D(2026, 9, 28), D(2026, 9, 28), rules=[rule]
        )
        s1 = [w for w in windows if w.school_id == self.s1.pk]
        self.assertEqual([(w.start.hour, w.required) for w in s1], [(6, 3), (17, 3)])
        self.assertEqual([w.required for w in windows if w.school_id == self.k1.pk], [3])
        self.assertFalse([w for w in windows if w.school_id == self.s2.pk])

    def test_bad_slots_are_refused_with_a_message(self):
        rule = ObligationRule(code="x", domain="t", name="x", basis="day", source="s", slots="7-9")
        with self.assertRaises(ValidationError) as caught:
            rule.full_clean()
        self.assertIn("slots", caught.exception.message_dict)

    def test_windows_of_many_schools_cost_a_handful_of_queries(self):
        make_rule("patrol", "school_day", slots="07:00-09:00, 14:00-16:00")
        make_rule("fire-check", "month")
        make_rule("sweep", "term")
        for _ in range(20):
            SchoolFactory(district=self.d2, police_station=self.p2)
        with CaptureQueriesContext(connection) as few:
            due_windows([self.s1], D(2026, 9, 1), D(2026, 11, 30), domain="tests")
        with self.assertNumQueries(len(few)):
            # 1 the schools' facts, 2 the rules, 3 the overrides, 4-5 the schools
            # and terms for term windows, 6-8 the schools, terms and exceptions
            # for school days, 9 the summary rows.
            windows = due_windows(
                School.objects.all(), D(2026, 9, 1), D(2026, 11, 30), domain="tests"
            )
        self.assertEqual(len(few), 9)
        self.assertGreater(len(windows), 20 * 100)


class StatusTests(ObligationWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.rule = make_rule(
            "patrol",
            "school_day",
            slots="07:00-09:00, 14:00-16:00",
            grace=datetime.timedelta(hours=1),
        )

    def statuses(self, now, day=None):
        day = day or D(2026, 9, 28)
        return [w.status for w in due_windows([self.s1], day, day, rules=[self.rule], now=now)]

    def test_upcoming_open_and_missed_by_the_clock(self):
        day = D(2026, 9, 28)
        self.assertEqual(self.statuses(at(day, 6)), ["upcoming", "upcoming"])
        self.assertEqual(self.statuses(at(day, 8)), ["open", "upcoming"])
        # Within the grace period after the end, still open.
        self.assertEqual(self.statuses(at(day, 9, 30)), ["open", "upcoming"])
        self.assertEqual(self.statuses(at(day, 10)), ["missed", "upcoming"])

    def test_done_late_and_outside_every_window(self):
        day = D(2026, 9, 28)
        record_completion(self.rule, self.s1, at(day, 8), "round:1")
        row = record_completion(self.rule, self.s1, at(day, 16, 30), "round:2")
        self.assertEqual(row.status, "late")
        self.assertIsNone(record_completion(self.rule, self.s1, at(day, 20), "round:3"))
        self.assertEqual(self.statuses(at(day, 23)), ["done", "late"])
        self.assertEqual(ObligationCompletion.objects.count(), 2)

    def test_a_window_needing_two_is_open_after_one(self):
        ObligationOverride.objects.create(rule=self.rule, school=self.s1, required_count=2)
        day = D(2026, 9, 28)
        row = record_completion(self.rule, self.s1, at(day, 7, 10), "round:1")
        self.assertEqual((row.status, row.completions), ("partial", 1))
        self.assertEqual(self.statuses(at(day, 8))[0], "open")
        self.assertEqual(self.statuses(at(day, 12))[0], "missed")
        row = record_completion(self.rule, self.s1, at(day, 8, 50), "round:2")
        self.assertEqual((row.status, row.satisfied_at), ("done", at(day, 8, 50)))

    def test_recording_is_idempotent_and_follows_a_corrected_time(self):
        day = D(2026, 9, 28)
        record_completion(self.rule, self.s1, at(day, 8), "round:1")
        record_completion(self.rule, self.s1, at(day, 8), "round:1")
        self.assertEqual(ObligationWindow.objects.get().completions, 1)
        # The record's time was corrected to the afternoon: it moves.
        record_completion(self.rule, self.s1, at(day, 15), "round:1")
        [row] = ObligationWindow.objects.all()
        self.assertEqual(row.window_start, at(day, 14))
        self.assertEqual(self.statuses(at(day, 23)), ["missed", "done"])

    def test_withdrawing_reopens_the_window(self):
        day = D(2026, 9, 28)
        record_completion(self.rule, self.s1, at(day, 8), "round:1")
        withdraw_completion(self.rule, "round:1")
        self.assertFalse(ObligationWindow.objects.exists())
        self.assertEqual(self.statuses(at(day, 8, 30))[0], "open")

    def test_recording_a_completion_costs_a_fixed_number_of_queries(self):
        day = D(2026, 9, 28)
        with self.assertNumQueries(13):
            # 1 the school's facts, 2 its overrides (the rule is given), 3-5
            # its calendar (school, terms, exceptions); 6 savepoint; 7 insert
            # the completion unless it exists; 8 lock it; 9 insert the window's
            # row unless it exists; 10 lock it; 11 its completions; 12 save it;
            # 13 release the savepoint.
            record_completion(self.rule, self.s1, at(day, 8), "round:1")


class ExcuseTests(ObligationWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.rule = make_rule("patrol", "school_day", slots="07:00-09:00, 14:00-16:00")

    def test_bureau_staff_excuse_a_day_with_a_reason(self):
        day = D(2026, 9, 28)
        record_completion(self.rule, self.s1, at(day, 8), "round:1")
        count = excuse(self.district1, self.rule, [self.s1], day, day, "停水停电，全校停课")
        self.assertEqual(count, 2)
        statuses = [
            w.status for w in due_windows([self.s1], day, day, rules=[self.rule], now=at(day, 23))
        ]
        # What was done stays done; the rest is excused, not missed.
        self.assertEqual(statuses, ["done", "excused"])
        record = ObligationExcuse.objects.first()
        self.assertEqual((record.excused_by, record.reason), (self.district1, "停水停电，全校停课"))
        # Excusing again changes nothing.
        excuse(self.district1, self.rule, [self.s1], day, day, "again")
        self.assertEqual(ObligationExcuse.objects.count(), 2)

    def test_only_bureau_staff_within_their_area(self):
        day = D(2026, 9, 28)
        for persona, school in (("principal1", self.s1), ("district2", self.s1), ("city", self.s3)):
            with self.subTest(persona=persona), self.assertRaises(PermissionDenied):
                excuse(self.users[persona], self.rule, [school], day, day, "closure")
        # One school outside the area refuses the whole request.
        with self.assertRaises(PermissionDenied):
            excuse(self.district1, self.rule, [self.s1, self.s2], day, day, "closure")
        self.assertFalse(ObligationExcuse.objects.exists())
        excuse(self.city, self.rule, [self.s1, self.s2], day, day, "closure")
        self.assertEqual(ObligationExcuse.objects.count(), 4)

    def test_a_reason_is_required(self):
        day = D(2026, 9, 28)
        with self.assertRaises(ValidationError):
            excuse(self.district1, self.rule, [self.s1], day, day, "  ")


class RuleScopeTests(ObligationWorldTestCase):
    def test_national_rules_are_seen_by_all_changed_by_none_but_admin(self):
        national = make_rule("fire-check", "month")
        own = make_rule("fire-check", "quarter", city=self.city_a)
        other = make_rule("fire-check", "quarter", city=self.city_b)
        for persona in ("principal1", "police1", "district1", "city"):
            visible = set(ObligationRule.objects.for_user(self.users[persona]))
            self.assertEqual(visible, {national, own}, persona)
        self.assertEqual(set(ObligationRule.objects.for_user(self.city, "change")), {own})
        self.assertFalse(ObligationRule.objects.for_user(self.district1, "change").exists())
        self.assertFalse(ObligationRule.objects.for_user(self.outsider).exists())
        self.assertIn(other, ObligationRule.objects.for_user(self.admin, "change"))
