"""The school calendar: working days, terms, exceptions and years the package does not know."""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.calendar import holiday_data_known, is_school_day, is_working_day, school_days
from schools.holidays import swapped_weekday
from schools.models import CalendarException, Term
from tests.base import WorldTestCase
from tests.factories import SchoolFactory

D = datetime.date


class CalendarTests(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # City A's autumn term 2026 for everyone; a later start for D2's kindergartens.
        Term.objects.create(
            city=cls.city_a, name="2026 秋季学期", start_date=D(2026, 9, 1), end_date=D(2027, 1, 22)
        )
        Term.objects.create(
            city=cls.city_a,
            name="2026 春季学期",
            start_date=D(2026, 2, 24),
            end_date=D(2026, 7, 3),
            audience="schools",
        )
        Term.objects.create(
            district=cls.d1,
            name="幼儿园春季学期",
            start_date=D(2026, 3, 2),
            end_date=D(2026, 7, 17),
            audience="kindergartens",
        )

    def test_an_ordinary_weekday_in_term_is_a_school_day(self):
        self.assertTrue(is_school_day(self.s1, D(2026, 11, 23)))  # a Monday

    def test_the_answer_is_cached_until_the_calendar_changes(self):
        monday = D(2026, 11, 23)
        self.assertTrue(is_school_day(self.s1, monday))
        with self.assertNumQueries(0):
            self.assertTrue(is_school_day(self.s1.pk, monday))
        # Any term, exception or school saved or deleted forgets every answer.
        closure = CalendarException.objects.create(
            district=self.d1, date=monday, kind="closed", reason="暴雨"
        )
        self.assertFalse(is_school_day(self.s1, monday))
        closure.delete()
        self.assertTrue(is_school_day(self.s1, monday))
        term = Term.objects.get(name="2026 秋季学期")
        term.end_date = D(2026, 11, 20)
        term.save()
        self.assertFalse(is_school_day(self.s1, monday))

    def test_a_weekend_is_not(self):
        self.assertFalse(is_school_day(self.s1, D(2026, 11, 22)))  # a Sunday

    def test_a_make_up_working_saturday_is_a_school_day(self):
        # 2026-10-10 is a Saturday worked in exchange for the National Day holiday.
        self.assertEqual(D(2026, 10, 10).weekday(), 5)
        self.assertTrue(is_working_day(D(2026, 10, 10)))
        self.assertTrue(is_school_day(self.s1, D(2026, 10, 10)))

    def test_a_public_holiday_on_a_weekday_is_not(self):
        # 2026-10-01 (National Day) is a Thursday.
        self.assertEqual(D(2026, 10, 1).weekday(), 3)
        self.assertFalse(is_school_day(self.s1, D(2026, 10, 1)))

    def test_a_vacation_day_is_not(self):
        # A Wednesday in the summer vacation between the two terms.
        self.assertTrue(is_working_day(D(2026, 8, 12)))
        self.assertFalse(is_school_day(self.s1, D(2026, 8, 12)))

    def test_a_school_outside_any_term_has_no_school_days(self):
        # City B has no terms at all.
        self.assertEqual(school_days([self.s3], D(2026, 11, 1), D(2026, 11, 30)), {self.s3.pk: ()})

    def test_kindergartens_keep_their_own_terms(self):
        # 2026-02-26: schools are back (term from 24 Feb), kindergartens not (from 2 Mar).
        self.assertTrue(is_school_day(self.s1, D(2026, 2, 26)))
        self.assertFalse(is_school_day(self.k1, D(2026, 2, 26)))
        # 2026-07-10: schools are on holiday, D1's kindergartens are still in term.
        self.assertFalse(is_school_day(self.s1, D(2026, 7, 10)))
        self.assertTrue(is_school_day(self.k1, D(2026, 7, 10)))
        # The "all" autumn term covers kindergartens too.
        self.assertTrue(is_school_day(self.k1, D(2026, 11, 23)))

    def test_a_city_closure_applies_to_every_school_in_the_city(self):
        CalendarException.objects.create(
            city=self.city_a, date=D(2026, 12, 2), kind="closed", reason="暴雪红色预警"
        )
        self.assertFalse(is_school_day(self.s1, D(2026, 12, 2)))
        self.assertFalse(is_school_day(self.s2, D(2026, 12, 2)))

    def test_a_district_closure_leaves_other_districts_open(self):
        CalendarException.objects.create(
            district=self.d1, date=D(2026, 12, 2), kind="closed", reason="暴雨"
        )
        self.assertFalse(is_school_day(self.s1, D(2026, 12, 2)))
        self.assertTrue(is_school_day(self.s2, D(2026, 12, 2)))

    def test_the_most_specific_exception_wins(self):
        CalendarException.objects.create(
            city=self.city_a, date=D(2026, 12, 2), kind="closed", reason="暴雪"
        )
        CalendarException.objects.create(
            school=self.s1, date=D(2026, 12, 2), kind="open", reason="寄宿生留校上课"
        )
        self.assertTrue(is_school_day(self.s1, D(2026, 12, 2)))
        self.assertFalse(is_school_day(self.s2, D(2026, 12, 2)))

    def test_a_district_exception_overrides_its_citys_either_way(self):
        # The city closes Wednesday 2 December; D1 keeps its schools open.
        CalendarException.objects.create(
            city=self.city_a, date=D(2026, 12, 2), kind="closed", reason="暴雪"
        )
        CalendarException.objects.create(
            district=self.d1, date=D(2026, 12, 2), kind="open", reason="本区未降雪"
        )
        # The city opens Sunday 29 November; D1 stays closed.
        CalendarException.objects.create(
            city=self.city_a, date=D(2026, 11, 29), kind="open", reason="全市补课"
        )
        CalendarException.objects.create(
            district=self.d1, date=D(2026, 11, 29), kind="closed", reason="本区停课"
        )
        days = school_days([self.s1, self.s2], D(2026, 11, 29), D(2026, 12, 2))
        self.assertIn(D(2026, 12, 2), days[self.s1.pk])
        self.assertNotIn(D(2026, 12, 2), days[self.s2.pk])
        self.assertNotIn(D(2026, 11, 29), days[self.s1.pk])
        self.assertIn(D(2026, 11, 29), days[self.s2.pk])

    def test_an_extra_school_day_on_a_sunday(self):
        CalendarException.objects.create(
            district=self.d2, date=D(2026, 11, 29), kind="open", reason="运动会补课"
        )
        self.assertTrue(is_school_day(self.s2, D(2026, 11, 29)))
        self.assertFalse(is_school_day(self.s1, D(2026, 11, 29)))

    def test_a_year_the_package_does_not_know_falls_back_to_weekdays(self):
        # The holiday package (1.11) stops at 2026; the term runs into January 2027.
        self.assertFalse(holiday_data_known(2027))
        self.assertTrue(holiday_data_known(2026))
        # 2027-01-01 is a Friday: a holiday in practice, but unknown to the package,
        # so it counts as a school day until bureau staff enter the holiday.
        self.assertTrue(is_school_day(self.s1, D(2027, 1, 1)))
        self.assertFalse(is_school_day(self.s1, D(2027, 1, 2)))  # Saturday
        CalendarException.objects.create(
            city=self.city_a, date=D(2027, 1, 1), kind="closed", reason="元旦"
        )
        self.assertFalse(is_school_day(self.s1, D(2027, 1, 1)))

    def test_school_days_over_a_range(self):
        days = school_days([self.s1], D(2026, 9, 28), D(2026, 10, 11))[self.s1.pk]
        # 28-30 Sep are weekdays; 1-7 Oct the National Day holiday; 8-9 Oct
        # Thursday and Friday; 10 Oct a make-up Saturday; 11 Oct Sunday.
        self.assertEqual(
            days,
            (
                D(2026, 9, 28),
                D(2026, 9, 29),
                D(2026, 9, 30),
                D(2026, 10, 8),
                D(2026, 10, 9),
                D(2026, 10, 10),
            ),
        )

    def test_an_empty_range(self):
        self.assertEqual(school_days([self.s1], D(2026, 10, 2), D(2026, 10, 1)), {})

    def test_many_schools_cost_three_queries(self):
        for _ in range(30):
            SchoolFactory(district=self.d2, police_station=self.p2)
        with CaptureQueriesContext(connection) as queries:
            result = school_days(type(self.s1).objects.all(), D(2026, 9, 1), D(2027, 1, 22))
        # 1. the schools, 2. the terms, 3. the exceptions.
        self.assertEqual(len(queries), 3)
        self.assertEqual(len(result), 34)
        self.assertEqual(result[self.s1.pk], result[self.s2.pk])


class MakeUpDayTests(WorldTestCase):
    """The weekday an official make-up working day follows, by default from the calendar."""

    def test_the_swapped_weekday_where_the_calendar_tells_it(self):
        # Labour Day 2026: Tuesday 5 May off, Saturday 9 May worked.
        self.assertEqual(swapped_weekday(D(2026, 5, 9)), 1)
        # New Year 2026: Friday 2 January off, Sunday 4 January worked.
        self.assertEqual(swapped_weekday(D(2026, 1, 4)), 4)
        # National Day 2026: a Tuesday and a Wednesday off, two weekend days worked:
        # which pays for which is not published.
        self.assertIsNone(swapped_weekday(D(2026, 10, 10)))
        # An ordinary Saturday and a weekday are no make-up days.
        self.assertIsNone(swapped_weekday(D(2026, 11, 28)))
        self.assertIsNone(swapped_weekday(D(2026, 5, 8)))

    def test_an_exception_defaults_to_it_and_bureau_staff_may_choose(self):
        exception = CalendarException(
            city=self.city_a, date=D(2026, 5, 9), kind="open", reason="调休"
        )
        exception.full_clean()
        exception.save()
        self.assertEqual(exception.follows_weekday, 1)
        exception.follows_weekday = 3
        exception.full_clean()
        exception.save()
        exception.refresh_from_db()
        self.assertEqual(exception.follows_weekday, 3)
        closure = CalendarException(
            city=self.city_a, date=D(2026, 5, 8), kind="closed", reason="暴雨", follows_weekday=1
        )
        with self.assertRaises(ValidationError) as raised:
            closure.full_clean()
        self.assertIn("follows_weekday", raised.exception.message_dict)

    def test_the_api_takes_and_gives_the_weekday(self):
        response = self.api("city").post(
            "/api/v1/calendar-exceptions/",
            {"city": self.city_a.pk, "date": "2026-01-04", "kind": "open", "reason": "调休"},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["follows_weekday"], 4)
        response = self.api("city").post(
            "/api/v1/calendar-exceptions/",
            {
                "city": self.city_a.pk,
                "date": "2026-05-08",
                "kind": "closed",
                "reason": "暴雨",
                "follows_weekday": 2,
            },
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("follows_weekday", response.json())

    def test_bureau_staff_choose_it_on_the_exception_form(self):
        self.client.force_login(self.users["city"])
        page = self.client.get(reverse("schools:calendar"))
        self.assertContains(page, 'name="follows_weekday"')
        self.client.post(
            reverse("schools:exception-add"),
            {
                "date": "2026-11-28",
                "kind": "open",
                "follows_weekday": "2",
                "reason": "调休",
                "city": self.city_a.pk,
            },
        )
        exception = CalendarException.objects.get(city=self.city_a, date=D(2026, 11, 28))
        self.assertEqual(exception.follows_weekday, 2)
