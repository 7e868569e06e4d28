"""Hazards written in bulk, with the history the services would have left: for the demo and
the benchmark.

Each school gets hazards found over a span of days, each carried along its
lifecycle as far as its age makes likely (old ones mostly struck off, recent
ones anywhere from reported to re-checked), with the events, deadlines, people
and times the services (inspections/hazards.py) would have written, ledger
numbers per school and year, the sequences the next number counts on,
supervision orders on open major hazards, and recurrences found by the same
rule as the service's: the same category at the same checkpoint within the
window after one was struck off. Deterministic for a given random generator.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from campussafety.bulk import write_rows
from inspections.choices import (
    HazardCategory,
    HazardEventKind,
    HazardLevel,
    HazardPhotoKind,
    HazardState,
    SupervisionLevel,
)
from inspections.models import (
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardSequence,
    SupervisionOrder,
    SupervisionReport,
)

S, K = HazardState, HazardEventKind
DESCRIPTIONS = {
    HazardCategory.FIRE: [
        "灭火器压力不足",
        "消防通道堆放杂物",
        "应急照明灯不亮",
        "安全出口指示灯损坏",
    ],
    HazardCategory.ELECTRICAL: ["配电箱未上锁", "电线私拉乱接", "插座松动发热"],
    HazardCategory.BUILDING: ["楼梯扶手松动", "外墙瓷砖空鼓", "围墙局部开裂"],
    HazardCategory.SECURITY: ["监控摄像头故障", "围墙护栏缺损", "一键报警装置失灵"],
    HazardCategory.DORMITORY: ["宿舍违规使用电器", "宿舍疏散通道不畅"],
}
# States of hazards found within RECENT_DAYS, and of older ones, with their weights.
RECENT_DAYS = 120
RECENT = [
    (S.REPORTED, 8),
    (S.CONFIRMED, 6),
    (S.RECTIFYING, 25),
    (S.SUBMITTED, 10),
    (S.RETURNED, 4),
    (S.VERIFIED, 5),
    (S.CLOSED, 36),
    (S.REJECTED, 6),
]
OLD = [(S.CLOSED, 92), (S.REJECTED, 6), (S.RECTIFYING, 2)]
LEVELS = [(HazardLevel.GENERAL, 80), (HazardLevel.SERIOUS, 15), (HazardLevel.MAJOR, 5)]
DEADLINE_DAYS = {HazardLevel.GENERAL: 7, HazardLevel.SERIOUS: 15, HazardLevel.MAJOR: 30}
RECURRENCE_DAYS = 90
# The moves a hazard in each state has made since it was reported.
PATH = {
    S.REPORTED: [],
    S.CONFIRMED: [K.CONFIRMED],
    S.RECTIFYING: [K.CONFIRMED, K.ASSIGNED],
    S.SUBMITTED: [K.CONFIRMED, K.ASSIGNED, K.SUBMITTED],
    S.RETURNED: [K.CONFIRMED, K.ASSIGNED, K.SUBMITTED, K.RETURNED],
    S.VERIFIED: [K.CONFIRMED, K.ASSIGNED, K.SUBMITTED, K.VERIFIED],
    S.CLOSED: [K.CONFIRMED, K.ASSIGNED, K.SUBMITTED, K.VERIFIED, K.CLOSED],
    S.REJECTED: [K.REJECTED],
    S.MERGED: [K.MERGED],
}
TO_STATE = {
    K.CONFIRMED: S.CONFIRMED,
    K.ASSIGNED: S.RECTIFYING,
    K.SUBMITTED: S.SUBMITTED,
    K.RETURNED: S.RETURNED,
    K.VERIFIED: S.VERIFIED,
    K.CLOSED: S.CLOSED,
    K.REJECTED: S.REJECTED,
    K.MERGED: S.MERGED,
}
SCHOOL_BATCH = 100


@dataclass
class People:
    """Who acts at a school: reports and rectifies, re-checks, and (bureau) supervises."""

    rectifier_id: int | None = None
    verifier_id: int | None = None
    bureau_id: int | None = None


@dataclass
class Plan:
    hazard: Hazard
    events: list = field(default_factory=list)
    recurrence_of: int | None = None  # index in the batch
    merged_into: int | None = None  # index in the batch
    major_open: bool = False
    bureau_id: int | None = None


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _moves(rng, hazard, state, now, people, major):
    """The events of `hazard` reaching `state` ((kind, at, actor id)), and its fields set."""
    found = hazard.found_at
    days = DEADLINE_DAYS[hazard.level]
    times = {
        K.CONFIRMED: found + datetime.timedelta(hours=rng.randint(2, 30)),
        K.ASSIGNED: found + datetime.timedelta(hours=rng.randint(31, 60)),
        K.SUBMITTED: found + datetime.timedelta(days=rng.uniform(2, days * 1.3)),
        K.REJECTED: found + datetime.timedelta(hours=rng.randint(2, 30)),
    }
    times[K.MERGED] = times[K.REJECTED]
    times[K.RETURNED] = times[K.SUBMITTED] + datetime.timedelta(hours=rng.randint(4, 48))
    times[K.VERIFIED] = times[K.SUBMITTED] + datetime.timedelta(hours=rng.randint(4, 72))
    times[K.SIGNED_OFF] = times[K.VERIFIED] + datetime.timedelta(hours=rng.randint(2, 48))
    times[K.CLOSED] = times[K.SIGNED_OFF] + datetime.timedelta(hours=1)
    path = list(PATH[state])
    if major and K.VERIFIED in path:
        path.insert(path.index(K.VERIFIED) + 1, K.SIGNED_OFF)
    actor = {
        K.CONFIRMED: people.verifier_id,
        K.ASSIGNED: people.verifier_id,
        K.SUBMITTED: people.rectifier_id,
        K.RETURNED: people.verifier_id,
        K.VERIFIED: people.verifier_id,
        K.SIGNED_OFF: people.bureau_id,
        K.CLOSED: people.verifier_id,
        K.REJECTED: people.verifier_id,
        K.MERGED: people.verifier_id,
    }
    events = [(K.REPORTED, found, people.rectifier_id)]
    latest = now - datetime.timedelta(minutes=len(path) + 1)
    for n, kind in enumerate(path):
        # Nothing happens in the future: a late step is squeezed in before now.
        at = min(times[kind], latest + datetime.timedelta(minutes=n))
        at = max(at, events[-1][1] + datetime.timedelta(seconds=1))
        events.append((kind, at, actor[kind]))
    when = {kind: at for kind, at, _actor in events}
    if K.CONFIRMED in when:
        hazard.deadline = timezone.localdate(found) + datetime.timedelta(days=days)
    if K.ASSIGNED in when:
        hazard.responsible_person_id = people.rectifier_id
        hazard.responsible_unit = "总务处"
        hazard.measures = "限期整改，落实责任人"
    if K.SUBMITTED in when:
        hazard.rectification = "已整改完毕"
        hazard.submitted_by_id, hazard.submitted_at = people.rectifier_id, when[K.SUBMITTED]
    if K.VERIFIED in when:
        hazard.verified_by_id, hazard.verified_at = people.verifier_id, when[K.VERIFIED]
    if K.SIGNED_OFF in when:
        hazard.signed_off_by_id, hazard.signed_off_at = people.bureau_id, when[K.SIGNED_OFF]
    if K.CLOSED in when:
        hazard.closed_at = when[K.CLOSED]
    hazard.state = state
    return events


def plan_school(
    rng, school_id, checkpoint_ids, count, today, span_days, people, now, newest=(), taken=None
):
    """`count` hazards of one school found over the last `span_days`, oldest first; the
    newest ones in the states `newest` names, if any; numbered after `taken` ({year: last})."""
    places = checkpoint_ids[:6] or [None]
    categories = rng.sample(list(DESCRIPTIONS), 3)
    found = sorted(
        timezone.make_aware(
            datetime.datetime.combine(
                today - datetime.timedelta(days=rng.randint(0, span_days)),
                datetime.time(rng.randint(7, 17), rng.randint(0, 59)),
            )
        )
        for _n in range(count)
    )
    found = [min(at, now - datetime.timedelta(hours=1)) for at in found]
    plans, numbers, last_closed = [], defaultdict(int, taken or {}), {}
    forced = dict(zip(range(count - len(newest), count), newest, strict=True))
    for n, at in enumerate(found):
        category = rng.choice(categories)
        checkpoint_id = rng.choice(places)
        level = _pick(rng, LEVELS)
        age = (today - timezone.localdate(at)).days
        state = forced.get(n) or _pick(rng, OLD if age > RECENT_DAYS else RECENT)
        year = timezone.localtime(at).year
        numbers[year] += 1
        hazard = Hazard(
            school_id=school_id,
            year=year,
            number=numbers[year],
            found_at=at,
            checkpoint_id=checkpoint_id,
            place="" if checkpoint_id else "校园",
            category=category,
            description=rng.choice(DESCRIPTIONS[category]),
            level=level,
            interim_measures="设置警示标志" if level != HazardLevel.GENERAL else "",
            origin="direct",
            reported_by_id=people.rectifier_id,
        )
        major = level == HazardLevel.MAJOR
        plan = Plan(hazard, _moves(rng, hazard, state, now, people, major))
        plan.bureau_id = people.bureau_id
        plan.major_open = major and state not in (S.CLOSED, S.REJECTED)
        earlier = last_closed.get((checkpoint_id, category))
        if earlier is not None and checkpoint_id is not None:
            index, closed_at = earlier
            if closed_at <= at <= closed_at + datetime.timedelta(days=RECURRENCE_DAYS):
                plan.recurrence_of = index
        if hazard.closed_at is not None:
            last_closed[checkpoint_id, category] = (len(plans), hazard.closed_at)
        hazard.created = hazard.updated = now
        plans.append(plan)
    return plans, dict(numbers)


# The columns written (campussafety.bulk.write_rows: plain values, several times faster
# than bulk_create at a city's scale); the others take their defaults.
HAZARD_FIELDS = (
    "school_id",
    "year",
    "number",
    "found_at",
    "checkpoint_id",
    "place",
    "category",
    "description",
    "level",
    "interim_measures",
    "responsible_unit",
    "responsible_person_id",
    "measures",
    "deadline",
    "rectification",
    "submitted_by_id",
    "submitted_at",
    "verified_by_id",
    "verified_at",
    "signed_off_by_id",
    "signed_off_at",
    "closed_at",
    "state",
    "supervised",
    "origin",
    "reported_by_id",
)
EVENT_FIELDS = ("hazard_id", "kind", "from_state", "to_state", "actor_id", "at", "note")


def _event_rows(plans):
    for plan in plans:
        previous = ""
        for kind, at, actor_id in plan.events:
            to_state = S.REPORTED if kind == K.REPORTED else TO_STATE.get(kind, "")
            yield (plan.hazard.pk, kind, previous if to_state else "", to_state, actor_id, at, "")
            previous = to_state or previous


def write(plans, sequences, now, photo_paths=None) -> dict:
    """Save one batch of plans: hazards, events, sequences, supervision, photos."""
    for plan in plans:
        # Supervised from the start; a duplicate is written as rejected, then named
        # (hazard_merged_names_original wants the original, which needs its id).
        plan.hazard.supervised = plan.major_open
        if plan.merged_into is not None:
            plan.hazard.state = S.REJECTED
    write_rows(
        Hazard,
        HAZARD_FIELDS,
        [tuple(getattr(plan.hazard, name) for name in HAZARD_FIELDS) for plan in plans],
    )
    # The ids back by the natural key (campussafety.bulk returns none).
    ids = {
        (school, year, number): pk
        for school, year, number, pk in Hazard.objects.filter(
            school_id__in={plan.hazard.school_id for plan in plans}
        ).values_list("school_id", "year", "number", "pk")
    }
    for plan in plans:
        hazard = plan.hazard
        hazard.pk = ids[hazard.school_id, hazard.year, hazard.number]
        hazard._state.adding = False
    named = []
    for plan in plans:
        if plan.recurrence_of is not None:
            plan.hazard.recurrence_of_id = plans[plan.recurrence_of].hazard.pk
            named.append(plan.hazard)
        if plan.merged_into is not None:
            plan.hazard.duplicate_of_id = plans[plan.merged_into].hazard.pk
            plan.hazard.state = S.MERGED
            named.append(plan.hazard)
    if named:
        Hazard.objects.bulk_update(
            named, ["recurrence_of", "duplicate_of", "state"], batch_size=500
        )
    events = write_rows(HazardEvent, EVENT_FIELDS, _event_rows(plans))
    HazardSequence.objects.bulk_create(
        [HazardSequence(school_id=s, year=y, last=n) for (s, y), n in sequences.items()],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["school", "year"],
        update_fields=["last"],
    )
    orders = _supervise([plan for plan in plans if plan.major_open], now)
    photos = _photos(plans, photo_paths) if photo_paths else 0
    return {"hazards": len(plans), "events": events, "orders": orders, "photos": photos}


def _supervise(plans, now) -> int:
    """Every open major hazard under the district's supervision, with one progress report."""
    orders = []
    for plan in plans:
        hazard = plan.hazard
        orders.append(
            SupervisionOrder(
                hazard=hazard,
                level=SupervisionLevel.DISTRICT,
                measures="停用相关区域，限期整改",
                responsibility="校长为第一责任人",
                funds="学校公用经费",
                deadline=hazard.deadline or timezone.localdate(now) + datetime.timedelta(days=30),
                contingency_plan="设置围挡，专人看守",
                report_every_days=7,
                issued_by_id=plan.bureau_id,
                issued_at=hazard.found_at + datetime.timedelta(hours=1),
            )
        )
    if not orders:
        return 0
    SupervisionOrder.objects.bulk_create(orders, batch_size=2000)
    SupervisionReport.objects.bulk_create(
        [
            SupervisionReport(
                order=order,
                reported_by_id=order.hazard.responsible_person_id,
                reported_at=min(order.issued_at + datetime.timedelta(days=3), now),
                progress="已设置围挡，正在组织施工",
            )
            for order in orders
        ]
    )
    return len(orders)


