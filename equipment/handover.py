"""The kit confirmed at each shift handover, from the posts app's duty log page.

The duty log page (posts) shows a slot this module fills through the registry
of campussafety/dutylog.py: for each equipment place at the post's gate, the
pieces its kit standard asks for that are checked at handover, and either
"kit complete" (one tap) or the pieces found missing. A piece still missing
after the city's `handover_resolve_hours` (its kit standard; the national one
otherwise) opens a hazard in the ledger (schools.hazards.report_hazard),
once: `escalate_overdue` is run by the "kit_missing_hazard" sweep
(equipment/reminders.py).
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import ADD, Scope, write_in_scope
from campussafety.dutylog import Slot
from campussafety.ids import any_of
from equipment.choices import LocationKind
from equipment.models import (
    EquipmentType,
    KitConfirmation,
    KitShortage,
    KitStandard,
    Location,
    StockBalance,
)
from equipment.services import requirements
from schools.choices import HazardCategory, HazardLevel
from schools.hazards import HazardReport, report_hazards
from schools.obligations import school_facts

logger = logging.getLogger(__name__)

# The places at a gate whose kit is handed over with the shift.
GATE_KINDS = (
    LocationKind.GATEHOUSE,
    LocationKind.PROTECTION_BOOTH,
    LocationKind.GUARD,
    LocationKind.POLICE_ROOM,
)
DEFAULT_RESOLVE_HOURS = 2


@dataclass
class KitLineState:
    equipment_type_id: int
    name: str
    required: int
    held: int
    # Pieces named missing at a handover and not back yet.
    open_missing: int = 0


@dataclass
class PlaceKit:
    location: Location
    lines: list[KitLineState] = field(default_factory=list)
    last_confirmation: KitConfirmation | None = None

    @property
    def open_missing(self) -> int:
        return sum(line.open_missing for line in self.lines)


def handover_types() -> dict[int, str]:
    """{type id: name} of the types checked at every shift handover (the guard kit)."""
    return dict(EquipmentType.objects.filter(checked_at_handover=True).values_list("pk", "name"))


def handover_lines(locations, handed_over=None) -> dict[int, dict[int, int]]:
    """{location id: {type id: pieces}} the kit standard asks each place to hand over.

    Only the types checked at every shift handover (the guard kit); three
    queries whatever the number of places.
    """
    locations = list(locations)
    facts = school_facts({location.school_id for location in locations})
    needed = requirements(facts)
    handed_over = handed_over if handed_over is not None else handover_types()
    return {
        location.pk: {
            type_id: quantity
            for (kind, type_id), quantity in needed.get(location.school_id, {}).items()
            if kind == location.kind and type_id in handed_over
        }
        for location in locations
    }


def kit_at_gate(user, school_id: int, gate_id: int | None) -> list[PlaceKit]:
    """The places at a gate the user sees, with their handover kit and its state.

    Seven queries: the places, the types checked at handover, the school's
    facts, the standard's lines, the balances, the open missing pieces and the
    latest confirmations.
    """
    if gate_id is None:
        return []
    locations = list(
        Location.objects.for_user(user)
        .filter(school_id=school_id, gate_id=gate_id, is_active=True, kind__in=GATE_KINDS)
        .order_by("kind", "name")
    )
    if not locations:
        return []
    names = handover_types()
    lines = handover_lines(locations, names)
    held = {
        (location_id, type_id): h - f
        for location_id, type_id, h, f in StockBalance.objects.filter(location__in=locations)
        .order_by()
        .values_list("location_id", "equipment_type_id", "held", "faulty")
    }
    missing = {}
    for location_id, type_id, count in (
        KitShortage.objects.open()
        .filter(location__in=locations)
        .values_list("location_id", "equipment_type_id", "missing")
    ):
        missing[(location_id, type_id)] = missing.get((location_id, type_id), 0) + count
    latest = {}
    for confirmation in (
        KitConfirmation.objects.filter(location__in=locations)
        .select_related("confirmed_by")
        .order_by("location_id", "-confirmed_at", "-pk")
    ):
        latest.setdefault(confirmation.location_id, confirmation)
    result = []
    for location in locations:
        place = PlaceKit(location, last_confirmation=latest.get(location.pk))
        for type_id, quantity in sorted(lines[location.pk].items(), key=lambda i: names[i[0]]):
            key = (location.pk, type_id)
            place.lines.append(
                KitLineState(
                    type_id, names[type_id], quantity, held.get(key, 0), missing.get(key, 0)
                )
            )
        result.append(place)
    return result


def check_missing(required: dict[int, int], missing: dict[int, int]) -> None:
    """The one rule for naming missing pieces: a type of the place's kit, 1 to its quantity."""
    errors = []
    for type_id, count in missing.items():
        if type_id not in required:
            errors.append(_("This piece is not part of the kit at this place."))
        elif not 1 <= count <= required[type_id]:
            errors.append(
                _("Between 1 and %(count)s pieces can be missing.") % {"count": required[type_id]}
            )
    if errors:
        raise ValidationError({"missing": errors})


