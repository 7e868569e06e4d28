"""The inspections step of `manage.py seed_demo`: checkpoints, a guard per school, recent rounds.

Every school gets checkpoints at its gates, key parts and fire points (and
dormitories when boarding), a guard's login, and daily fire patrols for the
last two weeks written in bulk, with the misses a real school has: days
without a round, rounds that skipped a checkpoint, and items that failed.
Each finished round counts towards its window through record_completion, so
the completion rates read what the board shows.
"""

import datetime
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from campussafety.bulk import write_rows
from inspections.choices import RoundStatus
from inspections.models import Answer, Checkpoint, Finding, InspectionRule, Round, Scan
from schools.models import Gate, ObligationCompletion, ObligationWindow, School
from schools.obligation_bulk import record_completions
from schools.obligation_rates import forget_windows

PLACES = [
    ("教学楼", "key_part"),
    ("食堂", "key_part"),
    ("配电房", "key_part"),
    ("消防控制室", "fire_point"),
    ("微型消防站", "fire_point"),
]
HISTORY_DAYS = 14
# Of the school days: no round at all, a round that skipped a place, an item failed.
MISSED, SKIPPED, FAILED = 0.08, 0.1, 0.05
PATROL = "fire-patrol"
GUARD_PREFIX = "guard-"
ROUND_TIME = datetime.timedelta(minutes=20)
# Schools seeded at once: bounds memory whatever the number of schools.
SCHOOL_BATCH = 500
ROUND_FIELDS = (
    "school_id",
    "rule_id",
    "version_id",
    "inspector_id",
    "started_at",
    "finished_at",
    "status",
)


def seed_inspections(ctx) -> str:
    rng = ctx.rng("inspections")
    schools = list(ctx.schools or School.objects.order_by("pk"))
    rule = (
        InspectionRule.objects.select_related("obligation", "template")
        .filter(obligation__code=PATROL, obligation__city__isnull=True)
        .first()
    )
    if rule is not None and rule.template.current_version is None:
        rule = None
    items = list(rule.template.current_version.items.all()) if rule else []
    # One hash for every guard: the demo logins share one published password.
    password = make_password(ctx.password)
    home = ctx.home_schools.get("principal1")
    counts = Counter()
    # A batch of schools at a time, so memory stays flat at a province's 30,000
    # schools; the random draws are made school by school, in the same order.
    for start in range(0, len(schools), SCHOOL_BATCH):
        batch = schools[start : start + SCHOOL_BATCH]
        counts["checkpoints"] += _seed_checkpoints(batch)
        guard_of = _seed_guards(batch, password, home)
        counts["guards"] += len(guard_of)
        if rule is not None:
            counts["rounds"] += _seed_rounds(ctx, rng, batch, guard_of, rule, items)
    if home:
        ctx.logins.append(("guard1", f"{Role.GUARD.label} · {home}"))
    return (
        f"{counts['checkpoints']} checkpoints, {counts['guards']} guards, {counts['rounds']} rounds"
    )


def _seed_checkpoints(schools) -> int:
    gates = {}
    for gate in Gate.objects.filter(school__in=schools):
        gates.setdefault(gate.school_id, []).append(gate)
    checkpoints = []
    for school in schools:
        places = [(gate.name, "gate", gate.pk) for gate in gates.get(school.pk, ())]
        places += [(name, kind, None) for name, kind in PLACES]
        if school.is_boarding:
            places.append(("学生宿舍", "dormitory", None))
        checkpoints += [
            (school.pk, name, kind, gate_id, n) for n, (name, kind, gate_id) in enumerate(places)
        ]
    return write_rows(Checkpoint, ("school_id", "name", "kind", "gate_id", "position"), checkpoints)


def _seed_guards(schools, password, home) -> dict[int, int]:
    """A guard's login per school: school id -> the guard's user id."""
    names = {
        school.pk: "guard1" if home and school.pk == home.pk else f"{GUARD_PREFIX}{school.code}"
        for school in schools
    }
    write_rows(
        User,
        ("username", "full_name", "password"),
        ((names[school.pk], "保安", password) for school in schools),
    )
    user_of = dict(User.objects.filter(username__in=names.values()).values_list("username", "pk"))
    guard_of = {school.pk: user_of[names[school.pk]] for school in schools}
    write_rows(
        RoleAssignment,
        ("user_id", "role", "school_id"),
        ((guard_of[school.pk], Role.GUARD.value, school.pk) for school in schools),
    )
    return guard_of


