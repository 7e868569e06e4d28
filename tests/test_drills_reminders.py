"""The drill reminders: periods starting and ending, tomorrow's drill, overdue periods, the
district's monthly list, evaluations waiting, and emergency plans to review.

The default requirements of the migration on the obligation world: city A's
autumn term 2026 runs from 1 September to 22 January; S1 and S2 are primary
schools (monthly drills, an evacuation drill a term), K1 a kindergarten
(quarterly); S3's city has no terms, so nothing is due there.
"""

import datetime
from collections import Counter

import time_machine
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from drills.models import Drill, EmergencyPlan
from drills.services import sign_off
from reminders.choices import DeliveryStatus
from reminders.delivery import record
from reminders.models import Delivery, Notification, NotificationItem, NotificationSettings
from reminders.registry import KINDS
from reminders.tasks import run_sweep
from tests.base import World
from tests.drills_world import DrillWorldTestCase
from tests.factories import SchoolFactory
from tests.obligations_world import D, at
from tests.reminder_support import assert_parts_make_the_whole
from tests.test_drills_plans import make_plan
from tests.worker import running_worker, send, task_runs, wait_until

ONE_DAY = datetime.timedelta(days=1)


def held(school, when, drill_type="fire_evacuation", **fields):
    return Drill.objects.create(
        school=school,
        drill_type=drill_type,
        commander="王主任",
        status="held",
        planned_at=when,
        started_at=when,
        all_clear_at=when + datetime.timedelta(seconds=150),
        evacuation_seconds=150,
        **fields,
    )


class DrillRemindersTestCase(DrillWorldTestCase):
    def sweep(self, kind, moment):
        """Sweep and record at `moment`; Counter of (username, item due) newly recorded."""
        before = set(NotificationItem.objects.values_list("pk", flat=True))
        record(KINDS[kind].sweep(moment), moment)
        return Counter(
            (item.user.username, item.due)
            for item in NotificationItem.objects.exclude(pk__in=before).select_related("user")
        )


class PeriodTests(DrillRemindersTestCase):
    def test_a_month_begins_for_the_schools_leaders_once(self):
        moment = at(D(2026, 11, 2), 7)
        self.assertEqual(
            self.sweep("drill_period_start", moment),
            Counter(
                {("principal1", "start"): 1, ("officer1", "start"): 1, ("principal2", "start"): 1}
            ),
        )
        self.assertEqual(self.sweep("drill_period_start", moment + ONE_DAY), Counter())

    def test_ten_days_before_the_end_only_where_nothing_that_counts_is_planned(self):
        Drill.objects.create(
            school=self.s1,
            drill_type="earthquake",
            planned_at=at(D(2026, 11, 25), 10),
            commander="王",
        )
        found = self.sweep("drill_nothing_planned", at(D(2026, 11, 21), 7, 5))
        self.assertEqual(found, Counter({("principal2", "ending"): 1}))
        [item] = NotificationItem.objects.all()
        self.assertIn("2026-11-30", KINDS["drill_nothing_planned"].item_text(item.params))
        # Eleven days before: not yet.
        self.assertEqual(self.sweep("drill_nothing_planned", at(D(2026, 11, 19), 7, 5)), Counter())

    def test_the_day_before_a_planned_drill(self):
        Drill.objects.create(
            school=self.s1,
            drill_type="lockdown",
            planned_at=at(D(2026, 11, 26), 10),
            commander="王",
        )
        found = self.sweep("drill_tomorrow", at(D(2026, 11, 25), 16))
        self.assertEqual(
            found, Counter({("principal1", "2026-11-26"): 1, ("officer1", "2026-11-26"): 1})
        )
        [item] = NotificationItem.objects.filter(user=self.principal1)
        self.assertIn("10:00", KINDS["drill_tomorrow"].item_text(item.params))
        self.assertEqual(self.sweep("drill_tomorrow", at(D(2026, 11, 25), 16, 30)), Counter())

    def test_an_unmet_month_reaches_the_principal_and_the_districts_monthly_list(self):
        sign_off(self.principal2, held(self.s2, at(D(2026, 11, 10), 10)))
        found = self.sweep("drill_overdue", at(D(2026, 12, 1), 7, 10))
        self.assertEqual(found, Counter({("principal1", "overdue"): 1}))
        found = self.sweep("drill_overdue_district", at(D(2026, 12, 1), 8, 15))
        self.assertEqual(found, Counter({("district1", "2026-11"): 1}))
        [item] = NotificationItem.objects.filter(user=self.district1)
        text = KINDS["drill_overdue_district"].item_text(item.params)
        self.assertIn(self.s1.name, text)
        self.assertNotIn(self.s2.name, text)
        # Daily ticks send the month's list once.
        self.assertEqual(self.sweep("drill_overdue_district", at(D(2026, 12, 2), 8, 15)), Counter())


