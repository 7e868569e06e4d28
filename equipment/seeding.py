"""Realistic stock for many schools at once, written in bulk: the demo step and the benchmark.

For every school: a gatehouse at each gate, a protection booth and a police
room where the school has them, a guard on duty at the main gate, a store
room and building floors; the kit the standard asks of each place, with the
gaps a real school has (a piece short, a radio faulty); extinguishers of
every age, some past their scrap date; emergency lights, exit signs and
hydrants on each floor; one spare moved between two schools of a district.
Every piece arrives at the store room and is issued to its place, so the
ledger holds two movements per line and the balances are exactly its sum
(`equipment.services.stock_from_ledger` recounts them). Nothing here goes
through the per-piece services: 300,000 pieces would take hours.

A batch of schools is planned in memory as plain rows (`plan_stock`: places,
pieces, movements and balances, with ids reserved up front so that movements
can name their pieces), the demo adds its services to it, and `Stock.write()`
sends each table with one COPY (campussafety.bulk.write_rows). A piece is
written once, with its final due dates: a province's 860,000 pieces and 3.3
million movements as model instances, and the bulk_update of the serviced
ones, were most of the seed's time.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from campussafety.bulk import reserve_ids, write_rows
from equipment.choices import ItemStatus, LocationKind, MovementKind
from equipment.models import (
    AlarmTest,
    EquipmentType,
    Item,
    KitConfirmation,
    KitShortage,
    Location,
    Movement,
    ServiceRecord,
    StockBalance,
    VideoCheck,
)
from equipment.services import due_dates, requirements
from schools.models import ObligationCompletion, School
from schools.obligations import school_facts

# Of the standard's lines: one piece short; of the radios: faulty.
GAP, FAULTY = 0.06, 0.05
# Of the extinguishers: made long enough ago to be past their scrap date.
EXPIRED = 0.08
FLOOR_PIECES = (
    ("extinguisher-dry-powder", 1),
    ("emergency-light", 1),
    ("exit-sign", 2),
    ("hydrant", 1),
)

PLACE_FIELDS = ("id", "school_id", "kind", "name", "gate_id")
ITEM_FIELDS = (
    "id",
    "school_id",
    "equipment_type_id",
    "location_id",
    "asset_tag",
    "manufactured_on",
    "acquired_on",
    "status",
    "last_serviced_on",
    "next_check_on",
    "service_due_on",
    "scrap_on",
)
MOVEMENT_FIELDS = (
    "school_id",
    "kind",
    "equipment_type_id",
    "item_id",
    "quantity",
    "location_id",
    "to_location_id",
    "held_delta",
    "faulty_delta",
    "happened_at",
    "recorded_by_id",
    "reason",
)
BALANCE_FIELDS = ("school_id", "location_id", "equipment_type_id", "held", "faulty")


@functools.cache
def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    # Cached: a province's movements fall on a few thousand distinct days.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@dataclass(frozen=True, slots=True)
class Place:
    """A Location row (PLACE_FIELDS); what handover_lines() reads of a location."""

    pk: int
    school_id: int
    kind: str
    name: str
    gate_id: int | None


@dataclass(slots=True)
class Piece:
    """An Item row (ITEM_FIELDS), its due dates worked out by equipment.services.due_dates."""

    pk: int
    school_id: int
    equipment_type: EquipmentType
    location_id: int
    asset_tag: str
    manufactured_on: datetime.date
    acquired_on: datetime.date
    status: str
    last_serviced_on: datetime.date | None = None
    next_check_on: datetime.date | None = None
    service_due_on: datetime.date | None = None
    scrap_on: datetime.date | None = None

    @classmethod
    def at(
        cls, place: Place, equipment_type, asset_tag, made, acquired, status=None, *, pk=0
    ) -> Piece:
        """A new piece at `place`, its due dates worked out."""
        piece = cls(
            pk,
            place.school_id,
            equipment_type,
            place.pk,
            asset_tag,
            made,
            acquired,
            status or ItemStatus.IN_SERVICE,
        )
        piece.refresh_due_dates()
        return piece

    def refresh_due_dates(self) -> None:
        """As equipment.services.refresh_due_dates does for a saved Item."""
        for field, value in due_dates(
            self.equipment_type,
            manufactured_on=self.manufactured_on,
            acquired_on=self.acquired_on,
            last_serviced_on=self.last_serviced_on,
        ).items():
            setattr(self, field, value)

    def row(self) -> tuple:
        return (
            self.pk,
            self.school_id,
            self.equipment_type.pk,
            self.location_id,
            self.asset_tag,
            self.manufactured_on,
            self.acquired_on,
            self.status,
            self.last_serviced_on,
            self.next_check_on,
            self.service_due_on,
            self.scrap_on,
        )


class Ledger:
    """Movements (MOVEMENT_FIELDS rows) and the balances they add up to, kept in memory."""

    def __init__(self, user):
        self.user_id = user.pk if user is not None else None
        self.movements: list[tuple] = []
        self.balances: dict[tuple[int, int], list] = defaultdict(lambda: [0, 0, 0])

    def move(
        self,
        kind,
        location: Place,
        type_id,
        quantity,
        when,
        *,
        item_id=None,
        to: Place | None = None,
        held=0,
        faulty=0,
        reason="",
    ):
        self.movements.append(
            (
                location.school_id,
                kind,
                type_id,
                item_id,
                quantity,
                location.pk,
                to.pk if to is not None else None,
                held,
                faulty,
                when,
                self.user_id,
                reason,
            )
        )
        if not held and not faulty:
            return
        for place, sign in ((location, 1), (to, -1)):
            if place is not None:
                row = self.balances[(place.pk, type_id)]
                row[0] = place.school_id
                row[1] += sign * held
                row[2] += sign * faulty

    def balance_rows(self):
        for (location_id, type_id), (school_id, held, faulty) in self.balances.items():
            if held or faulty:
                yield school_id, location_id, type_id, held, faulty


@dataclass
class Stock:
    """A batch of schools' places, pieces and ledger, planned and not yet written."""

    places: list[Place]
    pieces: list[Piece]
    ledger: Ledger
    transfers: int

    @functools.cached_property
    def place_of(self) -> dict[int, Place]:
        return {place.pk: place for place in self.places}

    def write(self) -> dict:
        """Every row with one COPY per table; the counts for the summary."""
        with transaction.atomic():
            write_rows(
                Location,
                PLACE_FIELDS,
                ((p.pk, p.school_id, p.kind, p.name, p.gate_id) for p in self.places),
            )
            write_rows(Item, ITEM_FIELDS, (piece.row() for piece in self.pieces))
            write_rows(Movement, MOVEMENT_FIELDS, self.ledger.movements)
            write_rows(StockBalance, BALANCE_FIELDS, self.ledger.balance_rows())
        return {
            "places": len(self.places),
            "pieces": len(self.pieces),
            "movements": len(self.ledger.movements),
        }


