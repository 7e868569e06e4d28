"""The equipment demo step: stock for every school, services, alarm tests, video checks, handovers.

The stock comes from equipment/seeding.py (bulk, the ledger and balances
consistent); then, in bulk too: a service record for most schools covering
their older extinguishers (the rest stay overdue, red on the pages), the
one-key alarm tests of the last two months (a few missed, a few that did not
reach the police) and a video check each (some keeping under 30 days), each
counted towards its obligation window, and the kit confirmed at yesterday's
handover with a piece missing at a few schools.
"""

import datetime
from collections import Counter

from django.db import transaction
from django.utils import timezone

from campussafety.demo import Step, register
from equipment.choices import LocationKind, MovementKind
from equipment.handover import handover_lines
from equipment.models import (
    AlarmTest,
    EquipmentType,
    Item,
    KitConfirmation,
    KitShortage,
    Location,
    Movement,
    ServiceRecord,
    VideoCheck,
)
from equipment.seeding import reset_stock, schools_with_gates, seed_stock
from equipment.services import refresh_due_dates
from schools.obligation_bulk import record_completions
from schools.obligations import rules_for_cities

SERVICED, ALARM_DONE, NO_POLICE, VIDEO_DONE, SHORT_VIDEO, KIT_MISSING = (
    0.7,
    0.85,
    0.03,
    0.85,
    0.08,
    0.05,
)
FIRMS = (
    "滨州市安泰消防设施维保有限公司",
    "山东鲁消消防技术服务有限公司",
    "滨州众安消防工程有限公司",
)


# Schools stocked at once (memory stays flat whatever their number).
SCHOOL_BATCH = 1000


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def seed_equipment(ctx) -> str:
    if not EquipmentType.objects.filter(city=None).exists():
        # `migrate` creates the national catalogue (0002_default_catalogue); a database
        # emptied since has no types to stock, and the other steps still seed.
        return "no equipment catalogue (manage.py migrate creates it): no stock"
    rng = ctx.rng("equipment")
    user = ctx.users.get("admin")
    ids = [school.pk for school in ctx.schools] if ctx.schools else None
    if ids is None:
        ids = list(schools_with_gates(None).values_list("pk", flat=True))
    counts = Counter()
    # A batch of schools at a time: a province's million pieces are never all in memory.
    for start in range(0, len(ids), SCHOOL_BATCH):
        schools = list(
            schools_with_gates(ids[start : start + SCHOOL_BATCH]).select_related("district")
        )
        counts.update(seed_stock(schools, user=user, rng=rng, today=ctx.today))
        with transaction.atomic():
            counts["services"] += _services(schools, user, rng, ctx.today)
            tests, checks = _alarm_and_video(schools, user, rng, ctx.today)
            counts["confirmations"] += _handovers(schools, user, rng, ctx.today)
        counts["tests"] += tests
        counts["checks"] += checks
    services, tests, checks = counts["services"], counts["tests"], counts["checks"]
    confirmations = counts["confirmations"]
    return (
        f"{counts['places']} equipment places, {counts['pieces']} pieces, "
        f"{counts['movements']} movements, {services} service records, {tests} alarm tests, "
        f"{checks} video checks, {confirmations} kit confirmations"
    )


def _services(schools, user, rng, today) -> int:
    """One service record for most schools, covering its extinguishers due by then."""
    by_school = {}
    for item in (
        Item.objects.filter(school__in=schools, equipment_type__first_service_years__isnull=False)
        .select_related("equipment_type")
        .order_by("pk")
    ):
        by_school.setdefault(item.school_id, []).append(item)
    records, covered = [], []
    for school in schools:
        if rng.random() >= SERVICED:
            continue
        day = today - datetime.timedelta(days=rng.randint(20, 300))
        pieces = [
            item
            for item in by_school.get(school.pk, [])
            if item.service_due_on
            and item.service_due_on <= day + datetime.timedelta(days=60)
            and (item.scrap_on is None or item.scrap_on > day)
        ]
        if not pieces:
            continue
        records.append(
            ServiceRecord(
                school=school,
                firm=rng.choice(FIRMS),
                certificate_number=f"WB{day:%Y%m}-{school.pk:05d}",
                serviced_on=day,
                recorded_by=user,
            )
        )
        covered.append(pieces)
    ServiceRecord.objects.bulk_create(records, batch_size=1000)
    links, movements, changed = [], [], []
    for record, pieces in zip(records, covered, strict=True):
        for item in pieces:
            links.append(ServiceRecord.items.through(servicerecord=record, item=item))
            item.last_serviced_on = record.serviced_on
            refresh_due_dates(item)
            changed.append(item)
            movements.append(
                Movement(
                    school_id=item.school_id,
                    kind=MovementKind.SERVICED,
                    equipment_type_id=item.equipment_type_id,
                    item=item,
                    location_id=item.location_id,
                    happened_at=_at(record.serviced_on, 12),
                    recorded_by=user,
                    reason=f"{record.firm} {record.certificate_number}",
                )
            )
    ServiceRecord.items.through.objects.bulk_create(links, batch_size=2000)
    Item.objects.bulk_update(
        changed,
        ["last_serviced_on", "next_check_on", "service_due_on", "scrap_on"],
        batch_size=2000,
    )
    Movement.objects.bulk_create(movements, batch_size=2000)
    return len(records)