def _seed_rounds(ctx, rng, schools, guard_of, rule, items) -> int:
    version = rule.template.current_version
    points = {}
    for school_id, pk in Checkpoint.objects.filter(
        school__in=schools, kind__in=rule.checkpoint_kinds
    ).values_list("school_id", "pk"):
        points.setdefault(school_id, []).append(pk)
    start = ctx.today - datetime.timedelta(days=min(HISTORY_DAYS, ctx.days))
    plans = []
    for school in schools:
        for offset in range((ctx.today - start).days):
            if rng.random() < MISSED:
                continue
            day = start + datetime.timedelta(days=offset)
            began = timezone.make_aware(
                datetime.datetime.combine(
                    day, datetime.time(8 + rng.randint(0, 9), rng.randint(0, 59))
                )
            )
            visited = list(points.get(school.pk, []))
            if visited and rng.random() < SKIPPED:
                visited.pop(rng.randrange(len(visited)))
            plans.append((school, began, visited, rng.random() < FAILED))
    if not plans:
        return 0
    before = Round.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    write_rows(
        Round,
        ROUND_FIELDS,
        (
            (
                school.pk,
                rule.pk,
                version.pk,
                guard_of[school.pk],
                began,
                began + ROUND_TIME,
                (
                    RoundStatus.INCOMPLETE
                    if len(visited) < len(points.get(school.pk, []))
                    else RoundStatus.COMPLETE
                ).value,
            )
            for school, began, visited, _failed in plans
        ),
    )
    # A round is known by its school and start (a school's rounds start at different minutes).
    ids = {
        (school_id, started): pk
        for pk, school_id, started in Round.objects.filter(pk__gt=before).values_list(
            "pk", "school_id", "started_at"
        )
    }
    rounds = [ids[school.pk, began] for school, began, _visited, _failed in plans]
    write_rows(
        Scan,
        ("round_id", "checkpoint_id", "scanned_at"),
        (
            (round_id, point, began + datetime.timedelta(minutes=n))
            for round_id, (_s, began, visited, _f) in zip(rounds, plans, strict=True)
            for n, point in enumerate(visited)
        ),
    )
    general = [item for item in items if not item.checkpoint_kinds]
    write_rows(
        Answer,
        ("round_id", "item_id", "passed", "answered_at"),
        (
            (round_id, item.pk, not (failed and n == 0), began + ROUND_TIME)
            for round_id, (_s, began, _v, failed) in zip(rounds, plans, strict=True)
            for n, item in enumerate(general)
        ),
    )
    _seed_findings(
        {
            round_id: school
            for round_id, (school, _b, _v, failed) in zip(rounds, plans, strict=True)
            if failed
        },
        general[:1],
    )
    write_rows(
        Round.skipped.through,
        ("round_id", "checkpoint_id"),
        (
            (round_id, pk)
            for round_id, (school, _b, visited, _f) in zip(rounds, plans, strict=True)
            for pk in sorted(set(points.get(school.pk, ())) - set(visited))
        ),
    )
    # Each finished round counts towards its window, as record_completion() counts it.
    record_completions(
        [
            (rule.obligation, school.pk, began + ROUND_TIME, f"inspections.round:{round_id}")
            for round_id, (school, began, _v, _f) in zip(rounds, plans, strict=True)
        ]
    )
    return len(plans)


def _seed_findings(failed, first_item) -> None:
    """A finding for each failed answer (the round's first general item)."""
    if not failed or not first_item:
        return
    (item,) = first_item
    write_rows(
        Finding,
        (
            "school_id",
            "round_id",
            "answer_id",
            "place",
            "description",
            "hazard_category",
            "hazard_level",
            "found_at",
        ),
        [
            (
                failed[round_id].pk,
                round_id,
                answer_id,
                failed[round_id].name,
                item.text,
                item.hazard_category,
                item.hazard_level,
                answered_at,
            )
            for round_id, answer_id, answered_at in Answer.objects.filter(
                round_id__in=list(failed), item=item, passed=False
            ).values_list("round_id", "pk", "answered_at")
        ],
    )


def reset_inspections() -> None:
    # The rounds' counts towards their windows go with them.
    ObligationCompletion.objects.filter(source__startswith="inspections.round:").delete()
    ObligationWindow.objects.filter(rule__domain="inspections").delete()
    forget_windows()  # the materialised windows went too: materialised again on the next read
    # Children first; rounds protect checkpoints, rules and versions.
    Finding.objects.all().delete()
    Answer.objects.all().delete()
    Scan.objects.all().delete()
    Round.objects.all().delete()
    Checkpoint.objects.all().delete()
    User.objects.filter(role_assignments__role=Role.GUARD).filter(
        username__startswith=GUARD_PREFIX
    ).delete()
    User.objects.filter(username="guard1").delete()
