"""The inspection reminders: who hears of a missed window, a fire check and an alarm test.

Rules of their own on the obligation world: a patrol each school day at
07:00-08:00 and 09:00-10:00 with 30 minutes' grace, and the monthly fire check
and alarm test with 3 days'. "Today" is Wednesday 25 November 2026, a school
day in city A (S1 and K1 in district 1, S2 in district 2); S3's city has no
terms, so no school days and nothing due.
"""

import datetime
from collections import Counter

import time_machine
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from reminders.choices import DeliveryStatus
from reminders.delivery import record
from reminders.models import Delivery, Notification, NotificationItem, NotificationSettings
from reminders.registry import KINDS
from reminders.tasks import run_sweep
from schools.models import ObligationRule, Term
from schools.obligations import record_completion
from tests.base import World
from tests.factories import SchoolFactory
from tests.obligations_world import D, ObligationWorldTestCase, at, make_rule
from tests.reminder_support import assert_parts_make_the_whole
from tests.worker import running_worker, send, task_runs, wait_until

TODAY = D(2026, 11, 25)
HALF_HOUR = datetime.timedelta(minutes=30)
THREE_DAYS = datetime.timedelta(days=3)


def build_rules(cls):
    cls.patrol = make_rule(
        "security-patrol",
        "school_day",
        domain="inspections",
        slots="07:00-08:00, 09:00-10:00",
        grace=HALF_HOUR,
    )
    cls.fire = make_rule("fire-check", "month", domain="inspections", grace=THREE_DAYS)
    cls.alarm = make_rule("alarm-test", "month", domain="inspections", grace=THREE_DAYS)
    # October was done everywhere: only November is news.
    for school in (cls.s1, cls.s2, cls.k1):
        for rule in (cls.fire, cls.alarm):
            record_completion(
                rule, school, at(D(2026, 10, 20), 10), f"test:{rule.code}-{school.pk}"
            )


