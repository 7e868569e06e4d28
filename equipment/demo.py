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

from campussafety.bulk import reserve_ids, write_rows
from campussafety.demo import Step, register
from equipment.choices import LocationKind, MovementKind
from equipment.handover import handover_lines
from equipment.models import (
    AlarmTest,
    EquipmentType,
    KitConfirmation,
    KitShortage,
    ServiceRecord,
    VideoCheck,
)
from equipment.seeding import at, plan_stock, reset_stock, schools_with_gates
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

SERVICE_FIELDS = ("id", "school_id", "firm", "certificate_number", "serviced_on", "recorded_by_id")
ALARM_FIELDS = (
    "id",
    "school_id",
    "gate_id",
    "pressed_by",
    "pressed_at",
    "acknowledged_at",
    "arrived_at",
    "recorded_by_id",
)
VIDEO_FIELDS = (
    "id",
    "school_id",
    "checked_at",
    "cameras_total",
    "cameras_working",
    "retention_days",
    "recorded_by_id",
)
CONFIRMATION_FIELDS = (
    "id",
    "school_id",
    "location_id",
    "confirmed_at",
    "confirmed_by_id",
    "is_complete",
)
SHORTAGE_FIELDS = (
    "confirmation_id",
    "school_id",
    "location_id",
    "equipment_type_id",
    "missing",
    "found_at",
)


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
        stock = plan_stock(schools, user=user, rng=rng, today=ctx.today)
        # Serviced pieces are written once, with the due dates their service gives them.
        counts["services"] += _services(stock, schools, user, rng, ctx.today)
        counts.update(stock.write())
        tests, checks = _alarm_and_video(schools, user, rng, ctx.today)
        counts["confirmations"] += _handovers(stock, user, rng, ctx.today)
        counts["tests"] += tests
        counts["checks"] += checks
    services, tests, checks = counts["services"], counts["tests"], counts["checks"]
    confirmations = counts["confirmations"]
    return (
        f"{counts['places']} equipment places, {counts['pieces']} pieces, "
        f"{counts['movements']} movements, {services} service records, {tests} alarm tests, "
        f"{checks} video checks, {confirmations} kit confirmations"
    )


def _services(stock, schools, user, rng, today) -> int:
    """One service record for most schools, covering its extinguishers due by then.

    Written now; the pieces it covers get their new due dates and a movement
    in `stock`, which is written after.
    """
    by_school = {}
    for piece in stock.pieces:
        if piece.equipment_type.first_service_years is not None:
            by_school.setdefault(piece.school_id, []).append(piece)
    records, covered = [], []
    for school in schools:
        if rng.random() >= SERVICED:
            continue
        day = today - datetime.timedelta(days=rng.randint(20, 300))
        pieces = [
            piece
            for piece in by_school.get(school.pk, [])
            if piece.service_due_on
            and piece.service_due_on <= day + datetime.timedelta(days=60)
            and (piece.scrap_on is None or piece.scrap_on > day)
        ]
        if not pieces:
            continue
        firm = rng.choice(FIRMS)
        records.append([school.pk, firm, f"WB{day:%Y%m}-{school.pk:05d}", day, user.pk])
        covered.append(pieces)
    for pk, record in zip(reserve_ids(ServiceRecord, len(records)), records, strict=True):
        record.insert(0, pk)
    links = []
    for (pk, _school, firm, certificate, day, _user), pieces in zip(records, covered, strict=True):
        for piece in pieces:
            links.append((pk, piece.pk))
            piece.last_serviced_on = day
            piece.refresh_due_dates()
            stock.ledger.move(
                MovementKind.SERVICED,
                stock.place_of[piece.location_id],
                piece.equipment_type.pk,
                1,
                at(day, 12),
                item_id=piece.pk,
                reason=f"{firm} {certificate}",
            )
    write_rows(ServiceRecord, SERVICE_FIELDS, records)
    write_rows(ServiceRecord.items.through, ("servicerecord_id", "item_id"), links)
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
            pressed = at(
                month_start + datetime.timedelta(days=rng.randrange(span)), 10, rng.randint(0, 59)
            )
            acknowledged = arrived = None
            if rng.random() >= NO_POLICE:
                acknowledged = pressed + datetime.timedelta(seconds=rng.randint(20, 180))
                arrived = pressed + datetime.timedelta(minutes=rng.randint(4, 15))
            tests.append(
                (
                    school,
                    gates[0].pk if gates else None,
                    "门卫值班员",
                    pressed,
                    acknowledged,
                    arrived,
                    user.pk,
                )
            )
        if rng.random() < VIDEO_DONE:
            total = rng.randint(16, 64)
            down = rng.randint(1, 2) if rng.random() < 0.1 else 0
            checked = at(today - datetime.timedelta(days=rng.randint(1, 25)), 15)
            short = rng.random() < SHORT_VIDEO
            kept = rng.randint(15, 29) if short else rng.randint(30, 90)
            checks.append((school, checked, total, total - down, kept, user.pk))
    tests = [
        (pk, *test) for pk, test in zip(reserve_ids(AlarmTest, len(tests)), tests, strict=True)
    ]
    checks = [
        (pk, *check) for pk, check in zip(reserve_ids(VideoCheck, len(checks)), checks, strict=True)
    ]
    write_rows(AlarmTest, ALARM_FIELDS, ((pk, school.pk, *rest) for pk, school, *rest in tests))
    write_rows(VideoCheck, VIDEO_FIELDS, ((pk, school.pk, *rest) for pk, school, *rest in checks))
    # Each counts towards its window, as a test recorded on the page does.
    rules = rules_for_cities(
        {school.district.city_id for school in schools}, codes=["alarm-test", "video-spot-check"]
    )
    by_code = {
        (city_id, rule.code): rule for city_id, city_rules in rules.items() for rule in city_rules
    }
    done = [
        *(
            (school, "alarm-test", pressed, f"equipment.alarmtest:{pk}")
            for pk, school, _gate, _by, pressed, *_ in tests
        ),
        *(
            (school, "video-spot-check", checked, f"equipment.videocheck:{pk}")
            for pk, school, checked, *_ in checks
        ),
    ]
    record_completions(
        [
            (by_code[school.district.city_id, code], school.pk, moment, source)
            for school, code, moment, source in done
            if (school.district.city_id, code) in by_code
        ]
    )
    return len(tests), len(checks)


def _handovers(stock, user, rng, today) -> int:
    """Yesterday's handover at each gatehouse: complete, or a piece missing at a few schools."""
    gatehouses = [place for place in stock.places if place.kind == LocationKind.GATEHOUSE]
    lines = handover_lines(gatehouses)
    when = at(today - datetime.timedelta(days=1), 7, 50)
    ids = reserve_ids(KitConfirmation, len(gatehouses))
    confirmations, shortages = [], []
    for pk, place in zip(ids, gatehouses, strict=True):
        short = rng.random() < KIT_MISSING and lines[place.pk]
        confirmations.append((pk, place.school_id, place.pk, when, user.pk, not short))
        if short:
            missing = rng.choice(sorted(lines[place.pk]))
            shortages.append((pk, place.school_id, place.pk, missing, 1, when))
    write_rows(KitConfirmation, CONFIRMATION_FIELDS, confirmations)
    write_rows(KitShortage, SHORTAGE_FIELDS, shortages)
    return len(confirmations)


register(
    Step("equipment", seed_equipment, reset_stock, after=("organisation", "accounts", "calendar"))
)