def _alarm_and_video(schools, user, rng, today) -> tuple[int, int]:
    first = today.replace(day=1)
    last_month = (first - datetime.timedelta(days=1)).replace(day=1)
    tests, checks = [], []
    for school in schools:
        gates = list(school.gates.all())
        for month_start in (last_month, first):
            span = ((today if month_start == first else first) - month_start).days
            if span < 1 or rng.random() >= ALARM_DONE:
                continue
            pressed = _at(
                month_start + datetime.timedelta(days=rng.randrange(span)), 10, rng.randint(0, 59)
            )
            reached = rng.random() >= NO_POLICE
            tests.append(
                AlarmTest(
                    school=school,
                    gate=gates[0] if gates else None,
                    pressed_by="门卫值班员",
                    pressed_at=pressed,
                    acknowledged_at=pressed + datetime.timedelta(seconds=rng.randint(20, 180))
                    if reached
                    else None,
                    arrived_at=pressed + datetime.timedelta(minutes=rng.randint(4, 15))
                    if reached
                    else None,
                    recorded_by=user,
                )
            )
        if rng.random() < VIDEO_DONE:
            total = rng.randint(16, 64)
            down = rng.randint(1, 2) if rng.random() < 0.1 else 0
            checks.append(
                VideoCheck(
                    school=school,
                    checked_at=_at(today - datetime.timedelta(days=rng.randint(1, 25)), 15),
                    cameras_total=total,
                    cameras_working=total - down,
                    retention_days=rng.randint(15, 29)
                    if rng.random() < SHORT_VIDEO
                    else rng.randint(30, 90),
                    recorded_by=user,
                )
            )
    AlarmTest.objects.bulk_create(tests, batch_size=1000)
    VideoCheck.objects.bulk_create(checks, batch_size=1000)
    # Each counts towards its window, as a test recorded on the page does.
    rules = rules_for_cities(
        {school.district.city_id for school in schools}, codes=["alarm-test", "video-spot-check"]
    )
    by_code = {
        (city_id, rule.code): rule for city_id, city_rules in rules.items() for rule in city_rules
    }
    record_completions(
        [
            (
                by_code[record.school.district.city_id, code],
                record.school_id,
                moment,
                f"equipment.{type(record)._meta.model_name}:{record.pk}",
            )
            for record, code, moment in [
                *((t, "alarm-test", t.pressed_at) for t in tests),
                *((c, "video-spot-check", c.checked_at) for c in checks),
            ]
            if (record.school.district.city_id, code) in by_code
        ]
    )
    return len(tests), len(checks)


def _handovers(schools, user, rng, today) -> int:
    """Yesterday's handover at each gatehouse: complete, or a piece missing at a few schools."""
    gatehouses = list(
        Location.objects.filter(school__in=schools, kind=LocationKind.GATEHOUSE).order_by("pk")
    )
    lines = handover_lines(gatehouses)
    when = _at(today - datetime.timedelta(days=1), 7, 50)
    confirmations, missing = [], []
    for place in gatehouses:
        short = rng.random() < KIT_MISSING and lines[place.pk]
        confirmations.append(
            KitConfirmation(
                school_id=place.school_id,
                location=place,
                confirmed_at=when,
                confirmed_by=user,
                is_complete=not short,
            )
        )
        missing.append(rng.choice(sorted(lines[place.pk])) if short else None)
    KitConfirmation.objects.bulk_create(confirmations, batch_size=1000)
    KitShortage.objects.bulk_create(
        [
            KitShortage(
                confirmation=confirmation,
                school_id=confirmation.school_id,
                location=confirmation.location,
                equipment_type_id=type_id,
                missing=1,
                found_at=when,
            )
            for confirmation, type_id in zip(confirmations, missing, strict=True)
            if type_id
        ]
    )
    return len(confirmations)


register(
    Step("equipment", seed_equipment, reset_stock, after=("organisation", "accounts", "calendar"))
)
