"""Completion rates from the window summary: equal to a recount, scoped, at fixed query counts."""

import datetime
import random
import threading
from collections import Counter

from django.db import connection, connections
from django.test import TransactionTestCase, skipUnlessDBFeature

from schools.models import ObligationCompletion, ObligationWindow, School, Term
from schools.obligation_rates import completion_rates
from schools.obligations import due_windows, excuse, record_completion
from tests.base import World
from tests.factories import SchoolFactory
from tests.obligations_world import D, ObligationWorldTestCase, at, make_rule

START, END = D(2026, 9, 28), D(2026, 10, 9)
NOW = at(END, 23)


class RateTests(ObligationWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.patrol = make_rule(
            "patrol",
            "school_day",
            slots="07:00-09:00, 14:00-16:00",
            grace=datetime.timedelta(hours=1),
        )
        cls.fire = make_rule("fire-check", "month")
        rng = random.Random(8)
        n = 0
        for school in (cls.s1, cls.s2, cls.k1):
            for window in due_windows([school], START, END, domain="tests", now=NOW):
                roll = rng.random()
                if roll < 0.5:
                    moment = window.start + (window.end - window.start) / 2
                elif roll < 0.7:
                    moment = window.end + datetime.timedelta(minutes=30)  # late
                else:
                    continue
                n += 1
                record_completion(window.rule, school, moment, f"test:{n}")
        excuse(cls.district1, cls.patrol, [cls.s1], D(2026, 9, 30), D(2026, 9, 30), "停电")

    def recount(self, key):
        """The same figures by walking every window's status: what the summary must equal."""
        schools = School.objects.filter(district__city=self.city_a)
        counts = Counter()
        for window in due_windows(schools, START, END, domain="tests", now=NOW):
            school = School.objects.get(pk=window.school_id)
            group = {
                "school": school.pk,
                "district": school.district_id,
                "day": window.date,
            }[key]
            counts[(group, window.status)] += 1
        return counts

    def test_rates_equal_a_recount(self):
        for group_by in ("school", "district", "day"):
            expected = self.recount(group_by)
            rows = completion_rates(self.city, START, END, group_by=group_by, now=NOW)
            self.assertTrue(rows)
            for row in rows:
                with self.subTest(group_by=group_by, key=row.key):
                    self.assertEqual(row.done, expected[(row.key, "done")])
                    self.assertEqual(row.late, expected[(row.key, "late")])
                    self.assertEqual(row.missed, expected[(row.key, "missed")])
                    self.assertEqual(
                        row.counted,
                        sum(expected[(row.key, s)] for s in ("done", "late", "missed")),
                    )

    def test_by_city_and_the_rate(self):
        [row] = completion_rates(self.city, START, END, group_by="city", now=NOW)
        self.assertEqual(row.label, self.city_a.name)
        self.assertEqual(row.excused, 1)  # S1's afternoon of the 30th; its morning was done
        self.assertAlmostEqual(row.rate, (row.done + row.late) / row.counted, places=4)

    def test_scope_limits_the_rows(self):
        rows = completion_rates(self.principal2, START, END, now=NOW)
        self.assertEqual([row.key for row in rows], [self.s2.pk])
        self.assertEqual(completion_rates(self.outsider, START, END, now=NOW), [])

    def test_windows_not_yet_due_count_only_once_done(self):
        now = at(D(2026, 10, 9), 8)  # S1's Friday-morning window is open
        day = D(2026, 10, 9)
        ObligationCompletion.objects.filter(school=self.s1, occurred_at__date=day).delete()
        ObligationWindow.objects.filter(school=self.s1, date=day).delete()
        record_completion(self.patrol, self.s1, at(day, 7, 30), "early")
        [row] = completion_rates(self.principal1, day, day, rules=[self.patrol], now=now)
        self.assertEqual((row.due, row.missed), (0, 0))
        self.assertEqual((row.done, row.done_early, row.counted, row.rate), (1, 1, 1, 1.0))

    def test_the_aggregate_costs_a_fixed_number_of_queries(self):
        for _ in range(15):
            SchoolFactory(district=self.d2, police_station=self.p2)
        city = type(self.city).objects.get(pk=self.city.pk)  # no scope cached yet
        # PostgreSQL's COPY of the new rows goes round Django's query log.
        with self.assertNumQueries(16 if connection.vendor == "postgresql" else 17):
            # The first read materialises the range: 1 the user's role
            # assignments; 2 the schools lacking coverage; savepoint; 4 the
            # facts of the schools; 5 the rules; 6 the overrides; 7-9 the
            # school days (schools, terms, exceptions); 10 the rows already
            # there; 11-13 the inserts (in a savepoint); 14-15 the coverage;
            # savepoint; 17 the ONE aggregate over the window rows.
            completion_rates(city, START, END, group_by="district", now=NOW)
        for _ in range(15):
            SchoolFactory(district=self.d1, police_station=self.p1)
        city = type(self.city).objects.get(pk=self.city.pk)
        completion_rates(city, START, END, group_by="district", now=NOW)
        with self.assertNumQueries(2):
            # Once materialised, with the user's scope known: 1 the schools
            # lacking coverage (none); 2 the aggregate.
            completion_rates(city, START, END, group_by="school", now=NOW)


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentCompletionTests(TransactionTestCase):
    """Two phones finish rounds of the same window at the same instant (PostgreSQL)."""

    def setUp(self):
        World.build(self)
        Term.objects.create(
            city=self.city_a, name="秋季学期", start_date=D(2026, 9, 1), end_date=D(2027, 1, 22)
        )
        self.rule = make_rule("patrol", "school_day", slots="07:00-09:00", required_count=2)

    def test_both_count(self):
        barrier = threading.Barrier(2)
        errors = []

        def finish(n):
            try:
                barrier.wait()
                record_completion(self.rule, self.s1, at(D(2026, 9, 28), 7, 10 + n), f"r:{n}")
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=finish, args=(n,)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(errors, [])
        row = ObligationWindow.objects.get()
        self.assertEqual((row.completions, row.status), (2, "done"))
        self.assertEqual(connection.vendor, "postgresql")
