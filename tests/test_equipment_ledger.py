"""The ledger: movements and their effect on the balances, the recount, refusals, and who writes."""

import threading

from django.core.exceptions import ValidationError
from django.db import connections
from django.test import TransactionTestCase
from django.utils import translation

from accounts.scope import OutOfScope
from equipment.models import EquipmentType, Item, Location, Movement, StockBalance
from equipment.services import receive, record, stock_from_ledger
from tests.base import World
from tests.equipment_world import EquipmentWorldTestCase, ensure_defaults, stock


def balances(*locations):
    return {
        (b.location_id, b.equipment_type_id): (b.held, b.faulty)
        for b in StockBalance.objects.filter(location__in=locations)
        if b.held or b.faulty
    }


class LedgerTests(EquipmentWorldTestCase):
    def setUp(self):
        # The messages are checked in the source language.
        self.enterContext(translation.override("en"))
        self.gloves = self.types["cut-gloves"]
        self.radio = self.types["radio"]

    def test_balances_equal_a_recount_of_the_ledger(self):
        officer, store, gatehouse = self.officer1, self.s1_store, self.s1_gatehouse
        receive(officer, store, self.gloves, 5)
        record(
            officer,
            "issued",
            location=store,
            equipment_type=self.gloves,
            quantity=2,
            to_location=gatehouse,
        )
        record(
            officer,
            "lost",
            location=gatehouse,
            equipment_type=self.gloves,
            report="值班时遗失，已书面报告",
        )
        first, second, third = (m.item for m in stock(officer, store, self.radio, 3))
        record(officer, "issued", item=first, to_location=gatehouse)
        record(officer, "failed", item=second)
        record(officer, "issued", item=second, to_location=gatehouse)
        record(officer, "repaired", item=second)
        record(officer, "failed", item=third)
        record(officer, "scrapped", item=third)
        record(officer, "checked", item=first)

        expected = {
            (store.pk, self.gloves.pk): (3, 0),
            (gatehouse.pk, self.gloves.pk): (1, 0),
            (gatehouse.pk, self.radio.pk): (2, 0),
        }
        self.assertEqual(balances(store, gatehouse), expected)
        self.assertEqual(stock_from_ledger([self.s1.pk]), expected)
        third.refresh_from_db()
        self.assertEqual((third.status, third.location), ("scrapped", None))
        # Per school and type, summed in the database.
        totals = StockBalance.objects.filter(school=self.s1).totals("school", "equipment_type")
        self.assertEqual(
            {(row["equipment_type"], row["held_total"], row["usable_total"]) for row in totals},
            {(self.gloves.pk, 4, 4), (self.radio.pk, 2, 2)},
        )

    def test_a_faulty_piece_moves_as_faulty(self):
        (movement,) = stock(self.officer1, self.s1_store, self.radio)
        record(self.officer1, "failed", item=movement.item)
        record(self.officer1, "issued", item=movement.item, to_location=self.s1_gatehouse)
        self.assertEqual(
            balances(self.s1_store, self.s1_gatehouse),
            {(self.s1_gatehouse.pk, self.radio.pk): (1, 1)},
        )
        self.assertEqual(
            stock_from_ledger([self.s1.pk]), {(self.s1_gatehouse.pk, self.radio.pk): (1, 1)}
        )

    def test_taking_more_than_is_held_is_refused_and_nothing_is_saved(self):
        receive(self.officer1, self.s1_store, self.gloves, 2)
        before = (Movement.objects.count(), balances(self.s1_store, self.s1_gatehouse))
        with self.assertRaisesMessage(ValidationError, "Not enough at 器材室"):
            record(
                self.officer1,
                "issued",
                location=self.s1_store,
                equipment_type=self.gloves,
                quantity=3,
                to_location=self.s1_gatehouse,
            )
        self.assertEqual(
            (Movement.objects.count(), balances(self.s1_store, self.s1_gatehouse)), before
        )

    def test_failing_more_than_the_usable_pieces_is_refused(self):
        receive(self.officer1, self.s1_store, self.gloves, 2)
        record(
            self.officer1, "failed", location=self.s1_store, equipment_type=self.gloves, quantity=2
        )
        with self.assertRaises(ValidationError):
            record(self.officer1, "failed", location=self.s1_store, equipment_type=self.gloves)

    def test_a_loss_needs_a_written_report(self):
        receive(self.officer1, self.s1_store, self.gloves, 1)
        with self.assertRaises(ValidationError) as raised:
            record(
                self.officer1,
                "lost",
                location=self.s1_store,
                equipment_type=self.gloves,
                report=" ",
            )
        self.assertIn("report", raised.exception.message_dict)
        self.assertEqual(Movement.objects.filter(kind="lost").count(), 0)

    def test_a_scrapped_piece_cannot_move_again(self):
        (movement,) = stock(self.officer1, self.s1_store, self.radio)
        record(self.officer1, "scrapped", item=movement.item)
        with self.assertRaisesMessage(ValidationError, "no longer held"):
            record(self.officer1, "scrapped", item=movement.item)

    def test_tracked_pieces_are_named_and_counted_one_by_one(self):
        with self.assertRaises(ValidationError):
            receive(self.officer1, self.s1_store, self.radio, 2)
        stock(self.officer1, self.s1_store, self.radio)
        with self.assertRaisesMessage(ValidationError, "Name the piece"):
            record(self.officer1, "failed", location=self.s1_store, equipment_type=self.radio)
        self.assertEqual(Item.objects.count(), 1)

    def test_a_duplicate_asset_tag_is_refused_and_nothing_is_saved(self):
        receive(self.officer1, self.s1_store, self.radio, asset_tag="DJJ-01")
        with self.assertRaises(ValidationError) as raised:
            receive(self.officer1, self.s1_gatehouse, self.radio, asset_tag="DJJ-01")
        self.assertIn("__all__", raised.exception.message_dict)
        self.assertEqual((Item.objects.count(), Movement.objects.count()), (1, 1))
        # The same tag at another school is another piece.
        receive(self.principal2, self.s2_store, self.radio, asset_tag="DJJ-01")

    def test_bad_quantities_and_kinds_are_refused(self):
        with self.assertRaises(ValidationError):
            receive(self.officer1, self.s1_store, self.gloves, 0)
        with self.assertRaises(ValidationError):
            record(self.officer1, "borrowed", location=self.s1_store, equipment_type=self.gloves)
        self.assertFalse(Movement.objects.exists())

    def test_the_ledger_is_never_changed(self):
        (movement,) = stock(self.officer1, self.s1_store, self.gloves, 2)
        movement.quantity = 1
        with self.assertRaises(ValidationError):
            movement.save()
        with self.assertRaises(ValidationError):
            movement.delete()
        movement.refresh_from_db()
        self.assertEqual(movement.quantity, 2)

    def test_a_ledger_write_takes_constant_queries(self):
        receive(self.officer1, self.s1_store, self.gloves, 5)
        user = self.officer1.__class__.objects.get(pk=self.officer1.pk)
        # 1 SAVEPOINT (the write's transaction)
        # 2 the user's role assignments (their scope)
        # 3 both places lie in the user's scope for "stock" (one COUNT)
        # 4 INSERT the movement
        # 5 UPDATE the store's balance (conditional: never below zero)
        # 6 UPDATE the gatehouse's balance, matching nothing yet
        # 7 SAVEPOINT (creating the gatehouse's balance row)
        # 8 INSERT the gatehouse's balance
        # 9 RELEASE SAVEPOINT
        # 10 RELEASE SAVEPOINT
        with self.assertNumQueries(10):
            record(
                user,
                "issued",
                location=self.s1_store,
                equipment_type=self.gloves,
                quantity=2,
                to_location=self.s1_gatehouse,
            )
        # Once both balance rows exist, and with the scope cached on the user:
        # SAVEPOINT, the scope COUNT, INSERT the movement, UPDATE each balance,
        # RELEASE SAVEPOINT.
        with self.assertNumQueries(6):
            record(
                user,
                "issued",
                location=self.s1_store,
                equipment_type=self.gloves,
                quantity=1,
                to_location=self.s1_gatehouse,
            )


