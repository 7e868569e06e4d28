"""The ledger writes, the due dates a type's rules give, and kit shortfalls against the standard.

Every change of stock goes through `receive` or `record`: each writes one
Movement and updates the StockBalance rows it touches in one transaction, with
conditional updates so that two people taking the last piece at once cannot
both succeed. Nothing is saved when a check fails.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import Scope
from campussafety.ids import any_of
from equipment.choices import ItemStatus, MovementKind
from equipment.models import EquipmentType, Item, KitLine, Location, Movement, StockBalance
from equipment.models.catalogue import STANDARD_KINDS
from schools.obligations import school_facts

MOVES = (MovementKind.ISSUED, MovementKind.TRANSFERRED)
# Kinds that take pieces away from the place for good.
REMOVALS = (MovementKind.LOST, MovementKind.SCRAPPED)
# The status a piece has after each kind of movement (unchanged if not named).
STATUS_AFTER = {
    MovementKind.RECEIVED: ItemStatus.IN_SERVICE,
    MovementKind.FAILED: ItemStatus.FAULTY,
    MovementKind.REPAIRED: ItemStatus.IN_SERVICE,
    MovementKind.LOST: ItemStatus.LOST,
    MovementKind.SCRAPPED: ItemStatus.SCRAPPED,
}


# --- Due dates from the type's rules ----------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def due_dates(
    equipment_type: EquipmentType,
    *,
    manufactured_on=None,
    acquired_on=None,
    last_checked_on=None,
    last_serviced_on=None,
) -> dict:
    """next_check_on, service_due_on and scrap_on of a piece under its type's rules.

    GA 95-2015: a piece is first serviced N years after it was made, then
    every M years after its last service, and scrapped S years after it was
    made. Without a date of manufacture the date it was acquired stands in.
    """
    born = manufactured_on or acquired_on
    next_check = service_due = scrap = None
    if equipment_type.check_interval_days:
        since = last_checked_on or acquired_on or manufactured_on
        if since:
            next_check = since + datetime.timedelta(days=equipment_type.check_interval_days)
    if equipment_type.first_service_years:
        if last_serviced_on:
            if equipment_type.service_every_years:
                service_due = add_years(last_serviced_on, equipment_type.service_every_years)
        elif born:
            service_due = add_years(born, equipment_type.first_service_years)
    if equipment_type.scrap_years and born:
        scrap = add_years(born, equipment_type.scrap_years)
    return {"next_check_on": next_check, "service_due_on": service_due, "scrap_on": scrap}


def refresh_due_dates(item: Item) -> None:
    """Set the item's due dates from its type's rules (not saved)."""
    for field, value in due_dates(
        item.equipment_type,
        manufactured_on=item.manufactured_on,
        acquired_on=item.acquired_on,
        last_checked_on=item.last_checked_on,
        last_serviced_on=item.last_serviced_on,
    ).items():
        setattr(item, field, value)


def refresh_due_dates_of_type(equipment_type: EquipmentType, batch_size: int = 1000) -> int:
    """Work the stored due dates of every held piece of a type out again after its rules changed.

    Years cannot be added in SQL the same way on every database, so the dates
    are computed here and written back in batches. Returns how many changed.
    """
    fields = ("next_check_on", "service_due_on", "scrap_on")
    changed = []
    for item in Item.objects.held().filter(equipment_type=equipment_type).iterator(batch_size):
        item.equipment_type = equipment_type
        before = tuple(getattr(item, field) for field in fields)
        refresh_due_dates(item)
        if tuple(getattr(item, field) for field in fields) != before:
            changed.append(item)
    Item.objects.bulk_update(changed, fields, batch_size=batch_size)
    return len(changed)


# --- The ledger -------------------------------------------------------------------------------


def _require_writer(user, location: Location, to_location: Location | None) -> None:
    """School staff record at their own places; moving stock between schools is the bureaus'."""
    if to_location is not None and to_location.school_id != location.school_id:
        Scope.of(user).require([location, to_location], "transfer")
    else:
        Scope.of(user).require([loc for loc in (location, to_location) if loc], "stock")