def confirm_kit(
    user, location: Location, missing: dict[int, int] | None = None, *, handover_ref="", now=None
) -> KitConfirmation:
    """Confirm the kit at `location`: complete when nothing is named missing.

    A piece named missing that is already open stays one shortage (its clock
    keeps running from when it was first found); every open shortage of the
    place not named this time is resolved: the piece is back.
    """
    now = now or timezone.now()
    missing = {int(k): int(v) for k, v in (missing or {}).items() if int(v)}
    required = handover_lines([location])[location.pk]
    check_missing(required, missing)

    def write():
        confirmation = KitConfirmation.objects.create(
            school_id=location.school_id,
            location=location,
            confirmed_at=now,
            confirmed_by=user,
            is_complete=not missing,
            handover_ref=handover_ref[:60],
        )
        still_open = KitShortage.objects.open().filter(location=location)
        still_open.exclude(equipment_type_id__in=missing).update(resolved_at=now, resolved_by=user)
        already = dict(
            still_open.filter(equipment_type_id__in=missing).values_list("equipment_type_id", "pk")
        )
        for type_id, count in missing.items():
            if type_id in already:
                KitShortage.objects.filter(pk=already[type_id]).update(missing=count)
        KitShortage.objects.bulk_create(
            KitShortage(
                confirmation=confirmation,
                school_id=location.school_id,
                location=location,
                equipment_type_id=type_id,
                missing=count,
                found_at=now,
            )
            for type_id, count in missing.items()
            if type_id not in already
        )
        return confirmation

    return write_in_scope(user, ADD, write)


def resolve_shortage(user, shortage: KitShortage, now=None) -> KitShortage:
    """The missing piece is back (or replaced)."""
    now = now or timezone.now()

    def write():
        if (
            not KitShortage.objects.open()
            .filter(pk=shortage.pk)
            .update(resolved_at=now, resolved_by=user)
        ):
            raise ValidationError(_("This missing piece is resolved already."))
        shortage.resolved_at, shortage.resolved_by = now, user
        return shortage

    return write_in_scope(user, "resolve", write)


# --- Escalation ------------------------------------------------------------------------------


def resolve_hours() -> tuple[int, dict[int, int]]:
    """(national hours, {city id: hours}) from the kit standards: one query."""
    national, by_city = DEFAULT_RESOLVE_HOURS, {}
    for city_id, district_id, hours in KitStandard.objects.filter(is_active=True).values_list(
        "city_id", "district_id", "handover_resolve_hours"
    ):
        if city_id:
            by_city[city_id] = hours
        elif district_id is None:
            national = hours
    return national, by_city


def overdue_shortages(now):
    """Open shortages past their city's time, not yet handed to the ledger (one query)."""
    national, by_city = resolve_hours()
    cities_by_hours = {}
    for city_id, hours in by_city.items():
        cities_by_hours.setdefault(hours, []).append(city_id)
    condition = Q(found_at__lte=now - datetime.timedelta(hours=national)) & ~Q(
        school__district__city_id__in=list(by_city)
    )
    for hours, city_ids in cities_by_hours.items():
        condition |= Q(
            school__district__city_id__in=city_ids,
            found_at__lte=now - datetime.timedelta(hours=hours),
        )
    return (
        KitShortage.objects.filter(resolved_at__isnull=True, hazard_reported_at__isnull=True)
        .filter(condition)
        .select_related("school", "location", "equipment_type")
        .order_by("found_at", "pk")
    )


# A sweep's backlog is handed over in batches of this many, one transaction each.
ESCALATE_BATCH = 500


def escalate_overdue(now) -> list[KitShortage]:
    """Open a hazard for each missing piece not back in time; each exactly once.

    The shortages are locked (skipping those another sweep holds) and claimed
    in the transaction that files their hazards, a batch at a time, so two
    sweeps at once file each once; the ledger files one hazard per
    `origin_ref` too. A batch costs a fixed number of queries, however many
    pieces and schools it holds. Without a ledger installed nothing is claimed
    and the sweep tries again next time.
    """
    escalated = []
    while True:
        try:
            with transaction.atomic():
                batch = list(
                    overdue_shortages(now).select_for_update(of=("self",), skip_locked=True)[
                        :ESCALATE_BATCH
                    ]
                )
                if not batch:
                    break
                KitShortage.objects.filter(pk__in=any_of(s.pk for s in batch)).update(
                    hazard_reported_at=now
                )
                report_hazards([hazard_report(shortage) for shortage in batch])
        except RuntimeError:
            logger.warning("No hazard ledger installed: missing kit not escalated yet.")
            break
        for shortage in batch:
            shortage.hazard_reported_at = now
        escalated.extend(batch)
        if len(batch) < ESCALATE_BATCH:
            break
    return escalated


def hazard_report(shortage: KitShortage) -> HazardReport:
    return HazardReport(
        school=shortage.school,
        description=_("%(type)s missing at %(place)s since the shift handover (%(count)s).")
        % {
            "type": shortage.equipment_type.name,
            "place": shortage.location.name,
            "count": shortage.missing,
        },
        category=HazardCategory.SECURITY,
        level=HazardLevel.GENERAL,
        place=shortage.location.name,
        origin="handover",
        origin_ref=shortage.origin_ref,
        origin_url=reverse("equipment-checks:school", args=[shortage.school_id]) + "#missing",
        found_at=shortage.found_at,
    )


# --- The duty log's slot ---------------------------------------------------------------------


def duty_log_slot(handover):
    """The kit slot's context: the gate's places, or None when the gate has none."""
    places = kit_at_gate(handover.user, handover.school_id, handover.gate_id)
    if not places:
        return None
    return {
        "places": places,
        # The school's own staff confirm (the places' "stock" right): the places
        # are all at the log's school, so the first one answers for all.
        "may_confirm": Scope.of(handover.user).contains(places[0].location, "stock"),
        "ref": handover.ref,
        "next": handover.url,
    }


DUTYLOG_SLOTS = (Slot(template="equipment/checks/_handover_slot.html", context=duty_log_slot),)