def _places(schools, floors) -> list[Place]:
    rows = []
    for school in schools:
        gates = list(school.gates.all())
        rows.append((school.pk, LocationKind.STORE, "器材室", None))
        rows += [(school.pk, LocationKind.GATEHOUSE, f"{g.name}门卫室", g.pk) for g in gates]
        main = gates[0].pk if gates else None
        if main and school.has_protection_booth:
            name = f"{gates[0].name}护学岗亭"
            rows.append((school.pk, LocationKind.PROTECTION_BOOTH, name, main))
        if school.has_police_room:
            rows.append((school.pk, LocationKind.POLICE_ROOM, "校园警务室", None))
        rows.append((school.pk, LocationKind.GUARD, "值班保安", main))
        rows += [
            (school.pk, LocationKind.FLOOR, f"教学楼{n}层", None) for n in range(1, floors + 1)
        ]
    ids = reserve_ids(Location, len(rows))
    return [Place(pk, *row) for pk, row in zip(ids, rows, strict=True)]


def plan_stock(schools, *, user, rng, today, floors=3, spares=True) -> Stock:
    """The stock of every school in `schools` (School objects with gates prefetched), unwritten."""
    schools = list(schools)
    types = {t.code: t for t in EquipmentType.objects.filter(city=None)}
    type_of = {t.pk: t for t in types.values()}
    needed = requirements(school_facts(schools))
    places = _places(schools, floors)
    stores = {p.school_id: p for p in places if p.kind == LocationKind.STORE}
    ledger = Ledger(user)
    # (place, type, made, acquired, faulty) of each serialised piece, in order.
    planned = []
    counted = []
    for place in places:
        lines = dict(needed.get(place.school_id, {}))
        if place.kind == LocationKind.FLOOR:
            for code, quantity in FLOOR_PIECES:
                key = (LocationKind.FLOOR, types[code].pk)
                lines[key] = max(lines.get(key, 0), quantity)
        for (kind, type_id), quantity in lines.items():
            if kind != place.kind:
                continue
            if rng.random() < GAP:
                quantity -= 1
            equipment_type = type_of[type_id]
            if not equipment_type.is_serialised:
                if quantity > 0:
                    counted.append((place, type_id, quantity))
                continue
            for _n in range(quantity):
                scrap = equipment_type.scrap_years or 15
                old = equipment_type.code.startswith("extinguisher") and rng.random() < EXPIRED
                age = (
                    scrap * 365 + rng.randint(20, 400)
                    if old
                    else rng.randint(60, (scrap - 1) * 365)
                )
                made = today - datetime.timedelta(days=age)
                faulty = equipment_type.code == "radio" and rng.random() < FAULTY
                acquired = min(made + datetime.timedelta(days=rng.randint(10, 120)), today)
                planned.append((place, equipment_type, made, acquired, faulty))
    transfers = (
        _transfers(schools, stores, types["extinguisher-dry-powder"], today) if spares else []
    )
    ids = reserve_ids(Item, len(planned) + len(transfers))
    pieces = []
    for pk, (place, equipment_type, made, acquired, faulty) in zip(
        ids[: len(planned)], planned, strict=True
    ):
        tag = f"{place.school_id:05d}-{len(pieces) + 1:06d}"
        status = ItemStatus.FAULTY if faulty else ItemStatus.IN_SERVICE
        pieces.append(Piece.at(place, equipment_type, tag, made, acquired, status, pk=pk))

    for place, type_id, quantity in counted:
        when = at(today - datetime.timedelta(days=rng.randint(40, 700)))
        store = stores[place.school_id]
        ledger.move(MovementKind.RECEIVED, store, type_id, quantity, when, held=quantity)
        ledger.move(MovementKind.ISSUED, store, type_id, quantity, when, to=place, held=-quantity)
    for piece, (place, _type, _made, _acquired, faulty) in zip(pieces, planned, strict=True):
        when = at(piece.acquired_on)
        store = stores[place.school_id]
        type_id = piece.equipment_type.pk
        ledger.move(MovementKind.RECEIVED, store, type_id, 1, when, item_id=piece.pk, held=1)
        ledger.move(
            MovementKind.ISSUED, store, type_id, 1, when, item_id=piece.pk, to=place, held=-1
        )
        if faulty:
            failed = when + datetime.timedelta(days=30)
            ledger.move(MovementKind.FAILED, place, type_id, 1, failed, item_id=piece.pk, faulty=1)
    for pk, (giver, taker, piece) in zip(ids[len(planned) :], transfers, strict=True):
        piece.pk = pk
        pieces.append(piece)
        powder = piece.equipment_type.pk
        ledger.move(
            MovementKind.RECEIVED, giver, powder, 1, at(piece.acquired_on), item_id=pk, held=1
        )
        ledger.move(
            MovementKind.TRANSFERRED,
            giver,
            powder,
            1,
            at(today - datetime.timedelta(days=20)),
            item_id=pk,
            to=taker,
            held=-1,
        )
    return Stock(places=places, pieces=pieces, ledger=ledger, transfers=len(transfers))


