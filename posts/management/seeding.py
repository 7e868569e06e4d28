"""The posts step of `manage.py seed_demo`: members, posts, rosters, shifts, duty logs, coverage.

Every school gets a post at each of its gates with morning and afternoon
peaks (noon at some, evening at boarding schools), registered members of the
kinds a real post has, a weekly roster that mostly keeps the 80% rule, the
shifts it makes over the seeded past and the coming two weeks, and a duty log
for most post periods of each past school day, with its attendance and the
daily coverage those logs add up to.

It is written for a city's 3,000 schools, where it writes about a hundred
thousand rows per day of history: all of it goes in with
campussafety.bulk.write_rows, several times faster than bulk_create (members
then read back their ids by their ID number's hash; posts and periods are
given theirs up front by reserve_ids), logs a batch of schools at a time so
memory stays flat. The figures of each log
(staffing, qualified share) and each day (coverage) are worked out by the
same rules the platform applies when a log is submitted (posts.rules,
posts.dutylogs). A few schools break the rules on purpose, so
the dashboards have something to show: thin rosters, too few qualified
members, expired certificates, lax logging, whole days missed.

ID card numbers are generated valid and immediately reduced to their keyed
hash and masked form; the clear number is never stored, kept or printed.
"""

from __future__ import annotations

import datetime
from collections import Counter

from campussafety.bulk import reserve_ids, write_objects, write_rows
from posts import demo_data as data
from posts import dutylogs
from posts.choices import (
    MemberKind,
    Period,
    ShiftOrigin,
    VerificationStatus,
)
from posts.dutylogs import COVERAGE_FIGURES, coverage_rows
from posts.management.planning import (
    MEMBER_FIELDS,
    PLAN_BATCH,
    SCHOOL_BATCH,
    WEEKDAYS,
    Registrar,
    SchoolPlan,
    World,
    aware,
    borrow_neighbours,
    plan_school,
    plan_week,
    shifted,
)
from posts.models import (
    DailyCoverage,
    DutyAttendance,
    DutyLog,
    DutyLogRevision,
    Member,
    MemberAssignment,
    Post,
    PostPeriod,
    RosterRule,
    Shift,
)
from posts.rules import staffing_of
from schools.management.seeding import DemoContext


def seed_posts(ctx: DemoContext) -> str:
    rng = ctx.rng("posts")
    world = World.load(ctx)
    registrar = Registrar(rng, world, ctx)
    plans = []
    # A batch of schools at a time, their members written as soon as they are
    # planned, so that what stays in memory is a member's id and the few fields
    # the rules read. The random draws are the same, school by school.
    for batch in _batches(world.schools, PLAN_BATCH):
        planned = [plan_school(rng, registrar, world, school) for school in batch]
        _write_members([member for plan in planned for member in plan.members])
        plans += planned
    _make_home_school_lively(rng, registrar, world, plans)
    _write_members([m for plan in plans for m in plan.members if m.pk is None])
    borrow_neighbours(rng, plans)

    members = [member for plan in plans for member in plan.members]
    write_rows(
        MemberAssignment,
        ("member_id", "school_id", "start_date"),
        (
            (
                member.pk,
                plan.school.pk,
                world.term_start
                if member.verification_status != VerificationStatus.PENDING
                else ctx.today - datetime.timedelta(days=rng.randint(1, 14)),
            )
            for plan in plans
            for member in (*plan.members, *plan.borrowed)
        ),
    )
    # Posts and periods stay objects (the rules read them), written with ids reserved
    # up front: bulk_create of a province's 210,000 took a query and an object each.
    posts = [post for plan in plans for post in plan.posts]
    for post, pk in zip(posts, reserve_ids(Post, len(posts)), strict=True):
        post.post.pk = pk
    write_objects([post.post for post in posts])
    periods = [period for post in posts for period in post.periods]
    for period, pk in zip(periods, reserve_ids(PostPeriod, len(periods)), strict=True):
        # Each period was made with its unsaved post: take the post's id now.
        period.pk, period.post_id = pk, period.post.pk
    write_objects(periods)

    busy: set[tuple[int, int]] = set()
    for plan in plans:
        plan_week(plan, busy)
    counts = Counter()
    counts["rules"] = write_rows(
        RosterRule,
        ("post_period_id", "weekday", "member_id"),
        (
            (period.pk, weekday, member.pk)
            for plan in plans
            for post in plan.posts
            for period in post.periods
            for weekday in WEEKDAYS
            for member in plan.roster_of(post, period, weekday)
        ),
    )
    counts["shifts"] = write_rows(Shift, SHIFT_FIELDS, _shifts(plans, world))

    log_rng = ctx.rng("posts.logs")
    weather = _weather(log_rng, world, ctx)
    for batch in _batches(plans, SCHOOL_BATCH):
        logs, attendance = _duty_logs(log_rng, batch, world, ctx, weather)
        counts["logs"] += logs
        counts["attendance"] += attendance
        counts["coverage"] += write_rows(
            DailyCoverage,
            COVERAGE_FIELDS,
            daily_coverage([plan.school.pk for plan in batch], ctx.start, ctx.today),
        )

    kinds = Counter(member.kind for member in members)
    status = Counter(member.verification_status for member in members)
    mix = ", ".join(f"{MemberKind(kind).label} {count}" for kind, count in kinds.items())
    return (
        f"{len(members)} members ({mix}; {status[VerificationStatus.PENDING]} pending, "
        f"{status[VerificationStatus.REJECTED]} rejected), {len(posts)} posts, "
        f"{sum(len(post.periods) for post in posts)} post periods, {counts['rules']} roster "
        f"rules, {counts['shifts']} shifts, {counts['logs']} duty logs "
        f"({counts['attendance']} attendance), {counts['coverage']} days of coverage"
    )