def _apply(location: Location, type_id: int, held: int, faulty: int) -> None:
    """Add (held, faulty) to the balance of a place and type, or refuse if it would go below 0.

    One conditional UPDATE: it matches only if the result stays valid, so a
    concurrent write that took the last piece makes this one match nothing.
    """
    if not held and not faulty:
        return
    rows = StockBalance.objects.filter(
        Q(held__gte=-held),
        Q(faulty__gte=-faulty),
        # faulty + Δfaulty ≤ held + Δheld
        Q(held__gte=F("faulty") + (faulty - held)),
        location=location,
        equipment_type_id=type_id,
    )
    if rows.update(held=F("held") + held, faulty=F("faulty") + faulty):
        return
    if held >= 0 and 0 <= faulty <= held:
        try:
            with transaction.atomic():
                StockBalance.objects.create(
                    school_id=location.school_id,
                    location=location,
                    equipment_type_id=type_id,
                    held=held,
                    faulty=faulty,
                )
            return
        except IntegrityError:
            # Another write created the row first: add to it instead.
            if rows.update(held=F("held") + held, faulty=F("faulty") + faulty):
                return
    raise ValidationError(
        _("Not enough at %(location)s: the ledger holds fewer pieces than this takes.")
        % {"location": location.name}
    )


def receive(
    user,
    location: Location,
    equipment_type: EquipmentType,
    quantity: int = 1,
    *,
    asset_tag: str = "",
    serial_number: str = "",
    manufactured_on=None,
    acquired_on=None,
    reason: str = "",
    happened_at=None,
) -> Movement:
    """Stock arriving at a place; a piece tracked on its own gets its Item (quantity 1)."""
    happened_at = happened_at or timezone.now()
    receipt = Receipt(
        location, equipment_type, quantity, asset_tag, serial_number, manufactured_on, acquired_on
    )
    with transaction.atomic():
        _require_writer(user, location, None)
        item = _new_item(receipt, timezone.localdate(happened_at))
        if item is not None:
            # The tag must be new at the school.
            item.validate_constraints()
            item.save()
        movement = Movement.objects.create(
            school_id=location.school_id,
            kind=MovementKind.RECEIVED,
            equipment_type=equipment_type,
            item=item,
            quantity=quantity,
            location=location,
            held_delta=quantity,
            happened_at=happened_at,
            recorded_by=user,
            reason=reason,
        )
        _apply(location, equipment_type.pk, quantity, 0)
    return movement


@dataclass(frozen=True)
class Receipt:
    """Stock arriving at a place: one piece tracked on its own, or a quantity of a type."""

    location: Location
    equipment_type: EquipmentType
    quantity: int = 1
    asset_tag: str = ""
    serial_number: str = ""
    manufactured_on: datetime.date | None = None
    acquired_on: datetime.date | None = None


def _new_item(receipt: Receipt, day: datetime.date) -> Item | None:
    """The unsaved Item a receipt brings (None for untracked stock), or ValidationError."""
    if receipt.quantity < 1:
        raise ValidationError({"quantity": _("Give a quantity of at least 1.")})
    if not receipt.equipment_type.is_serialised:
        if receipt.asset_tag or receipt.serial_number or receipt.manufactured_on:
            raise ValidationError(_("Only pieces tracked one by one have tags and dates."))
        return None
    if receipt.quantity != 1:
        raise ValidationError(
            {"quantity": _("Pieces tracked one by one are received one at a time.")}
        )
    item = Item(
        school_id=receipt.location.school_id,
        equipment_type=receipt.equipment_type,
        location=receipt.location,
        asset_tag=receipt.asset_tag,
        serial_number=receipt.serial_number,
        manufactured_on=receipt.manufactured_on,
        acquired_on=receipt.acquired_on or day,
    )
    refresh_due_dates(item)
    # The references are checked already.
    item.clean_fields(exclude=["school", "equipment_type", "location"])
    return item


def receive_many(user, receipts, *, reason: str = "", happened_at=None) -> list[Movement]:
    """Many receipts (an imported spreadsheet) in one transaction: all of them or none.

    The same rules as receive(), written in bulk: one scope check for all the
    places, the pieces and the movements inserted in batches, and one balance
    update per place and type. A tag already used at the school is refused by
    the database's constraint, which undoes the whole batch.
    """
    happened_at = happened_at or timezone.now()
    day = timezone.localdate(happened_at)
    receipts = list(receipts)
    if not receipts:
        return []
    with transaction.atomic():
        places = {receipt.location.pk: receipt.location for receipt in receipts}
        Scope.of(user).require(list(places.values()), "stock")
        items = [_new_item(receipt, day) for receipt in receipts]
        try:
            with transaction.atomic():
                Item.objects.bulk_create([item for item in items if item], batch_size=500)
        except IntegrityError as exc:
            raise ValidationError(_("An asset tag is already used at this school.")) from exc
        movements = Movement.objects.bulk_create(
            [
                Movement(
                    school_id=receipt.location.school_id,
                    kind=MovementKind.RECEIVED,
                    equipment_type=receipt.equipment_type,
                    item=item,
                    quantity=receipt.quantity,
                    location=receipt.location,
                    held_delta=receipt.quantity,
                    happened_at=happened_at,
                    recorded_by=user,
                    reason=reason,
                )
                for receipt, item in zip(receipts, items, strict=True)
            ],
            batch_size=500,
        )
        totals: dict[tuple[int, int], int] = defaultdict(int)
        for receipt in receipts:
            totals[(receipt.location.pk, receipt.equipment_type.pk)] += receipt.quantity
        for (location_id, type_id), quantity in totals.items():
            _apply(places[location_id], type_id, quantity, 0)
    return movements