class LedgerAccessTests(EquipmentWorldTestCase):
    def setUp(self):
        self.gloves = self.types["cut-gloves"]

    def test_school_staff_write_their_own_schools_ledger(self):
        for persona in ("principal1", "officer1"):
            receive(self.users[persona], self.s1_store, self.gloves, 1)
        self.assertEqual(balances(self.s1_store), {(self.s1_store.pk, self.gloves.pk): (2, 0)})

    def test_nobody_else_writes_it_and_nothing_is_saved(self):
        for persona in ("principal2", "district1", "city", "police1", "outsider"):
            with self.subTest(persona), self.assertRaises(OutOfScope):
                receive(self.users[persona], self.s1_store, self.gloves, 1)
        self.assertEqual(Movement.objects.count(), 0)
        self.assertEqual(StockBalance.objects.count(), 0)

    def test_school_staff_cannot_move_stock_to_another_school(self):
        receive(self.officer1, self.s1_store, self.gloves, 2)
        with self.assertRaises(OutOfScope):
            record(
                self.officer1,
                "transferred",
                location=self.s1_store,
                equipment_type=self.gloves,
                to_location=self.s2_store,
            )

    def test_bureau_staff_transfer_between_schools_they_both_reach(self):
        receive(self.officer1, self.s1_store, self.gloves, 2)
        with self.assertRaises(OutOfScope):
            record(
                self.district1,
                "transferred",
                location=self.s1_store,
                equipment_type=self.gloves,
                to_location=self.s2_store,
            )
        movement = record(
            self.city,
            "transferred",
            location=self.s1_store,
            equipment_type=self.gloves,
            to_location=self.s2_store,
            reason="调剂",
        )
        self.assertEqual(
            balances(self.s1_store, self.s2_store),
            {
                (self.s1_store.pk, self.gloves.pk): (1, 0),
                (self.s2_store.pk, self.gloves.pk): (1, 0),
            },
        )
        # The transfer shows in the ledgers of both schools.
        for persona in ("principal1", "principal2"):
            self.assertIn(movement, Movement.objects.for_user(self.users[persona]))

    def test_a_piece_cannot_arrive_where_its_tag_is_taken(self):
        radio = self.types["radio"]
        piece = receive(self.officer1, self.s1_store, radio, asset_tag="DJJ-01").item
        receive(self.principal2, self.s2_store, radio, asset_tag="DJJ-01")
        with self.assertRaises(ValidationError):
            record(self.city, "transferred", item=piece, to_location=self.s2_store)
        piece.refresh_from_db()
        self.assertEqual(piece.location, self.s1_store)
        self.assertEqual(Movement.objects.filter(kind="transferred").count(), 0)
        self.assertEqual(balances(self.s1_store)[(self.s1_store.pk, radio.pk)], (1, 0))

    def test_staff_and_police_read_the_ledger_in_their_scope_and_others_nothing(self):
        receive(self.officer1, self.s1_store, self.gloves, 1)
        receive(self.principal2, self.s2_store, self.gloves, 1)
        (radio,) = stock(self.officer1, self.s1_gatehouse, self.types["radio"])
        expected = {
            "principal1": {self.s1.pk},
            "officer1": {self.s1.pk},
            "district1": {self.s1.pk},
            "district2": {self.s2.pk},
            "city": {self.s1.pk, self.s2.pk},
            "police1": {self.s1.pk},
            "police2": {self.s2.pk},
            "outsider": set(),
        }
        for persona, schools in expected.items():
            user = self.users[persona]
            with self.subTest(persona):
                for model in (Movement, StockBalance, Item):
                    seen = set(model.objects.for_user(user).values_list("school_id", flat=True))
                    self.assertEqual(seen, schools & ({self.s1.pk} if model is Item else schools))
        self.assertEqual(radio.item.school_id, self.s1.pk)