def _write_members(members) -> None:
    if not members:
        return
    before = Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    write_rows(
        Member,
        MEMBER_FIELDS,
        (tuple(getattr(member, name) for name in MEMBER_FIELDS) for member in members),
    )
    # A member is known by the hash of their ID number (unique): their new id.
    ids = dict(Member.objects.filter(pk__gt=before).values_list("id_number_hash", "pk"))
    for member in members:
        member.pk = ids[member.id_number_hash]
        member.forget_written()


def _make_home_school_lively(rng, registrar, world, plans):
    """principal1's school keeps its logs and has members for district1 to verify."""
    home = world.home_schools.get("principal1")
    for plan in plans:
        if plan.school.pk != home or not plan.posts:
            continue
        plan.log_rate, plan.miss_day, plan.presence = 0.985, 0.0, 0.985
        waiting = sum(m.verification_status == VerificationStatus.PENDING for m in plan.members)
        plan.members += [
            registrar.member(plan.school, kind, VerificationStatus.PENDING)
            for kind in (MemberKind.SECURITY_GUARD, MemberKind.PARENT_VOLUNTEER)[
                : max(0, 2 - waiting)
            ]
        ]


def _batches(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _weather(rng, world, ctx) -> dict[tuple[int, datetime.date], str]:
    """One weather a district a day: the whole county has the same sky."""
    days = sorted({day for days in world.days.values() for day in days if day < ctx.today})
    return {
        (district_id, day): data.weather(rng, day)
        for day in days
        for district_id in sorted(world.districts)
    }


def _pattern_weekday(day: datetime.date) -> int:
    # A make-up working day (调休) on a weekend has no weekly pattern of its
    # own; its post is stood by Monday's (Saturday) or Tuesday's (Sunday) team.
    return day.weekday() if day.weekday() < 5 else day.weekday() - 5


SHIFT_FIELDS = ("school_id", "post_period_id", "date", "member_id", "origin")
# A log as the gate enters it (posts.dutylogs.LOG_FIELDS), with what the platform adds.
LOG_FIELDS = (
    "school_id",
    "post_period_id",
    "date",
    "period",
    *dutylogs.LOG_FIELDS,
    "submitted_by_id",
    "present_count",
    "police_count",
    "qualified_count",
    "meets_staffing",
    "meets_qualified_share",
    "countersigned_by_id",
    "countersigned_at",
)
ATTENDANCE_FIELDS = ("log_id", "member_id", "was_rostered", "present", "is_police", "is_qualified")
COVERAGE_FIELDS = ("school_id", "date", *COVERAGE_FIGURES)


def _shifts(plans: list[SchoolPlan], world: World):
    """The weekly pattern on every seeded school day, past and coming, as generate_shifts()
    makes it: a shift per rule whose weekday is the day's. (generate_shifts refuses
    the past, and its bulk_create would take most of the seed's time.)"""
    for plan in plans:
        for day in world.days.get(plan.school.pk, ()):
            if day.weekday() >= 5:
                continue
            for post in plan.posts:
                for period in post.periods:
                    for member in plan.roster_of(post, period, day.weekday()):
                        yield plan.school.pk, period.pk, day, member.pk, ShiftOrigin.PATTERN


def _duty_logs(rng, batch, world, ctx, weather) -> tuple[int, int]:
    """Logs of the past school days with their attendance, figures worked out by posts.rules."""
    logs, attendance_of = [], {}
    for plan in batch:
        school = plan.school
        past = [day for day in world.days.get(school.pk, ()) if day < ctx.today]
        recent = set(past[-2:])
        countersigner = world.police_user.get(school.pk)
        submitters = [
            world.users[name].pk
            for name, school_id in world.home_schools.items()
            if school_id == school.pk and name in world.users
        ]
        rural = school.address.endswith("村")
        for day in past:
            if rng.random() < plan.miss_day:
                continue
            walked_in = set()
            for post in plan.posts:
                for period in post.periods:
                    rate = plan.log_rate if period.is_required else plan.log_rate * 0.7
                    if rng.random() >= rate:
                        continue
                    team = plan.roster_of(post, period, _pattern_weekday(day))
                    # (member, rostered, present): a make-up weekend day has no shifts.
                    attendance = [
                        (member, day.weekday() < 5, rng.random() < plan.presence) for member in team
                    ]
                    if plan.reserve and rng.random() < 0.02:
                        walk_in = rng.choice(plan.reserve)
                        if walk_in.pk not in walked_in:
                            walked_in.add(walk_in.pk)
                            attendance.append((walk_in, False, True))
                    log = _log(rng, plan, period, day, attendance, world, weather, rural)
                    log["submitted_by_id"] = rng.choice(submitters) if submitters else None
                    if countersigner and rng.random() < (0.35 if day in recent else 0.93):
                        log["countersigned_by_id"] = countersigner.pk
                        log["countersigned_at"] = aware(
                            day, rng.randint(18, 21), rng.randint(0, 59)
                        )
                    logs.append(tuple(log.get(name) for name in LOG_FIELDS))
                    attendance_of[period.pk, day] = [
                        (
                            member.pk,
                            rostered,
                            present,
                            member.is_police,
                            member.is_qualified_on(day),
                        )
                        for member, rostered, present in attendance
                    ]
    write_rows(DutyLog, LOG_FIELDS, logs)
    # A log is known by its post period and day (a unique constraint): that is
    # how its new id is found for its attendance.
    # Read in full before writing: the rows are sent while the query would still be open.
    ids = list(
        DutyLog.objects.filter(
            school_id__in=[plan.school.pk for plan in batch],
            date__gte=ctx.start,
            date__lt=ctx.today,
        ).values_list("post_period_id", "date", "pk")
    )
    attendance = write_rows(
        DutyAttendance,
        ATTENDANCE_FIELDS,
        ((pk, *row) for period_id, day, pk in ids for row in attendance_of[period_id, day]),
    )
    return len(logs), attendance


def _log(rng, plan, period, day, attendance, world, weather, rural) -> dict:
    present = [member for member, _rostered, here in attendance if here]
    staffing = staffing_of(present, period, day, world.share)
    peak = period.period in (Period.MORNING, Period.AFTERNOON)
    traffic = (0, 1, 2, 3, 4, 6, 9)
    traffic_weights = (38, 25, 17, 10, 5, 3, 2) if peak else (70, 20, 7, 3, 0, 0, 0)
    tricycle_weights = (50, 25, 15, 10) if rural else (80, 15, 4, 1)
    return {
        "school_id": plan.school.pk,
        "post_period_id": period.pk,
        "date": day,
        "period": period.period,
        "actual_start": shifted(period.start_time, -rng.randint(0, 10)),
        "actual_end": shifted(period.end_time, rng.randint(-3, 12)),
        "illegal_parking": rng.choices(traffic, traffic_weights)[0],
        "wrong_way_driving": rng.choices((0, 1, 2), (85, 12, 3))[0],
        "electric_tricycles": rng.choices((0, 1, 2, 3), tricycle_weights)[0],
        "farm_vehicles": rng.choices((0, 1, 2), (70, 22, 8))[0] if rural else 0,
        "other_traffic": rng.choices((0, 1, 2), (88, 10, 2))[0],
        "incidents": rng.choice(data.INCIDENTS) if rng.random() < 0.025 else "",
        "weather": weather[plan.school.district_id, day],
        "present_count": staffing.present,
        "police_count": staffing.police,
        "qualified_count": staffing.qualified,
        "meets_staffing": staffing.meets_staffing,
        "meets_qualified_share": staffing.meets_qualified_share,
    }


def daily_coverage(school_ids, start: datetime.date, end: datetime.date) -> list[tuple]:
    """The DailyCoverage rows (COVERAGE_FIELDS) of `school_ids` from start to end, from their logs,
    worked out as each log write does (posts.dutylogs.coverage_rows)."""
    return [
        tuple(getattr(row, field) for field in COVERAGE_FIELDS)
        for row in coverage_rows(school_ids, start, end)
    ]


def reset_posts() -> None:
    # Children first: attendance protects members, logs protect post periods,
    # posts protect gates (so this runs before the organisation's reset).
    DailyCoverage.objects.all().delete()
    DutyLogRevision.objects.all().delete()
    DutyAttendance.objects.all().delete()
    # With its attendance and revisions gone nothing refers to a log, and a
    # city's million logs need not be loaded into the deletion collector.
    DutyLog.objects.all()._raw_delete(DutyLog.objects.db)
    Shift.objects.all().delete()
    RosterRule.objects.all().delete()
    MemberAssignment.objects.all().delete()
    PostPeriod.objects.all().delete()
    Post.objects.all().delete()
    Member.objects.all().delete()
