"""The hazard ledger's reminders (inspections/hazard_reminders.py): deadline warnings,
overdue escalation step by step, re-checks, supervision; once per step, one digest per
recipient per sweep, set-based; and the overdue sweep on a real worker."""

import datetime
from collections import Counter

import time_machine
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from inspections.models import HazardRules, SupervisionOrder, SupervisionReport
from reminders.delivery import record
from reminders.models import Notification, NotificationItem
from reminders.registry import KINDS
from reminders.tasks import run_sweep
from tests.base import World, WorldTestCase
from tests.factories import SchoolFactory, UserFactory, assign
from tests.obligations_world import at
from tests.test_api_hazards import make
from tests.worker import running_worker, send, task_runs, wait_until

DEADLINE = datetime.date(2026, 12, 1)


def on(days_after_deadline, hour=7, minute=30):
    return at(DEADLINE + datetime.timedelta(days=days_after_deadline), hour, minute)


class HazardRemindersTestCase(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        assign(UserFactory(username="officer2"), Role.SAFETY_OFFICER, cls.s2)

    def sweep(self, kind, moment):
        """Sweep and record at `moment`; the (username, state) newly recorded."""
        before = set(NotificationItem.objects.values_list("pk", flat=True))
        record(KINDS[kind].sweep(moment), moment)
        return Counter(
            (item.user.username, item.params.get("state"))
            for item in NotificationItem.objects.exclude(pk__in=before).select_related("user")
        )

    def hazard(self, school=None, **fields):
        fields.setdefault("state", "rectifying")
        fields.setdefault("deadline", DEADLINE)
        fields.setdefault("found_at", at(DEADLINE - datetime.timedelta(days=10), 9))
        return make(school or self.s1, **fields)


class OverdueTests(HazardRemindersTestCase):
    def test_each_step_reaches_its_recipients_once(self):
        self.hazard(responsible_person=self.principal1)
        self.assertEqual(self.sweep("hazard_overdue", on(0)), Counter())
        self.assertEqual(
            self.sweep("hazard_overdue", on(1)),
            Counter({("officer1", "school"): 1, ("principal1", "school"): 1}),
        )
        self.assertEqual(self.sweep("hazard_overdue", on(1, 9)), Counter())
        self.assertEqual(self.sweep("hazard_overdue", on(2)), Counter())
        self.assertEqual(
            self.sweep("hazard_overdue", on(3)), Counter({("principal1", "principal"): 1})
        )
        self.assertEqual(
            self.sweep("hazard_overdue", on(7)), Counter({("district1", "district"): 1})
        )
        self.assertEqual(self.sweep("hazard_overdue", on(29)), Counter())
        self.assertEqual(self.sweep("hazard_overdue", on(30)), Counter({("city", "city"): 1}))
        self.assertEqual(self.sweep("hazard_overdue", on(31)), Counter())

    def test_a_major_hazard_reaches_the_district_at_once_and_a_city_sets_its_own_days(self):
        self.hazard(level="major")
        found = self.sweep("hazard_overdue", on(1))
        self.assertEqual(found[("district1", "district")], 1)
        HazardRules.objects.create(city=self.city_a, overdue_principal_days=2)
        self.hazard(self.s2)
        self.assertEqual(
            self.sweep("hazard_overdue", on(2)),
            Counter(
                {
                    ("principal1", "principal"): 1,
                    ("officer2", "school"): 1,
                    ("principal2", "principal"): 1,
                }
            ),
        )

    def test_an_extended_deadline_starts_the_steps_again_and_a_rectified_one_stops(self):
        hazard = self.hazard()
        self.sweep("hazard_overdue", on(1))
        hazard.deadline = DEADLINE + datetime.timedelta(days=5)
        hazard.save()
        self.assertEqual(self.sweep("hazard_overdue", on(6)), Counter({("officer1", "school"): 1}))
        hazard.state = "submitted"
        hazard.save()
        self.assertEqual(self.sweep("hazard_overdue", on(10)), Counter())

    def test_one_digest_per_recipient_for_many_hazards(self):
        for _ in range(3):
            self.hazard()
        self.sweep("hazard_overdue", on(1))
        [digest] = Notification.objects.filter(user=self.officer1, kind="hazard_overdue")
        self.assertEqual(digest.items.count(), 3)
        self.assertIn(self.s1.name, KINDS["hazard_overdue"].item_text(digest.items.first().params))

    def test_the_queries_of_a_sweep_do_not_grow_with_the_schools(self):
        def count():
            with CaptureQueriesContext(connection) as queries:
                KINDS["hazard_overdue"].sweep(on(30))
            return len(queries)

        self.hazard()
        few = count()
        for _ in range(4):
            self.hazard(SchoolFactory(district=self.d2), level="major")
        self.assertEqual(count(), few)


class DeadlineTests(HazardRemindersTestCase):
    def test_half_time_and_the_day_before(self):
        # Found ten days before its deadline: half time five days before.
        self.hazard(responsible_person=self.principal1)
        self.assertEqual(self.sweep("hazard_deadline", on(-6, 7, 0)), Counter())
        self.assertEqual(
            self.sweep("hazard_deadline", on(-5, 7, 0)), Counter({("principal1", "half"): 1})
        )
        self.assertEqual(self.sweep("hazard_deadline", on(-4, 7, 0)), Counter())
        self.assertEqual(
            self.sweep("hazard_deadline", on(-1, 7, 0)), Counter({("principal1", "before"): 1})
        )
        self.assertEqual(self.sweep("hazard_deadline", on(0, 7, 0)), Counter())

    def test_without_a_responsible_person_the_safety_officers(self):
        self.hazard(found_at=at(DEADLINE - datetime.timedelta(days=2), 9))
        self.assertEqual(
            self.sweep("hazard_deadline", on(-1, 7, 0)), Counter({("officer1", "before"): 1})
        )


class VerificationTests(HazardRemindersTestCase):
    def test_the_verifier_at_once_and_again_three_days_later_never_the_submitter(self):
        submitted = at(DEADLINE, 10)
        self.hazard(state="submitted", submitted_by=self.officer1, submitted_at=submitted)
        self.assertEqual(
            self.sweep("hazard_verification", submitted + datetime.timedelta(minutes=30)),
            Counter({("principal1", "submitted"): 1}),
        )
        self.assertEqual(self.sweep("hazard_verification", on(2, 12)), Counter())
        self.assertEqual(
            self.sweep("hazard_verification", on(3, 11)), Counter({("principal1", "again"): 1})
        )
        self.assertEqual(self.sweep("hazard_verification", on(4, 11)), Counter())

    def test_due_keys_fit_their_column_whatever_the_moment(self):
        # A real submission carries microseconds; its ISO time made a 41-character
        # key, which PostgreSQL refused (SQLite does not check the length).
        submitted = at(DEADLINE, 10).replace(microsecond=123456)
        self.hazard(state="submitted", submitted_by=self.officer1, submitted_at=submitted)
        dues = KINDS["hazard_verification"].sweep(on(3, 11))
        width = NotificationItem._meta.get_field("due").max_length
        self.assertEqual(len(dues), 2)
        self.assertTrue(all(len(due.due) <= width for due in dues), [due.due for due in dues])


class SupervisionTests(HazardRemindersTestCase):
    def test_progress_reports_on_the_cadence_and_the_bureau_weekly(self):
        hazard = self.hazard(level="major", supervised=True)
        order = SupervisionOrder.objects.create(
            hazard=hazard, level="district", measures="m", responsibility="r", funds="f",
            deadline=DEADLINE, contingency_plan="c", report_every_days=7, issued_at=on(0, 9),
        )  # fmt: skip
        self.assertEqual(self.sweep("hazard_progress_due", on(6, 8)), Counter())
        self.assertEqual(
            self.sweep("hazard_progress_due", on(7, 8)),
            Counter({("principal1", None): 1, ("officer1", None): 1}),
        )
        SupervisionReport.objects.create(order=order, reported_at=on(8, 9), progress="p")
        self.assertEqual(self.sweep("hazard_progress_due", on(14, 8)), Counter())
        self.assertEqual(len(self.sweep("hazard_progress_due", on(15, 8))), 2)
        # Mondays: the district that supervises, once a week.
        monday = at(datetime.date(2026, 12, 7), 8, 30)
        self.assertEqual(
            self.sweep("hazard_supervised_weekly", monday), Counter({("district1", None): 1})
        )
        self.assertEqual(
            self.sweep("hazard_supervised_weekly", monday + datetime.timedelta(hours=1)), Counter()
        )
        self.assertEqual(
            self.sweep("hazard_supervised_weekly", monday + datetime.timedelta(days=7)),
            Counter({("district1", None): 1}),
        )


class OverdueOnAWorkerTests(TransactionTestCase):
    """The overdue sweep queued through the broker and run by a real worker."""

    def setUp(self):
        with time_machine.travel(on(-10), tick=False):
            World.build(self)
            self.hazard = make(
                self.s1,
                "rectifying",
                deadline=DEADLINE,
                found_at=at(DEADLINE, 0) - datetime.timedelta(days=10),
            )

    def test_an_overdue_hazard_escalates_once_per_step(self):
        with running_worker(concurrency=2), task_runs() as runs:
            for days in (1, 1, 3, 3, 7, 8, 30):
                send(run_sweep, "hazard_overdue", on(days).isoformat())
            wait_until(lambda: len([r for r in runs if r[0].endswith("run_sweep")]) == 7, 90)
        self.assertTrue(all(r[2] == "SUCCESS" for r in runs if r[0].endswith("run_sweep")))
        steps = Counter(
            (item.user.username, item.params["state"])
            for item in NotificationItem.objects.filter(
                notification__kind="hazard_overdue"
            ).select_related("user")
        )
        self.assertEqual(
            steps,
            Counter(
                {
                    ("officer1", "school"): 1,
                    ("principal1", "principal"): 1,
                    ("district1", "district"): 1,
                    ("city", "city"): 1,
                }
            ),
        )