class InspectionRemindersTestCase(ObligationWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_rules(cls)

    def sweep(self, kind, moment):
        """Sweep and record at `moment`; the (username, item state or subject) newly recorded."""
        before = set(NotificationItem.objects.values_list("pk", flat=True))
        record(KINDS[kind].sweep(moment), moment)
        return Counter(
            (item.user.username, item.params.get("state", item.subject))
            for item in NotificationItem.objects.exclude(pk__in=before).select_related("user")
        )


class MissedWindowTests(InspectionRemindersTestCase):
    def test_the_safety_officer_after_the_grace_and_the_principal_at_the_second_miss(self):
        # Within the first window's grace: nothing yet.
        self.assertEqual(self.sweep("inspection_missed", at(TODAY, 8, 29)), Counter())
        # S1's officer hears of it at once; S2 has no officer, K1 no one.
        self.assertEqual(
            self.sweep("inspection_missed", at(TODAY, 8, 31)), Counter({("officer1", "missed"): 1})
        )
        # S1 did its second patrol; S2 missed both, so its principal hears.
        record_completion(self.patrol, self.s1, at(TODAY, 9, 15), "test:patrol")
        self.assertEqual(
            self.sweep("inspection_missed", at(TODAY, 10, 31)), Counter({("principal2", "many"): 1})
        )
        item = NotificationItem.objects.get(user__username="principal2")
        self.assertEqual(item.url, reverse("inspections:board", args=[self.s2.pk]))
        self.assertEqual(item.params["count"], 2)

    def test_two_misses_at_s1_reach_its_principal_once_and_each_once_its_officer(self):
        found = self.sweep("inspection_missed", at(TODAY, 10, 31))
        self.assertEqual(found[("principal1", "many")], 1)
        self.assertEqual(found[("officer1", "missed")], 2)
        # Repeated ticks, in the same window and later ones, add nothing.
        for moment in (at(TODAY, 10, 32), at(TODAY, 10, 45), at(TODAY, 18, 0)):
            self.assertEqual(self.sweep("inspection_missed", moment), Counter())
        self.assertEqual(Notification.objects.filter(user__username="officer1").count(), 1)

    def test_a_missed_window_links_to_the_school_board(self):
        self.sweep("inspection_missed", at(TODAY, 8, 31))
        item = NotificationItem.objects.get(user__username="officer1")
        self.assertEqual(item.url, reverse("inspections:board", args=[self.s1.pk]))
        self.assertIn(self.s1.name, KINDS["inspection_missed"].item_text(item.params))


class DistrictDigestTests(InspectionRemindersTestCase):
    def test_one_digest_per_district_user_for_many_schools(self):
        for _ in range(5):
            SchoolFactory(district=self.d1)
        found = self.sweep("inspection_missed_district", at(TODAY + datetime.timedelta(days=1), 8))
        self.assertEqual(
            found,
            Counter(
                {
                    ("district1", f"district:{self.d1.pk}"): 1,
                    ("district2", f"district:{self.d2.pk}"): 1,
                }
            ),
        )
        [digest] = Notification.objects.filter(user__username="district1")
        [item] = digest.items.all()
        # S1, K1 and the five new schools, two windows each.
        self.assertEqual(item.params["count"], 14)
        text = KINDS["inspection_missed_district"].item_text(item.params)
        self.assertIn(self.s1.name, text)
        # Run again: nothing more.
        self.assertEqual(
            self.sweep("inspection_missed_district", at(TODAY + datetime.timedelta(days=1), 9)),
            Counter(),
        )

    def test_a_digest_is_worded_in_the_recipients_language(self):
        self.sweep("inspection_missed_district", at(TODAY + datetime.timedelta(days=1), 8))
        item = NotificationItem.objects.get(user__username="district1")
        with translation.override("zh-hans"):
            text = KINDS["inspection_missed_district"].item_text(item.params)
        self.assertIn("次巡查", text)


class FireCheckTests(InspectionRemindersTestCase):
    def test_each_stage_reaches_its_recipients_once(self):
        # November's check is due by 3 December (end of month plus the grace).
        self.assertEqual(self.sweep("fire_check", at(D(2026, 11, 25), 7)), Counter())
        self.assertEqual(
            self.sweep("fire_check", at(D(2026, 11, 26), 7)), Counter({("officer1", "due-7"): 1})
        )
        self.assertEqual(self.sweep("fire_check", at(D(2026, 11, 27), 7)), Counter())
        record_completion(self.fire, self.s2, at(D(2026, 11, 28), 10), "test:fire-s2")
        self.assertEqual(
            self.sweep("fire_check", at(D(2026, 12, 2), 7)), Counter({("officer1", "due-1"): 1})
        )
        self.assertEqual(
            self.sweep("fire_check", at(D(2026, 12, 4), 7)), Counter({("principal1", "overdue"): 1})
        )
        self.assertEqual(self.sweep("fire_check", at(D(2026, 12, 18), 7)), Counter())
        self.assertEqual(
            self.sweep("fire_check", at(D(2026, 12, 19), 7)),
            # S1's and K1's: both in district 1.
            Counter({("district1", "overdue-15"): 2}),
        )
        self.assertEqual(self.sweep("fire_check", at(D(2026, 12, 20), 7)), Counter())

    def test_a_missed_tick_is_caught_up_at_the_nearer_warning(self):
        self.assertEqual(
            self.sweep("fire_check", at(D(2026, 12, 3), 7)), Counter({("officer1", "due-1"): 1})
        )


class AlarmTestTests(InspectionRemindersTestCase):
    def test_not_done_by_the_end_of_its_period_reaches_the_district(self):
        record_completion(self.alarm, self.s2, at(D(2026, 11, 10), 10), "test:alarm-s2")
        self.assertEqual(self.sweep("alarm_test_missed", at(D(2026, 11, 30), 23, 50)), Counter())
        found = self.sweep("alarm_test_missed", at(D(2026, 12, 1), 7, 30))
        self.assertEqual(set(found), {("district1", "missed")})
        # S1 and K1, both in district 1; S2 did its test.
        items = NotificationItem.objects.filter(kind="alarm_test_missed")
        self.assertEqual(
            sorted(items.values_list("school_id", flat=True)), sorted([self.s1.pk, self.k1.pk])
        )
        self.assertEqual(Notification.objects.filter(user__username="district1").count(), 1)
        self.assertEqual(self.sweep("alarm_test_missed", at(D(2026, 12, 2), 7, 30)), Counter())


class QueryCountTests(InspectionRemindersTestCase):
    MOMENTS = {
        "inspection_missed": at(TODAY, 10, 31),
        "inspection_missed_district": at(TODAY + datetime.timedelta(days=1), 8),
        "fire_check": at(D(2026, 12, 19), 7),
        "alarm_test_missed": at(D(2026, 12, 1), 7, 30),
    }

    def counts(self):
        result = {}
        for kind, moment in self.MOMENTS.items():
            with CaptureQueriesContext(connection) as captured:
                dues = KINDS[kind].sweep(moment)
            self.assertTrue(dues, kind)
            result[kind] = len(captured)
        return result

    def test_the_queries_of_a_sweep_do_not_grow_with_the_schools(self):
        # Fire check and alarm test: the schools, rules, overrides, school days
        # (3), summary rows, school names, then one query for each role told
        # (none for a role with no one to tell: on 19 December the fire check
        # reaches district staff only). The missed windows: the schools whose
        # windows are not materialised yet, the missed rows, their rules (read
        # once, not built on every row), school names, the roles told; the first
        # sweep of the day also materialises its windows for the schools lacking
        # them (14 queries a batch of schools, 13 logged on PostgreSQL, whose COPY
        # goes round Django's query log).
        pinned = {
            "inspection_missed": 6 + (13 if connection.vendor == "postgresql" else 14),
            "inspection_missed_district": 5,
            "fire_check": 9,
            "alarm_test_missed": 9,
        }
        self.assertEqual(self.counts(), pinned)
        self.assertEqual(self.counts()["inspection_missed"], 6)
        for district in (self.d1, self.d2):
            for _ in range(10):
                SchoolFactory(district=district)
        self.assertEqual(self.counts(), pinned)

    def test_the_district_parts_find_what_the_city_wide_sweep_finds(self):
        moments = [
            *self.MOMENTS.items(),
            ("fire_check", at(D(2026, 11, 26), 7)),
            ("fire_check", at(D(2026, 12, 4), 7)),
        ]
        for kind, moment in moments:
            with self.subTest(kind=kind, moment=moment):
                self.assertTrue(assert_parts_make_the_whole(self, kind, moment))


def sweep_runs(runs):
    return [run for run in runs if run[0] == "reminders.tasks.run_sweep"]


class SweepOnAWorkerTests(TransactionTestCase):
    """The missed-window sweep queued through the broker, run and delivered by a real worker."""

    def setUp(self):
        with time_machine.travel(at(TODAY, 6), tick=False):
            World.build(self)
            # Only this test's rules: not the defaults a migration may have left.
            ObligationRule.objects.all().delete()
            Term.objects.create(
                city=self.city_a,
                name="2026 秋季学期",
                start_date=D(2026, 9, 1),
                end_date=D(2027, 1, 22),
            )
            build_rules(self)
        officer = self.users["officer1"]
        officer.email = "officer1@example.edu.cn"
        officer.save()
        NotificationSettings.objects.create(user=officer, email_enabled=True, language="zh-hans")

    def test_a_queued_sweep_ran_once_and_delivered_one_digest(self):
        moment = at(TODAY, 10, 31).isoformat()
        with running_worker(concurrency=2), task_runs() as runs:
            # A duplicated tick, two at once: still one digest, one email.
            for _ in range(3):
                send(run_sweep, "inspection_missed", moment)
            wait_until(lambda: Delivery.objects.filter(channel="email").exists(), 60)
            wait_until(
                lambda: not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists(), 60
            )
            # The last tick may still be running once the email is out: wait for all three.
            wait_until(lambda: len(sweep_runs(runs)) == 3, 60)
        sweeps = sweep_runs(runs)
        self.assertEqual([run[2] for run in sweeps], ["SUCCESS"] * 3)
        [digest] = Notification.objects.filter(user=self.users["officer1"])
        self.assertEqual(digest.items.count(), 2)
        [email] = [m for m in mail.outbox if m.to == ["officer1@example.edu.cn"]]
        # Worded in the officer's language, linking to the school's board.
        self.assertIn("未完成", email.body)
        self.assertIn(reverse("inspections:board", args=[self.s1.pk]), email.body)
        self.assertTrue(Notification.objects.filter(user=self.users["principal1"]).exists())
