"""The drills demo step: a term of drills with realistic gaps, class headcounts, one drill that
found problems, emergency plans and training sessions, written in bulk.

Deterministic for a seed (ctx.rng). Each school's current term (the one
containing the seeding day) gets a drill in most of its months so far, of a
rotating type; boarding schools a night dormitory drill and schools with buses
a bus drill; a few schools skip months (so the compliance pages and the
reminders have something to show). Most past drills are signed off, the latest
few are held and not evaluated yet, and some schools have their next drill
planned. principal1's school's latest signed-off drill found problems and asks
for its plan to be revised: the problems are lines on the drill, which its page
files as hazards one by one (drills.services.problem_hazard).

Signed-off drills and training sessions count towards their requirements
with the rows record_completion writes, in bulk (schools.obligation_bulk).
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment
from campussafety.bulk import reserve_ids, write_objects, write_rows
from campussafety.demo import Step, register
from drills.choices import (
    TRAINING_RULE_CODES,
    DrillStatus,
    DrillType,
    PlanType,
    TrainingAudience,
    default_evacuation_target,
)
from drills.models import ClassHeadcount, Drill, DrillRequirement, EmergencyPlan, TrainingSession
from drills.models_training import TrainingAttendee, attendee_members
from schools.calendar import school_terms
from schools.models import ObligationCompletion, ObligationWindow, School
from schools.obligation_bulk import record_completions
from schools.obligations import (
    applicable_terms,
    rules_for_cities,
    school_facts,
)

ROTATION = [
    DrillType.FIRE_EVACUATION,
    DrillType.EARTHQUAKE,
    DrillType.ANTI_VIOLENCE,
    DrillType.LOCKDOWN,
    DrillType.CROWD_CRUSH,
    DrillType.SEVERE_WEATHER,
]
# Of the schools: some skip drills in a month; a few skip most of the term.
SKIPS_MONTH, LAGGARD = 0.12, 0.05
# Schools seeded at once (memory stays flat whatever their number).
SCHOOL_BATCH = 1000
PLANS = (PlanType.COMPREHENSIVE, PlanType.FIRE, PlanType.VIOLENCE)
PROBLEMS = "东侧楼梯间堆放杂物，疏散受阻\n三楼应急照明灯不亮\n二年级3班集合点位置不清"
CLASS_SIZE = 40
PLAN_DIR = "emergency-plans/demo"
HEADCOUNT_FIELDS = (
    "drill_id",
    "class_name",
    "teacher_name",
    "expected",
    "arrived",
    "missing",
    "reported_at",
)


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _months(first, last):
    day = first.replace(day=1)
    while day <= last:
        yield day
        day = (day + datetime.timedelta(days=32)).replace(day=1)


def _drill_plans(ctx, rng, schools, terms):
    """(school, type, planned at, status) of every demo drill: pure, deterministic."""
    today = ctx.today
    found = []
    for school in schools:
        term = terms.get(school.pk)
        if term is None:
            continue
        first, last = term
        laggard = rng.random() < LAGGARD
        for n, month in enumerate(_months(first, min(today, last))):
            if laggard or rng.random() < SKIPS_MONTH:
                continue
            low = max(month, first)
            high = min((month + datetime.timedelta(days=32)).replace(day=1), today)
            if high <= low:
                continue
            day = low + datetime.timedelta(days=rng.randrange((high - low).days))
            if day.weekday() >= 5:
                day -= datetime.timedelta(days=day.weekday() - 4)
                day = max(day, low)
            found.append((school, ROTATION[n % len(ROTATION)], _at(day, 10, rng.randint(0, 40))))
        if not laggard and school.is_boarding:
            day = first + datetime.timedelta(days=rng.randrange(max((today - first).days, 1)))
            found.append((school, DrillType.NIGHT_DORMITORY, _at(min(day, today), 20, 30)))
        if not laggard and school.runs_buses:
            day = first + datetime.timedelta(days=rng.randrange(max((today - first).days, 1)))
            found.append((school, DrillType.BUS, _at(min(day, today), 16, 30)))
        if rng.random() < 0.6:
            ahead = today + datetime.timedelta(days=rng.randint(1, 14))
            found.append((school, DrillType.FIRE_EVACUATION, _at(ahead, 10)))
    return found


def seed_drills(ctx) -> str:
    rng = ctx.rng("drills")
    every = list(ctx.schools or School.objects.order_by("pk"))
    counts = Counter()
    # A batch of schools at a time: a province's drills and their million class
    # headcounts are never all in memory.
    for start in range(0, len(every), SCHOOL_BATCH):
        counts.update(_seed_batch(ctx, rng, every[start : start + SCHOOL_BATCH]))
    return (
        f"{counts['drills']} drills, {counts['headcounts']} class headcounts, "
        f"{counts['plans']} emergency plans, {counts['sessions']} training sessions"
    )


def _seed_batch(ctx, rng, schools) -> dict[str, int]:
    now = timezone.make_aware(datetime.datetime.combine(ctx.today, datetime.time(9)))
    terms = {
        pk: next((t for t in found if t[0] <= ctx.today <= t[1]), None)
        for pk, found in school_terms([s.pk for s in schools], ctx.today, ctx.today).items()
    }
    principals = dict(
        RoleAssignment.objects.filter(role=Role.PRINCIPAL, school__in=schools)
        .order_by("user_id")
        .values_list("school_id", "user_id")
    )
    home = ctx.home_schools.get("principal1")
    drills, counts = [], []
    for school, drill_type, planned in _drill_plans(ctx, rng, schools, terms):
        drill = Drill(
            school=school,
            drill_type=drill_type,
            planned_at=planned,
            commander="王主任",
            scenario=f"{DrillType(drill_type).label}",
            announced=rng.random() < 0.8,
            target_seconds=default_evacuation_target(school.school_type),
        )
        if planned < now:
            seconds = rng.randint(95, 230)
            drill.started_at = planned
            drill.all_clear_at = planned + datetime.timedelta(seconds=seconds)
            drill.evacuation_seconds = seconds
            drill.routes_used = "东、西楼梯至操场"
            drill.alarm_audible = rng.random() > 0.05
            recent = now - planned < datetime.timedelta(days=7)
            drill.status = DrillStatus.HELD if recent else DrillStatus.CLOSED
            if not recent:
                drill.evaluation_score = rng.randint(70, 98)
                drill.evaluation = "组织有序，疏散迅速。"
                drill.signed_off_by_id = principals.get(school.pk)
                drill.signed_off_at = drill.all_clear_at + datetime.timedelta(days=1)
            classes = max(4, min(24, school.enrolment // CLASS_SIZE))
            counts.append((drill, classes))
        drills.append(drill)
    # The one that found problems: principal1's school's latest signed-off drill.
    if home:
        closed = [d for d in drills if d.school_id == home.pk and d.status == DrillStatus.CLOSED]
        if closed:
            found = max(closed, key=lambda d: d.planned_at)
            found.problems_found, found.plan_must_be_revised = PROBLEMS, True
            found.evaluation = "疏散总体有序，东侧楼梯堵塞，需修订消防预案。"
    for drill, pk in zip(drills, reserve_ids(Drill, len(drills)), strict=True):
        drill.pk = pk
    with transaction.atomic():
        # Drills stay objects (the requirements read them; each draws its own
        # headcount secret); their hundred thousand class headcounts are rows.
        write_objects(drills)
        headcounts = []
        for drill, classes in counts:
            for n in range(classes):
                expected = CLASS_SIZE - rng.randint(0, 6)
                missing = rng.choice((1, 2)) if rng.random() < 0.03 else 0
                headcounts.append(
                    (
                        drill.pk,
                        f"{n // 6 + 1}年级{n % 6 + 1}班",
                        "班主任",
                        expected,
                        expected - missing,
                        missing,
                        drill.started_at + datetime.timedelta(seconds=90 + n * 7),
                    )
                )
        write_rows(ClassHeadcount, HEADCOUNT_FIELDS, headcounts)
        counted = _drill_completions(schools, [d for d in drills if d.status == DrillStatus.CLOSED])
        plans = _seed_plans(ctx, rng, schools)
        sessions, trained = _seed_training(ctx, rng, schools, terms)
        record_completions(counted + trained)
    return {
        "drills": len(drills),
        "headcounts": len(headcounts),
        "plans": plans,
        "sessions": sessions,
    }


def _drill_completions(schools, closed):
    """(rule, school id, moment, source) of each signed-off drill and requirement it satisfies."""
    facts = school_facts([s.pk for s in schools])
    rules = applicable_terms(facts, domain="drills")
    requirements = {
        r.obligation_id: r
        for r in DrillRequirement.objects.filter(
            obligation_id__in={rule.pk for chosen in rules.values() for rule, _t in chosen}
        )
    }
    return [
        (rule, drill.school_id, drill.all_clear_at, f"drills.drill:{drill.pk}")
        for drill in closed
        for rule, _terms in rules.get(drill.school_id, ())
        if rule.pk in requirements and requirements[rule.pk].is_satisfied_by(drill)
    ]


def _seed_plans(ctx, rng, schools) -> int:
    plans = []
    for school in schools:
        for plan_type in PLANS + ((PlanType.BUS,) if school.runs_buses else ()):
            overdue = rng.random() < 0.1
            approved = ctx.today - datetime.timedelta(days=rng.randint(200, 500))
            plan = EmergencyPlan(
                school=school,
                plan_type=plan_type,
                version=1,
                title=f"{school.name}{PlanType(plan_type).label}应急预案",
                approved_on=approved,
                revision_due=ctx.today - datetime.timedelta(days=rng.randint(1, 60))
                if overdue
                else approved + datetime.timedelta(days=730),
            )
            plan.document.name = _demo_document(plan_type)
            plans.append(plan)
    write_objects(plans)
    return len(plans)


def _demo_document(plan_type) -> str:
    """One demo PDF of each type, shared by every school's plan, so each document opens from
    the pages. (A file per plan was 100,000 files for a province, and as many again on
    every --reset: storage keeps the old ones and gives the new a suffix.)"""
    name = f"{PLAN_DIR}/{plan_type}.pdf"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.4\n% demo emergency plan\n"))
    return name


def _seed_training(ctx, rng, schools, terms) -> int:
    members = {}
    for member_id, school_id in (
        attendee_members()
        .filter(assignments__school__in=schools)
        .order_by("pk")
        .values_list("pk", "assignments__school_id")
    ):
        members.setdefault(school_id, []).append(member_id)
    sessions = []
    for school in schools:
        term = terms.get(school.pk)
        if term and rng.random() < 0.9:
            span = max((ctx.today - term[0]).days, 1)
            sessions.append(
                TrainingSession(
                    school=school,
                    audience=TrainingAudience.GUARDS,
                    held_on=term[0] + datetime.timedelta(days=rng.randrange(span)),
                    topic="防暴器械使用与门岗查验",
                    trainer="派出所民警",
                    attendees_count=max(len(members.get(school.pk, [])[:8]), 1),
                    hours=2,
                )
            )
        if rng.random() < 0.85:
            start = ctx.today.replace(month=1, day=1)
            year_days = (ctx.today - start).days + 1
            sessions.append(
                TrainingSession(
                    school=school,
                    audience=TrainingAudience.STAFF,
                    held_on=start + datetime.timedelta(days=rng.randrange(year_days)),
                    topic="灭火器使用与疏散引导",
                    trainer="消防救援站",
                    attendees_count=max(school.staff_count, 1),
                    hours=1.5,
                )
            )
    for session, pk in zip(sessions, reserve_ids(TrainingSession, len(sessions)), strict=True):
        session.pk = pk
    write_objects(sessions)
    write_rows(
        TrainingAttendee,
        ("session_id", "member_id"),
        (
            (session.pk, member_id)
            for session in sessions
            if session.audience == TrainingAudience.GUARDS
            for member_id in members.get(session.school_id, [])[:8]
        ),
    )
    city_of = {facts.pk: facts.city_id for facts in school_facts([s.pk for s in schools])}
    rules = rules_for_cities(
        set(city_of.values()), domain="drills", codes=list(TRAINING_RULE_CODES.values())
    )
    # A training counts on its day: noon keeps it inside that day's windows.
    trained = [
        (rule, session.school_id, _at(session.held_on, 12), f"drills.trainingsession:{session.pk}")
        for session in sessions
        for rule in rules[city_of[session.school_id]]
        if rule.code == TRAINING_RULE_CODES[session.audience]
    ]
    return len(sessions), trained


def reset_drills() -> None:
    ObligationCompletion.objects.filter(source__startswith="drills.").delete()
    ObligationWindow.objects.filter(rule__domain="drills").delete()
    Drill.objects.all().delete()
    EmergencyPlan.objects.all().delete()
    TrainingSession.objects.all().delete()


register(
    Step(
        "drills",
        seed_drills,
        reset_drills,
        # Training names the posts registry's members; principals sign the drills off.
        after=("organisation", "accounts", "calendar", "posts"),
    )
)
