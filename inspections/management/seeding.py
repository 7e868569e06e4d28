"""The inspections step of `manage.py seed_demo`: checkpoints, a guard per school, recent rounds.

Every school gets checkpoints at its gates, key parts and fire points (and
dormitories when boarding), a guard's login, and daily fire patrols for the
last two weeks written in bulk, with the misses a real school has: days
without a round, rounds that skipped a checkpoint, and items that failed.
Each finished round counts towards its window through record_completion, so
the completion rates read what the board shows.
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from inspections.choices import RoundStatus
from inspections.models import Answer, Checkpoint, Finding, InspectionRule, Round, Scan
from schools.models import ObligationCompletion, ObligationWindow, School
from schools.obligation_rates import forget_windows
from schools.obligations import record_completion

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


def seed_inspections(ctx) -> str:
    rng = ctx.rng("inspections")
    schools = list(ctx.schools or School.objects.prefetch_related("gates"))
    checkpoints = []
    for school in schools:
        places = [(gate.name, "gate", gate) for gate in school.gates.all()]
        places += [(name, kind, None) for name, kind in PLACES]
        if school.is_boarding:
            places.append(("学生宿舍", "dormitory", None))
        checkpoints += [
            Checkpoint(school=school, name=name, kind=kind, gate=gate, position=n)
            for n, (name, kind, gate) in enumerate(places)
        ]
    Checkpoint.objects.bulk_create(checkpoints, batch_size=1000)

    # One hash for every guard: the demo logins share one published password.
    password = make_password(ctx.password)
    home = ctx.home_schools.get("principal1")
    names = {
        school.pk: "guard1" if home and school.pk == home.pk else f"{GUARD_PREFIX}{school.code}"
        for school in schools
    }
    guards = User.objects.bulk_create(
        [User(username=names[school.pk], full_name="保安", password=password) for school in schools]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=guard, role=Role.GUARD, school=school)
            for guard, school in zip(guards, schools, strict=True)
        ]
    )
    if home:
        ctx.logins.append(("guard1", f"{Role.GUARD.label} · {home}"))

    rounds = _seed_rounds(
        ctx, rng, schools, dict(zip([s.pk for s in schools], guards, strict=True))
    )
    return f"{len(checkpoints)} checkpoints, {len(guards)} guards, {rounds} rounds"


def _seed_rounds(ctx, rng, schools, guard_of) -> int:
    rule = (
        InspectionRule.objects.select_related("obligation", "template")
        .filter(obligation__code=PATROL, obligation__city__isnull=True)
        .first()
    )
    if rule is None or rule.template.current_version is None:
        return 0
    version = rule.template.current_version
    items = list(version.items.all())
    points = {}
    for checkpoint in Checkpoint.objects.filter(school__in=schools, kind__in=rule.checkpoint_kinds):
        points.setdefault(checkpoint.school_id, []).append(checkpoint)
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
    with transaction.atomic():
        rounds = Round.objects.bulk_create(
            [
                Round(
                    school=school,
                    rule=rule,
                    version=version,
                    inspector=guard_of[school.pk],
                    started_at=began,
                    finished_at=began + datetime.timedelta(minutes=20),
                    status=RoundStatus.INCOMPLETE
                    if len(visited) < len(points.get(school.pk, []))
                    else RoundStatus.COMPLETE,
                )
                for school, began, visited, _failed in plans
            ],
            batch_size=1000,
        )
        Scan.objects.bulk_create(
            [
                Scan(
                    round=round_, checkpoint=point, scanned_at=began + datetime.timedelta(minutes=n)
                )
                for round_, (_s, began, visited, _f) in zip(rounds, plans, strict=True)
                for n, point in enumerate(visited)
            ],
            batch_size=2000,
        )
        answers = Answer.objects.bulk_create(
            [
                Answer(
                    round=round_,
                    item=item,
                    passed=not (failed and n == 0),
                    answered_at=round_.finished_at,
                )
                for round_, (_s, _b, _v, failed) in zip(rounds, plans, strict=True)
                for n, item in enumerate(i for i in items if not i.checkpoint_kinds)
            ],
            batch_size=2000,
        )
        Finding.objects.bulk_create(
            [
                Finding(
                    school_id=answer.round.school_id,
                    round=answer.round,
                    answer=answer,
                    place=answer.round.school.name,
                    description=answer.item.text,
                    hazard_category=answer.item.hazard_category,
                    hazard_level=answer.item.hazard_level,
                    found_at=answer.answered_at,
                )
                for answer in answers
                if not answer.passed
            ]
        )
        skipped = Round.skipped.through
        expected = {pk: {p.pk for p in cps} for pk, cps in points.items()}
        skipped.objects.bulk_create(
            [
                skipped(round_id=round_.pk, checkpoint_id=pk)
                for round_, (school, _b, visited, _f) in zip(rounds, plans, strict=True)
                for pk in expected.get(school.pk, set()) - {p.pk for p in visited}
            ]
        )
        for round_ in rounds:
            record_completion(
                rule.obligation, round_.school, round_.finished_at, f"inspections.round:{round_.pk}"
            )
    return len(rounds)


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
