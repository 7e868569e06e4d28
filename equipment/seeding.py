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
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

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
BATCH = 2000


def _at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Ledger:
    """Movements and balances collected in memory, written in a few bulk inserts."""

    def __init__(self, user):
        self.user = user
        self.movements: list[Movement] = []
        self.balances: dict[tuple[int, int], list] = defaultdict(lambda: [0, 0, 0])

    def move(
        self, kind, location, type_id, quantity, when, *, item=None, to=None, held=0, faulty=0
    ):
        self.movements.append(
            Movement(
                school_id=location.school_id,
                kind=kind,
                equipment_type_id=type_id,
                item=item,
                quantity=quantity,
                location=location,
                to_location=to,
                held_delta=held,
                faulty_delta=faulty,
                happened_at=when,
                recorded_by=self.user,
            )
        )
        for place, sign in ((location, 1), (to, -1)):
            if place is not None:
                row = self.balances[(place.pk, type_id)]
                row[0] = place.school_id
                row[1] += sign * held
                row[2] += sign * faulty

    def write(self):
        Movement.objects.bulk_create(self.movements, batch_size=BATCH)
        StockBalance.objects.bulk_create(
            [
                StockBalance(
                    school_id=school_id,
                    location_id=location_id,
                    equipment_type_id=type_id,
                    held=held,
                    faulty=faulty,
                )
                for (location_id, type_id), (school_id, held, faulty) in self.balances.items()
                if held or faulty
            ],
            batch_size=BATCH,
        )


def _places(schools, floors):
    places = []
    for school in schools:
        gates = list(school.gates.all())
        places.append(Location(school=school, kind=LocationKind.STORE, name="器材室"))
        for gate in gates:
            places.append(
                Location(
                    school=school, kind=LocationKind.GATEHOUSE, name=f"{gate.name}门卫室", gate=gate
                )
            )
        main = gates[0] if gates else None
        if main and school.has_protection_booth:
            places.append(
                Location(
                    school=school,
                    kind=LocationKind.PROTECTION_BOOTH,
                    name=f"{main.name}护学岗亭",
                    gate=main,
                )
            )
        if school.has_police_room:
            places.append(Location(school=school, kind=LocationKind.POLICE_ROOM, name="校园警务室"))
        places.append(Location(school=school, kind=LocationKind.GUARD, name="值班保安", gate=main))
        places += [
            Location(school=school, kind=LocationKind.FLOOR, name=f"教学楼{n}层")
            for n in range(1, floors + 1)
        ]
    return Location.objects.bulk_create(places, batch_size=BATCH)


def seed_stock(schools, *, user, rng, today, floors=3, spares=True) -> dict:
    """Stock every school in `schools` (School objects with gates prefetched); counts written."""
    schools = list(schools)
    types = {t.code: t for t in EquipmentType.objects.filter(city=None)}
    needed = requirements(school_facts(schools))
    with transaction.atomic():
        places = _places(schools, floors)
        stores = {p.school_id: p for p in places if p.kind == LocationKind.STORE}
        ledger = Ledger(user)
        pieces: list[tuple[Item, Location, bool]] = []

        def piece(location, equipment_type, *, age_days, faulty=False):
            made = today - datetime.timedelta(days=age_days)
            acquired = made + datetime.timedelta(days=rng.randint(10, 120))
            item = Item(
                school_id=location.school_id,
                equipment_type=equipment_type,
                location=location,
                asset_tag=f"{location.school_id:05d}-{len(pieces) + 1:06d}",
                manufactured_on=made,
                acquired_on=min(acquired, today),
                status=ItemStatus.FAULTY if faulty else ItemStatus.IN_SERVICE,
            )
            for field, value in due_dates(
                equipment_type, manufactured_on=made, acquired_on=item.acquired_on
            ).items():
                setattr(item, field, value)
            pieces.append((item, location, faulty))

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
                equipment_type = next(t for t in types.values() if t.pk == type_id)
                if equipment_type.is_serialised:
                    for _n in range(quantity):
                        scrap = equipment_type.scrap_years or 15
                        old = (
                            equipment_type.code.startswith("extinguisher")
                            and rng.random() < EXPIRED
                        )
                        age = (
                            scrap * 365 + rng.randint(20, 400)
                            if old
                            else rng.randint(60, (scrap - 1) * 365)
                        )
                        piece(
                            place,
                            equipment_type,
                            age_days=age,
                            faulty=equipment_type.code == "radio" and rng.random() < FAULTY,
                        )
                elif quantity > 0:
                    counted.append((place, type_id, quantity))
        Item.objects.bulk_create([item for item, _place, _faulty in pieces], batch_size=BATCH)

        for place, type_id, quantity in counted:
            when = _at(today - datetime.timedelta(days=rng.randint(40, 700)))
            store = stores[place.school_id]
            ledger.move(MovementKind.RECEIVED, store, type_id, quantity, when, held=quantity)
            ledger.move(
                MovementKind.ISSUED, store, type_id, quantity, when, to=place, held=-quantity
            )
        for item, place, faulty in pieces:
            when = _at(item.acquired_on)
            store = stores[place.school_id]
            type_id = item.equipment_type_id
            ledger.move(MovementKind.RECEIVED, store, type_id, 1, when, item=item, held=1)
            ledger.move(MovementKind.ISSUED, store, type_id, 1, when, item=item, to=place, held=-1)
            if faulty:
                ledger.move(
                    MovementKind.FAILED,
                    place,
                    type_id,
                    1,
                    when + datetime.timedelta(days=30),
                    item=item,
                    faulty=1,
                )
        transfers = _transfers(schools, stores, types, ledger, today) if spares else 0
        ledger.write()
    return {
        "places": len(places),
        "pieces": len(pieces) + transfers,
        "movements": len(ledger.movements),
    }


def _transfers(schools, stores, types, ledger, today) -> int:
    """In each district, a spare extinguisher bought by one school goes to another (a transfer)."""
    by_district = defaultdict(list)
    for school in schools:
        by_district[school.district_id].append(school)
    powder = types["extinguisher-dry-powder"]
    moved = []
    for group in by_district.values():
        if len(group) < 2:
            continue
        giver, taker = stores[group[1].pk], stores[group[0].pk]
        made = today - datetime.timedelta(days=200)
        item = Item(
            school_id=taker.school_id,
            equipment_type=powder,
            location=taker,
            asset_tag=f"{giver.school_id:05d}-T",
            manufactured_on=made,
            acquired_on=made,
            **due_dates(powder, manufactured_on=made, acquired_on=made),
        )
        moved.append((item, giver, taker))
    Item.objects.bulk_create([item for item, _giver, _taker in moved])
    for item, giver, taker in moved:
        ledger.move(
            MovementKind.RECEIVED, giver, powder.pk, 1, _at(item.acquired_on), item=item, held=1
        )
        ledger.move(
            MovementKind.TRANSFERRED,
            giver,
            powder.pk,
            1,
            _at(today - datetime.timedelta(days=20)),
            item=item,
            to=taker,
            held=-1,
        )
    return len(moved)


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