class EvaluationAndPlanTests(DrillRemindersTestCase):
    def test_a_held_drill_not_evaluated_after_3_days_and_again_at_7(self):
        held(self.s1, at(D(2026, 11, 20), 10))
        evaluated = held(self.s2, at(D(2026, 11, 20), 10), evaluation="良好")
        self.assertEqual(evaluated.status, "held")
        self.assertEqual(self.sweep("drill_not_evaluated", at(D(2026, 11, 23), 7, 15)), Counter())
        self.assertEqual(
            self.sweep("drill_not_evaluated", at(D(2026, 11, 24), 7, 15)),
            Counter({("principal1", "after-3"): 1}),
        )
        self.assertEqual(self.sweep("drill_not_evaluated", at(D(2026, 11, 25), 7, 15)), Counter())
        self.assertEqual(
            self.sweep("drill_not_evaluated", at(D(2026, 11, 28), 7, 15)),
            Counter({("principal1", "after-7"): 1}),
        )

    def test_plans_to_review_weekly_until_a_new_version(self):
        make_plan(self.s1, revision_due=D(2026, 11, 1))
        # S2's plan in force when its drill asked for a revision.
        plan = make_plan(self.s2, revision_due=D(2027, 11, 1))
        EmergencyPlan.objects.filter(pk=plan.pk).update(created=at(D(2026, 3, 1)))
        held(self.s2, at(D(2026, 11, 20), 10), plan_must_be_revised=True)
        moment = at(D(2026, 11, 23), 7, 20)
        found = self.sweep("emergency_plan_review", moment)
        self.assertEqual(
            found,
            Counter(
                {
                    ("principal1", "2026-W48"): 1,
                    ("officer1", "2026-W48"): 1,
                    ("principal2", "2026-W48"): 1,
                }
            ),
        )
        texts = {
            KINDS["emergency_plan_review"].item_text(item.params)
            for item in NotificationItem.objects.filter(user=self.principal2)
        }
        self.assertEqual(len(texts), 1)
        self.assertIn("2026-11-20", texts.pop())
        self.assertEqual(self.sweep("emergency_plan_review", moment + ONE_DAY), Counter())
        # A new version of the fire plan at S2 answers the drill; S1's plan is still overdue.
        make_plan(self.s2, version=2)
        found = self.sweep("emergency_plan_review", moment + 7 * ONE_DAY)
        self.assertEqual(
            found, Counter({("principal1", "2026-W49"): 1, ("officer1", "2026-W49"): 1})
        )


class PrenoticeTests(DrillRemindersTestCase):
    MOMENT = at(D(2026, 11, 25), 7, 25)

    def alarm(self, school, **fields):
        fields.setdefault("planned_at", at(D(2026, 11, 27), 10))
        return Drill.objects.create(
            school=school, drill_type="one_key_alarm", commander="王", **fields
        )

    def test_an_unacknowledged_notification_reaches_the_school_and_the_stations_liaison(self):
        self.alarm(self.s1, prenotified_at=at(D(2026, 11, 20), 9))
        due = "unacknowledged:2026-11-27"
        self.assertEqual(
            self.sweep("drill_prenotice", self.MOMENT),
            Counter({("principal1", due): 1, ("officer1", due): 1, ("police1", due): 1}),
        )
        [item] = NotificationItem.objects.filter(user=self.police1)
        self.assertIn("10:00", KINDS["drill_prenotice"].item_text(item.params))
        # Exactly once: a second sweep the same day tells no one again.
        self.assertEqual(self.sweep("drill_prenotice", self.MOMENT + ONE_DAY / 24), Counter())

    def test_a_notification_not_sent_reaches_the_school_only(self):
        self.alarm(self.s2)
        self.assertEqual(
            self.sweep("drill_prenotice", self.MOMENT),
            Counter({("principal2", "unsent:2026-11-27"): 1}),
        )

    def test_acknowledged_other_days_and_non_alarm_drills_are_left_alone(self):
        self.alarm(
            self.s1,
            prenotified_at=at(D(2026, 11, 20), 9),
            prenotice_acknowledged_at=at(D(2026, 11, 21), 9),
        )
        self.alarm(self.s1, planned_at=at(D(2026, 11, 28), 10))
        Drill.objects.create(
            school=self.s1,
            drill_type="lockdown",
            planned_at=at(D(2026, 11, 27), 10),
            commander="王",
        )
        self.assertEqual(self.sweep("drill_prenotice", self.MOMENT), Counter())