def record(
    user,
    kind: str,
    *,
    location: Location | None = None,
    equipment_type: EquipmentType | None = None,
    item: Item | None = None,
    quantity: int = 1,
    to_location: Location | None = None,
    reason: str = "",
    report: str = "",
    happened_at=None,
) -> Movement:
    """Any movement but a receipt: of one `item`, or of a `quantity` of an untracked type.

    A piece is locked while it moves, so two people cannot scrap or issue it
    twice; pieces counted by quantity are protected by the balance's
    conditional update.
    """
    if kind == MovementKind.RECEIVED:
        raise ValueError("Use receive() for stock arriving.")
    if kind not in MovementKind.values:
        raise ValidationError({"kind": _("Not a kind of movement: %(kind)s") % {"kind": kind}})
    happened_at = happened_at or timezone.now()
    if kind == MovementKind.LOST and not report.strip():
        raise ValidationError({"report": _("A loss is reported in writing.")})
    if (kind in MOVES) != (to_location is not None):
        raise ValidationError(
            {"to_location": _("Issues and transfers, and only they, name where the stock goes.")}
        )
    with transaction.atomic():
        if item is not None:
            item = Item.objects.select_for_update().select_related("equipment_type").get(pk=item.pk)
            if item.location_id is None:
                raise ValidationError(_("This piece is no longer held."))
            location, equipment_type, quantity = item.location, item.equipment_type, 1
        elif equipment_type is None or location is None:
            raise ValueError("Name an item, or a type and a location.")
        elif equipment_type.is_serialised:
            raise ValidationError(_("Name the piece: this type is tracked one by one."))
        if quantity < 1:
            raise ValidationError({"quantity": _("Give a quantity of at least 1.")})
        if to_location is not None and to_location.pk == location.pk:
            raise ValidationError({"to_location": _("The stock is already there.")})
        if (
            kind == MovementKind.ISSUED
            and to_location is not None
            and to_location.school_id != location.school_id
        ):
            raise ValidationError({"to_location": _("Stock goes to another school by transfer.")})
        _require_writer(user, location, to_location)

        held, faulty = _effect(kind, item, quantity)
        movement = Movement.objects.create(
            school_id=location.school_id,
            kind=kind,
            equipment_type=equipment_type,
            item=item,
            quantity=quantity,
            location=location,
            to_location=to_location,
            held_delta=held,
            faulty_delta=faulty,
            happened_at=happened_at,
            recorded_by=user,
            reason=reason,
            report=report,
        )
        _apply(location, equipment_type.pk, held, faulty)
        if to_location is not None:
            _apply(to_location, equipment_type.pk, -held, -faulty)
        if item is not None:
            _update_item(item, kind, to_location, timezone.localdate(happened_at))
    return movement


def _effect(kind: str, item: Item | None, quantity: int) -> tuple[int, int]:
    """(held, faulty) change at the movement's place."""
    is_faulty = item is not None and item.status == ItemStatus.FAULTY
    if kind == MovementKind.FAILED:
        if is_faulty:
            raise ValidationError(_("This piece is already faulty."))
        return 0, quantity
    if kind == MovementKind.REPAIRED:
        if item is not None and not is_faulty:
            raise ValidationError(_("Only a faulty piece is repaired."))
        return 0, -quantity
    if kind in MOVES or kind in REMOVALS:
        return -quantity, -quantity if is_faulty else 0
    return 0, 0


def _update_item(item: Item, kind: str, to_location, day: datetime.date) -> None:
    item.status = STATUS_AFTER.get(kind, item.status)
    if kind in MOVES:
        item.location = to_location
        if item.school_id != to_location.school_id:
            item.school_id = to_location.school_id
            # Its tag must be new at the receiving school too.
            item.validate_constraints()
    elif kind in REMOVALS:
        item.location = None
    elif kind == MovementKind.CHECKED:
        item.last_checked_on = day
    elif kind == MovementKind.SERVICED:
        item.last_serviced_on = day
    refresh_due_dates(item)
    item.save()


