"""The equipment reminders: service and scrap dates, overdue pieces, kit shortfalls, missing kit.

The world of tests/equipment_world.py: S1 and S2 hold a few extinguishers on a
floor and nothing else, so every gatehouse and S1's guard on duty are short of
the standard. Dates are set on the pieces directly; each sweep runs at a
chosen moment and records what it found, as the worker does.
"""

import datetime
from collections import Counter

import time_machine
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from equipment import handover
from equipment.models import EquipmentType, Item, KitShortage, Location
from reminders.choices import DeliveryStatus
from reminders.delivery import record
from reminders.models import Delivery, Notification, NotificationItem, NotificationSettings
from reminders.registry import KINDS
from reminders.tasks import run_sweep
from schools import hazards
from tests.base import World
from tests.equipment_world import (
    EquipmentWorldTestCase,
    compliance_queries,
    ensure_defaults,
    stock,
)
from tests.factories import SchoolFactory
from tests.obligations_world import D, at
from tests.worker import running_worker, send, task_runs, wait_until

TODAY = D(2026, 11, 30)  # a Monday
DAY = datetime.timedelta(days=1)


def sweep(kind, moment):
    """Sweep and record at `moment`; Counter of (username, subject, due) newly recorded."""
    before = set(NotificationItem.objects.values_list("pk", flat=True))
    record(KINDS[kind].sweep(moment), moment)
    return Counter(
        (item.user.username, item.subject, item.due)
        for item in NotificationItem.objects.exclude(pk__in=before).select_related("user")
    )