class QueryCountTests(DrillRemindersTestCase):
    MOMENTS = {
        "drill_period_start": at(D(2026, 11, 2), 7),
        "drill_nothing_planned": at(D(2026, 11, 21), 7, 5),
        "drill_tomorrow": at(D(2026, 11, 25), 16),
        "drill_overdue": at(D(2026, 12, 1), 7, 10),
        "drill_overdue_district": at(D(2026, 12, 1), 8, 15),
        "drill_not_evaluated": at(D(2026, 11, 24), 7, 15),
        "emergency_plan_review": at(D(2026, 11, 23), 7, 20),
        "drill_prenotice": at(D(2026, 12, 8), 7, 25),
    }

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Drill.objects.create(
            school=cls.s1, drill_type="lockdown", planned_at=at(D(2026, 11, 26), 10), commander="王"
        )
        held(cls.s1, at(D(2026, 11, 20), 10), plan_must_be_revised=True)
        make_plan(cls.s2, revision_due=D(2026, 11, 1))
        Drill.objects.create(
            school=cls.s1,
            drill_type="one_key_alarm",
            planned_at=at(D(2026, 12, 10), 10),
            commander="王",
            prenotified_at=at(D(2026, 12, 1), 9),
        )
        Drill.objects.create(
            school=cls.s2,
            drill_type="anti_violence",
            planned_at=at(D(2026, 12, 10), 9),
            commander="李",
        )

    def counts(self):
        result = {}
        for kind, moment in self.MOMENTS.items():
            with CaptureQueriesContext(connection) as captured:
                dues = KINDS[kind].sweep(moment)
            self.assertTrue(dues, kind)
            result[kind] = len(captured)
        return result

    def test_the_queries_of_a_sweep_do_not_grow_with_the_schools(self):
        # The obligation windows (the schools, rules, overrides, terms (2),
        # school days (3), summary rows), then the school names and one query
        # per role told; the drill and plan sweeps read their rows in one
        # query each.
        pinned = self.counts()
        self.assertEqual(
            pinned,
            {
                "drill_period_start": 11,
                "drill_nothing_planned": 13,
                "drill_tomorrow": 2,
                "drill_overdue": 11,
                "drill_overdue_district": 11,
                "drill_not_evaluated": 2,
                "emergency_plan_review": 3,
                # The drills, the school leaders, the stations' liaisons.
                "drill_prenotice": 3,
            },
        )
        for district in (self.d1, self.d2):
            for _ in range(10):
                SchoolFactory(district=district)
        self.assertEqual(self.counts(), pinned)

    def test_the_district_parts_find_what_the_city_wide_sweep_finds(self):
        for kind, moment in self.MOMENTS.items():
            if KINDS[kind].fans_out:
                with self.subTest(kind=kind):
                    self.assertTrue(assert_parts_make_the_whole(self, kind, moment))


class SweepOnAWorkerTests(TransactionTestCase):
    """The evaluation sweep queued through the broker, run and delivered by a real worker."""

    def setUp(self):
        with time_machine.travel(at(D(2026, 11, 20), 6), tick=False):
            World.build(self)
            held(self.s1, at(D(2026, 11, 20), 10))
        for username in ("principal1", "police1"):
            user = self.users[username]
            user.email = f"{username}@example.edu.cn"
            user.save()
            NotificationSettings.objects.create(user=user, email_enabled=True, language="zh-hans")

    def sweep_three_times(self, kind, moment):
        """A duplicated tick, two at once, on a real worker; the sweeps' outcomes."""
        with running_worker(concurrency=2), task_runs() as runs:
            for _ in range(3):
                send(run_sweep, kind, moment.isoformat())
            wait_until(lambda: Delivery.objects.filter(channel="email").exists(), 60)
            wait_until(
                lambda: not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists(), 60
            )
            wait_until(
                lambda: len([r for r in runs if r[0] == "reminders.tasks.run_sweep"]) == 3, 60
            )
        return [r[2] for r in runs if r[0] == "reminders.tasks.run_sweep"]

    def test_a_queued_sweep_ran_once_and_delivered_one_digest(self):
        outcomes = self.sweep_three_times("drill_not_evaluated", at(D(2026, 11, 24), 7, 15))
        self.assertEqual(outcomes, ["SUCCESS"] * 3)
        [digest] = Notification.objects.filter(user=self.users["principal1"])
        self.assertEqual(digest.items.count(), 1)
        [email] = [m for m in mail.outbox if m.to == ["principal1@example.edu.cn"]]
        self.assertIn("未评估", email.body)
        self.assertIn(reverse("drillplans:records-school", args=[self.s1.pk]), email.body)
        self.assertFalse(Notification.objects.exclude(user=self.users["principal1"]).exists())

    def test_an_unacknowledged_prenotice_reaches_the_liaison_once(self):
        drill = Drill.objects.create(
            school=self.s1,
            drill_type="one_key_alarm",
            planned_at=at(D(2026, 11, 27), 10),
            commander="王",
            prenotified_at=at(D(2026, 11, 20), 9),
        )
        outcomes = self.sweep_three_times("drill_prenotice", at(D(2026, 11, 25), 7, 25))
        self.assertEqual(outcomes, ["SUCCESS"] * 3)
        [digest] = Notification.objects.filter(user=self.users["police1"])
        self.assertEqual(digest.items.count(), 1)
        [email] = [m for m in mail.outbox if m.to == ["police1@example.edu.cn"]]
        self.assertIn("尚未确认", email.body)
        self.assertIn(reverse("drills:live", args=[drill.pk]), email.body)
        self.assertEqual(len([m for m in mail.outbox if m.to == ["principal1@example.edu.cn"]]), 1)