def seed_stock(schools, *, user, rng, today, floors=3, spares=True) -> dict:
    """Stock every school in `schools` (School objects with gates prefetched); counts written."""
    return plan_stock(
        schools, user=user, rng=rng, today=today, floors=floors, spares=spares
    ).write()


def _transfers(schools, stores, powder, today) -> list[tuple[Place, Place, Piece]]:
    """In each district, a spare extinguisher bought by one school goes to another (a transfer)."""
    by_district = defaultdict(list)
    for school in schools:
        by_district[school.district_id].append(school)
    moved = []
    made = today - datetime.timedelta(days=200)
    for group in by_district.values():
        if len(group) < 2:
            continue
        giver, taker = stores[group[1].pk], stores[group[0].pk]
        piece = Piece.at(taker, powder, f"{giver.school_id:05d}-T", made, made)
        moved.append((giver, taker, piece))
    return moved


def reset_stock() -> None:
    """Delete every equipment record of the schools (the catalogue and standards stay)."""
    ObligationCompletion.objects.filter(source__startswith="equipment.").delete()
    KitShortage.objects.all().delete()
    KitConfirmation.objects.all().delete()
    ServiceRecord.objects.all().delete()
    AlarmTest.objects.all().delete()
    VideoCheck.objects.all().delete()
    Movement.objects.all().delete()
    StockBalance.objects.all().delete()
    Item.objects.all().delete()
    Location.objects.all().delete()


def schools_with_gates(ids=None):
    schools = School.objects.prefetch_related("gates").order_by("pk")
    return schools.filter(pk__in=ids) if ids is not None else schools