class EquipmentRemindersTestCase(EquipmentWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        powder = cls.types["extinguisher-dry-powder"]
        with time_machine.travel(at(D(2026, 9, 1), 9), tick=False):
            cls.s1_pieces = [m.item for m in stock(cls.principal1, cls.s1_floor, powder, 2)]
            cls.s2_pieces = [m.item for m in stock(cls.principal2, cls.s2_floor, powder, 2)]

    def set_dates(self, item, **dates):
        Item.objects.filter(pk=item.pk).update(**dates)

    def users_told(self, found):
        return {username for username, _subject, _due in found}


class ServiceAndScrapTests(EquipmentRemindersTestCase):
    def test_due_within_30_days_reaches_the_safety_officer_once(self):
        self.set_dates(self.s1_pieces[0], service_due_on=TODAY + 20 * DAY)
        self.set_dates(self.s1_pieces[1], service_due_on=TODAY + 40 * DAY)
        found = sweep("equipment_service_due", at(TODAY, 7, 20))
        self.assertEqual(
            found, Counter({("officer1", f"item:{self.s1_pieces[0].pk}", "2026-12-20"): 1})
        )
        # The next week's sweep finds the same piece: nothing new is sent.
        self.assertEqual(sweep("equipment_service_due", at(TODAY + 7 * DAY, 7, 20)), Counter())

    def test_scrap_dates_at_90_and_30_days(self):
        piece = self.s1_pieces[0]
        self.set_dates(piece, scrap_on=TODAY + 80 * DAY)
        first = sweep("equipment_scrap_due", at(TODAY, 7, 25))
        self.assertEqual([due for _u, _s, due in first], ["scrap-90"])
        self.assertEqual(sweep("equipment_scrap_due", at(TODAY + DAY, 7, 25)), Counter())
        # A missed day is caught up: 29 days left gives the 30-day warning once.
        later = sweep("equipment_scrap_due", at(TODAY + 51 * DAY, 7, 25))
        self.assertEqual([due for _u, _s, due in later], ["scrap-30"])

    def test_an_overdue_piece_reaches_the_principal_once_and_not_the_scrapped(self):
        self.set_dates(self.s1_pieces[0], service_due_on=TODAY - DAY)
        self.set_dates(
            self.s2_pieces[0], scrap_on=TODAY - 10 * DAY, status="scrapped", location=None
        )
        found = sweep("equipment_overdue", at(TODAY, 7, 30))
        self.assertEqual(
            found,
            Counter({("principal1", f"item:{self.s1_pieces[0].pk}", "service:2026-11-29"): 1}),
        )
        self.assertEqual(sweep("equipment_overdue", at(TODAY + DAY, 7, 30)), Counter())


class ShortfallTests(EquipmentRemindersTestCase):
    def test_one_weekly_digest_per_school_leader_listing_every_shortfall(self):
        found = sweep("equipment_shortfall_school", at(TODAY, 7, 35))
        self.assertEqual(self.users_told(found), {"principal1", "officer1", "principal2"})
        for username in ("principal1", "officer1"):
            [digest] = Notification.objects.filter(user__username=username)
            self.assertGreater(digest.items.count(), 9)
        self.assertEqual(sweep("equipment_shortfall_school", at(TODAY + DAY, 7, 35)), Counter())
        next_week = sweep("equipment_shortfall_school", at(TODAY + 7 * DAY, 7, 35))
        self.assertEqual(self.users_told(next_week), {"principal1", "officer1", "principal2"})

    def test_the_district_hears_monthly_of_shortfalls_older_than_30_days(self):
        # Today the places are new: nothing is 30 days old yet.
        self.assertEqual(sweep("equipment_shortfall_district", at(TODAY, 8, 30)), Counter())
        Location.objects.update(created=at(D(2026, 9, 1)))
        found = sweep("equipment_shortfall_district", at(TODAY, 8, 30))
        self.assertEqual(
            found,
            Counter(
                {
                    ("district1", f"district:{self.d1.pk}", "2026-11-01"): 1,
                    ("district2", f"district:{self.d2.pk}", "2026-11-01"): 1,
                }
            ),
        )
        # Later the same month: nothing new; a month on, the list again.
        self.assertEqual(sweep("equipment_shortfall_district", at(TODAY, 20)), Counter())
        next_month = sweep("equipment_shortfall_district", at(TODAY + DAY, 8, 30))
        self.assertEqual({due for _u, _s, due in next_month}, {"2026-12-01"})
        [item] = NotificationItem.objects.filter(user=self.district1, due="2026-11-01")
        places = {line["place"] for line in item.params["missed"]}
        self.assertEqual(item.params["count"], len(item.params["missed"]))
        self.assertIn("南门门卫室", places)

    def test_a_place_whose_stock_moved_within_30_days_is_not_old(self):
        Location.objects.update(created=at(D(2026, 9, 1)))
        with time_machine.travel(at(TODAY - 3 * DAY, 9), tick=False):
            stock(self.principal1, self.s1_gatehouse, self.types["radio"])
        found = sweep("equipment_shortfall_district", at(TODAY, 8, 30))
        [item] = NotificationItem.objects.filter(user=self.district1)
        pieces = {(line["place"], line["piece"]) for line in item.params["missed"]}
        self.assertNotIn(("南门门卫室", self.types["radio"].name), pieces)
        self.assertIn(("南门门卫室", self.types["helmet"].name), pieces)
        self.assertTrue(found)


class MissingKitTests(EquipmentRemindersTestCase):
    def test_a_hazard_is_opened_and_the_school_told_once(self):
        filed, previous = [], (hazards._filer, hazards._bulk_filer)
        hazards.register(filed.append)
        self.addCleanup(hazards.register, *previous)
        gatehouse = self.s1_gatehouse
        handover.confirm_kit(
            self.officer1, gatehouse, {self.types["shield"].pk: 1}, now=at(TODAY, 7)
        )
        self.assertEqual(sweep("equipment_missing_kit", at(TODAY, 8)), Counter())
        found = sweep("equipment_missing_kit", at(TODAY, 9, 15))
        shortage = KitShortage.objects.get()
        self.assertEqual(
            found,
            Counter(
                {
                    ("principal1", f"kitshortage:{shortage.pk}", "hazard"): 1,
                    ("officer1", f"kitshortage:{shortage.pk}", "hazard"): 1,
                }
            ),
        )
        self.assertEqual(len(filed), 1)
        self.assertEqual(sweep("equipment_missing_kit", at(TODAY, 9, 30)), Counter())


class QueryCountTests(EquipmentRemindersTestCase):
    MOMENTS = {
        "equipment_service_due": at(TODAY, 7, 20),
        "equipment_scrap_due": at(TODAY, 7, 25),
        "equipment_overdue": at(TODAY, 7, 30),
        "equipment_shortfall_school": at(TODAY, 7, 35),
        "equipment_shortfall_district": at(TODAY, 8, 30),
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
        Location.objects.update(created=at(D(2026, 9, 1)))
        self.set_dates(self.s1_pieces[0], service_due_on=TODAY + 3 * DAY, scrap_on=TODAY + 60 * DAY)
        self.set_dates(self.s2_pieces[0], service_due_on=TODAY - 3 * DAY)
        # The pieces, the school names, the recipients; the shortfalls' queries
        # (as kit compliance's: the districts and the standards' lines for the
        # profiles, then the short places from the database), names (2), leaders; for the
        # district: the ledger's recent movements, the new places, the handover
        # shortages, the districts.
        pinned = {
            "equipment_service_due": 3,
            "equipment_scrap_due": 3,
            "equipment_overdue": 3,
            "equipment_shortfall_school": 4 + compliance_queries(),
            "equipment_shortfall_district": 8 + compliance_queries(),
        }
        self.assertEqual(self.counts(), pinned)
        for district in (self.d1, self.d2):
            for _ in range(5):
                school = SchoolFactory(district=district)
                Location.objects.create(school=school, kind="gatehouse", name="门卫室")
        self.assertEqual(self.counts(), pinned)


def sweep_runs(runs):
    return [run for run in runs if run[0] == "reminders.tasks.run_sweep"]


class SweepOnAWorkerTests(TransactionTestCase):
    """The overdue sweep queued through the broker, run and delivered by a real worker."""

    def setUp(self):
        with time_machine.travel(at(TODAY, 6), tick=False):
            World.build(self)
            ensure_defaults()
            floor = Location.objects.create(school=self.s1, kind="floor", name="教学楼1层")
            powder = EquipmentType.objects.get(city=None, code="extinguisher-dry-powder")
            self.piece = stock(self.principal1, floor, powder)[0].item
        Item.objects.filter(pk=self.piece.pk).update(service_due_on=TODAY - DAY)
        principal = self.users["principal1"]
        principal.email = "principal1@example.edu.cn"
        principal.save()
        NotificationSettings.objects.create(user=principal, email_enabled=True, language="zh-hans")

    def test_a_queued_sweep_ran_once_and_delivered_one_digest(self):
        moment = at(TODAY, 7, 30).isoformat()
        with running_worker(concurrency=2), task_runs() as runs:
            # A duplicated tick: still one digest, one email.
            for _ in range(2):
                send(run_sweep, "equipment_overdue", moment)
            wait_until(lambda: Delivery.objects.filter(channel="email").exists(), 60)
            wait_until(
                lambda: not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists(), 60
            )
            wait_until(lambda: len(sweep_runs(runs)) == 2, 60)
        self.assertEqual([run[2] for run in sweep_runs(runs)], ["SUCCESS"] * 2)
        [digest] = Notification.objects.filter(user=self.users["principal1"])
        self.assertEqual(digest.items.count(), 1)
        [email] = [m for m in mail.outbox if m.to == ["principal1@example.edu.cn"]]
        self.assertIn("灭火器", email.body)
