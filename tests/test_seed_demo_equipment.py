"""The equipment demo step: stock with gaps and expired extinguishers, a transfer, services,
alarm tests and video checks, written in bulk and consistent with the ledger."""

from io import StringIO

import time_machine
from django.core.management import call_command
from django.test import TestCase

from equipment.models import (
    AlarmTest,
    Item,
    KitShortage,
    Location,
    Movement,
    ServiceRecord,
    StockBalance,
    VideoCheck,
)
from equipment.services import shortfalls, stock_from_ledger
from schools.models import ObligationCompletion, School
from tests.equipment_world import ensure_defaults
from tests.obligations_world import restore_default_rules
from tests.posts_world import NOW

PASSWORD = "demo-Pass-1"


@time_machine.travel(NOW, tick=False)
class EquipmentDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        restore_default_rules()
        ensure_defaults()

    def seed(self, seed=5):
        out = StringIO()
        call_command("seed_demo", schools=12, days=30, seed=seed, password=PASSWORD, stdout=out)
        return out.getvalue()

    def test_every_school_stocked_with_gaps_expiries_a_transfer_and_records(self):
        output = self.seed()
        self.assertIn("equipment places", output)
        schools = School.objects.count()
        self.assertEqual(Location.objects.values("school").distinct().count(), schools)
        self.assertGreater(Item.objects.count(), schools * 10)
        # The balances are exactly the ledger's sum.
        balances = {
            (b.location_id, b.equipment_type_id): (b.held, b.faulty)
            for b in StockBalance.objects.all()
        }
        self.assertEqual(balances, stock_from_ledger(School.objects.values_list("pk", flat=True)))
        self.assertTrue(shortfalls(School.objects.all()))
        self.assertTrue(Item.objects.filter(scrap_on__lt=NOW.date(), status="in_service").exists())
        self.assertTrue(Item.objects.filter(service_due_on__lt=NOW.date()).exists())
        self.assertTrue(Item.objects.filter(status="faulty").exists())
        transfer = Movement.objects.filter(kind="transferred").first()
        self.assertNotEqual(transfer.location.school_id, transfer.to_location.school_id)
        self.assertEqual(transfer.item.school_id, transfer.to_location.school_id)
        record = ServiceRecord.objects.first()
        self.assertTrue(record.items.exists())
        self.assertEqual(
            Movement.objects.filter(kind="serviced").count(),
            ServiceRecord.items.through.objects.count(),
        )
        self.assertTrue(AlarmTest.objects.filter(acknowledged_at__isnull=False).exists())
        self.assertTrue(VideoCheck.objects.exists())
        self.assertEqual(
            ObligationCompletion.objects.filter(source__startswith="equipment.").count(),
            AlarmTest.objects.count() + VideoCheck.objects.count(),
        )

    def test_the_same_seed_gives_the_same_stock_and_reset_removes_it(self):
        self.seed()
        first = sorted(Item.objects.values_list("asset_tag", "manufactured_on", "status"))
        shortages = KitShortage.objects.count()
        call_command(
            "seed_demo",
            schools=12,
            days=30,
            seed=5,
            password=PASSWORD,
            reset=True,
            stdout=StringIO(),
        )
        again = sorted(Item.objects.values_list("asset_tag", "manufactured_on", "status"))
        self.assertEqual(
            [(tag.split("-")[1], made, status) for tag, made, status in first],
            [(tag.split("-")[1], made, status) for tag, made, status in again],
        )
        self.assertEqual(KitShortage.objects.count(), shortages)