class ConcurrentLedgerTests(TransactionTestCase):
    """Two people take the last piece at the same instant: one gets it, the other a clear no."""

    def setUp(self):
        World.build(self)
        # This class's flush removed what the data migration made for the
        # tests that follow; they create it again (tests/equipment_world.py).
        ensure_defaults()
        self.gloves = EquipmentType.objects.get(code="cut-gloves", city=None)
        self.store = Location.objects.create(school=self.s1, kind="store", name="器材室")
        self.gatehouse = Location.objects.create(school=self.s1, kind="gatehouse", name="门卫室")
        receive(self.officer1, self.store, self.gloves, 1)

    def test_only_one_takes_the_last_piece(self):
        barrier = threading.Barrier(2)
        outcomes = []

        def take(persona):
            try:
                user = self.users[persona].__class__.objects.get(username=persona)
                barrier.wait()
                record(
                    user,
                    "issued",
                    location=self.store,
                    equipment_type=self.gloves,
                    to_location=self.gatehouse,
                )
                outcomes.append("taken")
            except ValidationError:
                outcomes.append("refused")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=take, args=(p,)) for p in ("principal1", "officer1")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(sorted(outcomes), ["refused", "taken"])
        self.assertEqual(Movement.objects.filter(kind="issued").count(), 1)
        self.assertEqual(
            balances(self.store, self.gatehouse), {(self.gatehouse.pk, self.gloves.pk): (1, 0)}
        )
        self.assertEqual(stock_from_ledger([self.s1.pk]), balances(self.store, self.gatehouse))