def stock_from_ledger(school_ids) -> dict[tuple[int, int], tuple[int, int]]:
    """(location, type) → (held, faulty) summed from the movements alone: the recount.

    Two aggregate queries: the effects at the movements' places, and their
    opposites at the places stock was moved to.
    """
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    sides = (("location", 1), ("to_location", -1))
    for field, sign in sides:
        rows = (
            Movement.objects.filter(**{f"{field}__school_id__in": list(school_ids)})
            .order_by()
            .values_list(f"{field}_id", "equipment_type_id")
            .annotate(held=Sum("held_delta"), faulty=Sum("faulty_delta"))
        )
        for location_id, type_id, held, faulty in rows:
            totals[(location_id, type_id)][0] += sign * held
            totals[(location_id, type_id)][1] += sign * faulty
    return {key: (held, faulty) for key, (held, faulty) in totals.items() if held or faulty}


# --- Kit shortfalls ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    """A place at a school holding fewer usable pieces of a type than its standard asks."""

    school_id: int
    location_id: int
    location_kind: str
    equipment_type_id: int
    required: int
    usable: int

    @property
    def missing(self) -> int:
        return self.required - self.usable


def requirements(facts) -> dict[int, dict[tuple[str, int], int]]:
    """School id → (location kind, type id) → pieces each such place must hold.

    A city's standard replaces the national one; a district's adds to it;
    lines for the school's size band (or for every band) add up. One query.
    """
    city_ids = {school.city_id for school in facts}
    district_ids = {school.district_id for school in facts}
    lines = (
        KitLine.objects.filter(standard__is_active=True)
        .filter(
            Q(standard__city__isnull=True, standard__district__isnull=True)
            | Q(standard__city_id__in=city_ids)
            | Q(standard__district_id__in=district_ids)
        )
        .values_list(
            "standard_id",
            "standard__city_id",
            "standard__district_id",
            "location_kind",
            "equipment_type_id",
            "quantity",
            "size_bands",
        )
    )
    by_owner = defaultdict(list)
    for _standard, city_id, district_id, kind, type_id, quantity, bands in lines:
        owner = ("district", district_id) if district_id else ("city", city_id)
        by_owner[owner].append((kind, type_id, quantity, bands))
    result = {}
    for school in facts:
        base = by_owner.get(("city", school.city_id)) or by_owner.get(("city", None), [])
        needed: dict[tuple[str, int], int] = defaultdict(int)
        band = school.size_band
        for kind, type_id, quantity, bands in (
            *base,
            *by_owner.get(("district", school.district_id), ()),
        ):
            if not bands or band in bands:
                needed[(kind, type_id)] += quantity
        result[school.pk] = needed
    return result


def stock_by_place(school_ids, today: datetime.date) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(location, type) → (usable, held, faulty) at `school_ids`: what counts against the standard.

    Usable pieces are held, not faulty and not past their scrap date. Two
    queries: the balances, and the pieces in service past their scrap date.
    """
    stock = {
        (location_id, type_id): [held - faulty, held, faulty]
        for location_id, type_id, held, faulty in StockBalance.objects.filter(
            school_id__in=any_of(school_ids)
        )
        .order_by()
        .values_list("location_id", "equipment_type_id", "held", "faulty")
    }
    # Served by the index on (school, scrap_on).
    expired = (
        Item.objects.filter(
            school_id__in=any_of(school_ids), status=ItemStatus.IN_SERVICE, scrap_on__lte=today
        )
        .order_by()
        .values_list("location_id", "equipment_type_id")
        .annotate(count=Count("pk"))
    )
    for location_id, type_id, count in expired:
        stock[(location_id, type_id)][0] -= count
    return {key: tuple(pieces) for key, pieces in stock.items()}


def shortfalls(schools, today: datetime.date | None = None) -> list[Shortfall]:
    """Every place at `schools` (a queryset, or schools or ids) short of its standard.

    A piece counts if it is held, not faulty and not past its scrap date.
    Five queries whatever the number of schools: the schools' facts, the
    standards' lines, the places, the balances there, and the pieces in
    service past their scrap date.
    """
    today = today or timezone.localdate()
    facts = school_facts(schools)
    needed = requirements(facts)
    school_ids = list(needed)
    # No ordering: the models' default orderings would join the schools and districts.
    locations = (
        Location.objects.filter(
            school_id__in=any_of(school_ids), is_active=True, kind__in=STANDARD_KINDS
        )
        .order_by()
        .values_list("pk", "school_id", "kind")
    )
    usable = {key: pieces[0] for key, pieces in stock_by_place(school_ids, today).items()}
    result = []
    for location_id, school_id, kind in locations:
        for (line_kind, type_id), required in needed[school_id].items():
            if line_kind != kind:
                continue
            have = usable.get((location_id, type_id), 0)
            if have < required:
                result.append(Shortfall(school_id, location_id, kind, type_id, required, have))
    result.sort(key=lambda s: (s.school_id, s.location_id, s.equipment_type_id))
    return result
