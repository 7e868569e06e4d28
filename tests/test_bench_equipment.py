"""`manage.py bench_equipment` stocks a tiny city, gives a piece a long history and prints
each figure beside its floor; kit compliance and the history have pinned query counts."""

import io
import re

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from equipment.management.commands.bench_equipment import item_history
from equipment.models import Item, Movement, StockBalance
from equipment.services import stock_from_ledger
from schools.models import School
from tests.equipment_world import ensure_defaults
from tests.obligations_world import restore_default_rules
from tests.test_seed_demo_posts import Pinned

ROW = r"^{request} +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+x$"
# A page's line: its floor's SQL and its floor served by the bare view, the ratio to the latter.
PAGE_ROW = r"^{request} +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+ +[\d.]+x$"


def bench(**options):
    out = io.StringIO()
    call_command("bench_equipment", stdout=out, **options)
    return out.getvalue()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BenchEquipmentTests(Pinned, TestCase):
    @classmethod
    def setUpTestData(cls):
        restore_default_rules()
        ensure_defaults()
        call_command("seed_demo", schools=3, days=7, password="x", stdout=io.StringIO())

    def test_it_refuses_to_replace_equipment_without_force(self):
        with self.assertRaisesMessage(CommandError, "--force"):
            bench(synthesize=True, repeat=1)

    def test_it_prints_each_figure_beside_its_floor(self):
        output = bench(synthesize=True, force=True, floors=4, history=120, repeat=1)
        self.assertIn("bench_equipment: ", output)
        for request in (
            "kit compliance of the city by district",
            "kit compliance of the city by school",
            r"item history, newest 50 of 12\d",
        ):
            with self.subTest(request):
                self.assertRegex(output, re.compile(ROW.format(request=request), re.M))
        page = PAGE_ROW.format(request="the piece's page, as the city")
        self.assertRegex(output, re.compile(page, re.M))
        # About 30 pieces a school with four floors; the balances are the ledger's sum.
        self.assertGreater(Item.objects.count(), School.objects.count() * 25)
        balances = {
            (b.location_id, b.equipment_type_id): (b.held, b.faulty)
            for b in StockBalance.objects.all()
        }
        self.assertEqual(balances, stock_from_ledger(School.objects.values_list("pk", flat=True)))

    def test_the_history_is_one_query_however_long(self):
        item = Item.objects.order_by("pk").first()
        with self.assertNumQueries(1):
            history = item_history(item.pk)
        self.assertTrue(history)
        self.assertEqual(
            [row["pk"] for row in history],
            list(
                Movement.objects.filter(item=item)
                .order_by("-happened_at", "-pk")
                .values_list("pk", flat=True)[:50]
            ),
        )