def _photos(plans, paths) -> int:
    before, after = paths
    photos = []
    for plan in plans:
        hazard = plan.hazard
        photos.append(
            HazardPhoto(
                hazard=hazard,
                kind=HazardPhotoKind.BEFORE,
                image=before,
                uploaded_at=hazard.found_at,
            )
        )
        if hazard.submitted_at is not None:
            photos.append(
                HazardPhoto(
                    hazard=hazard,
                    kind=HazardPhotoKind.AFTER,
                    image=after,
                    uploaded_at=hazard.submitted_at,
                )
            )
    HazardPhoto.objects.bulk_create(photos, batch_size=2000)
    return len(photos)


def synthesize(
    rng,
    schools,
    today,
    span_days,
    per_school,
    people_of,
    photo_paths=None,
    adjust=None,
    newest=None,
) -> dict:
    """Hazards for `schools` ({school id: [checkpoint ids]}), `per_school(rng, id)` each, in
    batches of SCHOOL_BATCH schools. `people_of(school_id)` names who acts there;
    `adjust(school_id, plans)` may change a school's plans before they are written;
    `newest(school_id)` names the states of its newest hazards."""
    now = timezone.now()
    totals = defaultdict(int)
    ids = sorted(schools)
    for start in range(0, len(ids), SCHOOL_BATCH):
        plans, sequences, batch = [], {}, ids[start : start + SCHOOL_BATCH]
        # Numbers already given (the demo's hazards, when the benchmark adds its own).
        taken = defaultdict(dict)
        for school_id, year, last in HazardSequence.objects.filter(school_id__in=batch).values_list(
            "school_id", "year", "last"
        ):
            taken[school_id][year] = last
        for school_id in batch:
            offset = len(plans)
            school_plans, numbers = plan_school(
                rng,
                school_id,
                schools[school_id],
                per_school(rng, school_id),
                today,
                span_days,
                people_of(school_id),
                now,
                newest(school_id) if newest else (),
                taken.get(school_id),
            )
            if adjust is not None:
                adjust(school_id, school_plans)
            for plan in school_plans:
                if plan.recurrence_of is not None:
                    plan.recurrence_of += offset
                if plan.merged_into is not None:
                    plan.merged_into += offset
            plans += school_plans
            sequences.update({(school_id, year): n for year, n in numbers.items()})
        for key, value in write(plans, sequences, now, photo_paths).items():
            totals[key] += value
    return dict(totals)
