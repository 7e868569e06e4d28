"""The posts step of `manage.py seed_demo`: members, posts, rosters, shifts, duty logs, coverage.

Every school gets a post at each of its gates with morning and afternoon
peaks (noon at some, evening at boarding schools), registered members of the
kinds a real post has, a weekly roster that mostly keeps the 80% rule, the
shifts it makes over the seeded past and the coming two weeks, and a duty log
for most post periods of each past school day, with its attendance and the
daily coverage those logs add up to.

It is written for a province's 30,000 schools, where it writes about a
million rows per day of history: all of it goes in with
campussafety.bulk.write_rows (COPY on PostgreSQL), the rows others point at
(members, posts, periods, logs) given their ids up front by reserve_ids, and
the logs' plain indexes built once at the end (indexes_built_after). Once
written, a school is kept as a Rostered tuple and its members as slots, and
its logs are made a batch of schools at a time, so memory stays flat. The
figures of each log (staffing, qualified share) and each day (coverage) are
worked out by the same rules the platform applies when a log is submitted
(posts.rules, posts.dutylogs). A few schools break the rules on purpose, so
the dashboards have something to show: thin rosters, too few qualified
members, expired certificates, lax logging, whole days missed.

ID card numbers are generated valid and immediately reduced to their keyed
hash and masked form; the clear number is never stored, kept or printed.
"""

from __future__ import annotations

import datetime
import functools
import itertools
from collections import Counter
from typing import NamedTuple

from campussafety.bulk import indexes_built_after, reserve_ids, write_rows
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
    PlannedMember,
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
from posts.rules import Staffing
from schools.management.seeding import DemoContext


class WrittenPeriod(NamedTuple):
    """A post period once written: what rosters, the staffing rules and logs read of it,
    by PostPeriod's own names (a province's 150,000 PostPeriod instances were ~100 MB)."""

    pk: int
    period: str
    start_time: datetime.time
    end_time: datetime.time
    min_members: int
    min_police: int
    is_required: bool


class Rostered(NamedTuple):
    """A school once planned and written, as its shifts and logs need it: each period with
    its team on each weekday (SchoolPlan.roster_of), and the members on no rotation."""

    pk: int
    district_id: int
    rural: bool
    log_rate: float
    miss_day: float
    presence: float
    periods: tuple[tuple[WrittenPeriod, tuple[tuple[PlannedMember, ...], ...]], ...]
    reserve: tuple[PlannedMember, ...]

    @classmethod
    def of(cls, plan: SchoolPlan) -> Rostered:
        school = plan.school
        return cls(
            pk=school.pk,
            district_id=school.district_id,
            rural=school.address.endswith("村"),
            log_rate=plan.log_rate,
            miss_day=plan.miss_day,
            presence=plan.presence,
            periods=tuple(
                (period, tuple(tuple(plan.roster_of(post, period, day)) for day in WEEKDAYS))
                for post in plan.posts
                for period in post.periods
            ),
            reserve=tuple(plan.reserve),
        )


# The logs' plain indexes, but the one the step counts coverage through, are built
# after the logs are loaded (campussafety.bulk.indexes_built_after).
COVERAGE_INDEX = "dutylog_school_date_idx"


def seed_posts(ctx: DemoContext) -> str:
    rng = ctx.rng("posts")
    world = World.load(ctx)
    registrar = Registrar(rng, world, ctx)
    plans = []
    counts = Counter()
    # A batch of schools at a time, their members, posts and periods written as
    # soon as they are planned, so that what stays in memory is a member's id
    # and the few fields the rules read, and a period as a tuple. The random
    # draws are the same, school by school.
    for batch in _batches(world.schools, PLAN_BATCH):
        planned = [plan_school(rng, registrar, world, school) for school in batch]
        _write_members([member for plan in planned for member in plan.members])
        counts += _write_posts(planned)
        plans += planned
    _make_home_school_lively(rng, registrar, world, plans)
    _write_members([m for plan in plans for m in plan.members if m.pk is None])
    # What only planning needed: the registrar's set of every ID number's hash,
    # and the gates as model instances.
    del registrar
    world.gates.clear()
    borrow_neighbours(rng, plans)

    kinds = Counter(member.kind for plan in plans for member in plan.members)
    status = Counter(member.verification_status for plan in plans for member in plan.members)
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

    busy: set[tuple[int, int]] = set()
    for plan in plans:
        plan_week(plan, busy)
    del busy
    schools = [Rostered.of(plan) for plan in plans]
    del plans
    counts["rules"] = write_rows(
        RosterRule,
        ("post_period_id", "weekday", "member_id"),
        (
            (period.pk, weekday, member.pk)
            for school in schools
            for period, teams in school.periods
            for weekday in WEEKDAYS
            for member in teams[weekday]
        ),
    )
    counts["shifts"] = write_rows(Shift, SHIFT_FIELDS, _shifts(schools, world))

    logbook = _Logbook(ctx.rng("posts.logs"), world, ctx)
    with indexes_built_after([DutyLog], keep=[COVERAGE_INDEX]):
        for batch in _batches(schools, SCHOOL_BATCH):
            logs, attendance = logbook.write(batch)
            counts["logs"] += logs
            counts["attendance"] += attendance
            counts["coverage"] += write_rows(
                DailyCoverage,
                COVERAGE_FIELDS,
                daily_coverage([school.pk for school in batch], ctx.start, ctx.today),
            )

    mix = ", ".join(f"{MemberKind(kind).label} {count}" for kind, count in kinds.items())
    return (
        f"{kinds.total()} members ({mix}; {status[VerificationStatus.PENDING]} pending, "
        f"{status[VerificationStatus.REJECTED]} rejected), {counts['posts']} posts, "
        f"{counts['periods']} post periods, {counts['rules']} roster "
        f"rules, {counts['shifts']} shifts, {counts['logs']} duty logs "
        f"({counts['attendance']} attendance), {counts['coverage']} days of coverage"
    )


def _write_members(members: list[PlannedMember]) -> None:
    if not members:
        return
    # Ids reserved up front, in the order the database would have numbered the rows.
    for member, pk in zip(members, reserve_ids(Member, len(members)), strict=True):
        member.pk = pk
    write_rows(
        Member,
        ("id", *MEMBER_FIELDS),
        ((member.pk, *(getattr(member, name) for name in MEMBER_FIELDS)) for member in members),
    )
    for member in members:
        member.forget_written()


POST_FIELDS = ("id", "school_id", "gate_id", "name")
# The post, then a WrittenPeriod's values (its pk the period's id).
PERIOD_FIELDS = ("post_id", "id", *WrittenPeriod._fields[1:])


def _write_posts(plans: list[SchoolPlan]) -> Counter:
    """Write the plans' posts and periods with ids reserved up front; each period is kept
    as a WrittenPeriod, and the Post and PostPeriod instances are let go."""
    posts = [post for plan in plans for post in plan.posts]
    periods = []
    for post, pk in zip(posts, reserve_ids(Post, len(posts)), strict=True):
        post.post.pk = pk
        periods += post.periods
    written = [
        WrittenPeriod(
            pk,
            str(period.period),
            period.start_time,
            period.end_time,
            period.min_members,
            period.min_police,
            period.is_required,
        )
        for period, pk in zip(periods, reserve_ids(PostPeriod, len(periods)), strict=True)
    ]
    write_rows(
        Post,
        POST_FIELDS,
        ((post.post.pk, post.post.school_id, post.post.gate_id, post.post.name) for post in posts),
    )
    write_rows(
        PostPeriod,
        PERIOD_FIELDS,
        ((period.post.pk, *row) for period, row in zip(periods, written, strict=True)),
    )
    rows = iter(written)
    for post in posts:
        post.periods = [next(rows) for _period in post.periods]
        post.post = None
    return Counter(posts=len(posts), periods=len(periods))


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
# A log as the gate enters it (posts.dutylogs.LOG_FIELDS), with what the platform adds:
# the order of _Logbook's rows.
LOG_FIELDS = (
    "id",
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

# What a gate sees on a log: counts and their weights, as cumulative weights
# (random.choices draws the same with them, without summing the weights each time).
TRAFFIC = (0, 1, 2, 3, 4, 6, 9)
PEAK_TRAFFIC = tuple(itertools.accumulate((38, 25, 17, 10, 5, 3, 2)))
QUIET_TRAFFIC = tuple(itertools.accumulate((70, 20, 7, 3, 0, 0, 0)))
RURAL_TRICYCLES = tuple(itertools.accumulate((50, 25, 15, 10)))
TOWN_TRICYCLES = tuple(itertools.accumulate((80, 15, 4, 1)))
WRONG_WAY = tuple(itertools.accumulate((85, 12, 3)))
FARM_VEHICLES = tuple(itertools.accumulate((70, 22, 8)))
OTHER_TRAFFIC = tuple(itertools.accumulate((88, 10, 2)))


def _shifts(schools: list[Rostered], world: World):
    """The weekly pattern on every seeded school day, past and coming, as generate_shifts()
    makes it: a shift per rule whose weekday is the day's. (generate_shifts refuses
    the past, and its bulk_create would take most of the seed's time.)"""
    origin = ShiftOrigin.PATTERN.value
    for school in schools:
        for day in world.days.get(school.pk, ()):
            weekday = day.weekday()
            if weekday >= 5:
                continue
            for period, teams in school.periods:
                for member in teams[weekday]:
                    yield school.pk, period.pk, day, member.pk, origin


class _Logbook:
    """Writes the logs of the past school days with their attendance, a batch of schools
    at a time, their figures worked out by posts.rules."""

    def __init__(self, rng, world: World, ctx: DemoContext):
        self.rng = rng
        self.world = world
        self.ctx = ctx
        self.weather = _weather(rng, world, ctx)
        # A few hundred distinct times and countersignatures, made once each.
        self.shifted = functools.cache(shifted)
        self.aware = functools.cache(aware)

    def write(self, batch: list[Rostered]) -> tuple[int, int]:
        logs, attendance = [], []
        for school in batch:
            self.school_logs(school, logs, attendance)
        ids = reserve_ids(DutyLog, len(logs))
        write_rows(DutyLog, LOG_FIELDS, ((pk, *log) for pk, log in zip(ids, logs, strict=True)))
        written = write_rows(
            DutyAttendance,
            ATTENDANCE_FIELDS,
            ((ids[index], *row) for index, rows in attendance for row in rows),
        )
        return len(logs), written

    def school_logs(self, school: Rostered, logs: list, attendance: list) -> None:
        rng, world = self.rng, self.world
        past = [day for day in world.days.get(school.pk, ()) if day < self.ctx.today]
        recent = set(past[-2:])
        countersigner = world.police_user.get(school.pk)
        submitters = [
            world.users[name].pk
            for name, school_id in world.home_schools.items()
            if school_id == school.pk and name in world.users
        ]
        for day in past:
            if rng.random() < school.miss_day:
                continue
            walked_in = set()
            rostered = day.weekday() < 5
            weekday = _pattern_weekday(day)
            # Member.is_qualified_on, asked once a member a day.
            qualified = {}
            for period, teams in school.periods:
                rate = school.log_rate if period.is_required else school.log_rate * 0.7
                if rng.random() >= rate:
                    continue
                # (member, rostered, present): a make-up weekend day has no shifts.
                team = [
                    (member, rostered, rng.random() < school.presence) for member in teams[weekday]
                ]
                if school.reserve and rng.random() < 0.02:
                    walk_in = rng.choice(school.reserve)
                    if walk_in.pk not in walked_in:
                        walked_in.add(walk_in.pk)
                        team.append((walk_in, False, True))
                rows = []
                present = police = qualified_present = 0
                for member, on_roster, here in team:
                    if member.pk not in qualified:
                        qualified[member.pk] = member.is_qualified_on(day)
                    row = (member.pk, on_roster, here, member.is_police, qualified[member.pk])
                    rows.append(row)
                    if here:
                        present += 1
                        police += row[3]
                        qualified_present += row[4]
                # The counts posts.rules.staffing_of makes of the members present.
                staffing = Staffing(
                    present=present,
                    police=police,
                    qualified=qualified_present,
                    min_members=period.min_members,
                    min_police=period.min_police,
                    share_required=world.share,
                )
                log = self.log(school, period, day)
                submitter = rng.choice(submitters) if submitters else None
                if countersigner and rng.random() < (0.35 if day in recent else 0.93):
                    signed = (
                        countersigner.pk,
                        self.aware(day, rng.randint(18, 21), rng.randint(0, 59)),
                    )
                else:
                    signed = None, None
                attendance.append((len(logs), rows))
                logs.append((*log, submitter, *staffing_figures(staffing), *signed))

    def log(self, school: Rostered, period: WrittenPeriod, day) -> tuple:
        """LOG_FIELDS from school_id to what the gate enters, drawn in the order the seed
        has always drawn them."""
        rng = self.rng
        peak = period.period in (Period.MORNING, Period.AFTERNOON)
        entered = {
            "actual_start": self.shifted(period.start_time, -rng.randint(0, 10)),
            "actual_end": self.shifted(period.end_time, rng.randint(-3, 12)),
            "illegal_parking": rng.choices(
                TRAFFIC, cum_weights=PEAK_TRAFFIC if peak else QUIET_TRAFFIC
            )[0],
            "wrong_way_driving": rng.choices((0, 1, 2), cum_weights=WRONG_WAY)[0],
            "electric_tricycles": rng.choices(
                (0, 1, 2, 3), cum_weights=RURAL_TRICYCLES if school.rural else TOWN_TRICYCLES
            )[0],
            "farm_vehicles": (
                rng.choices((0, 1, 2), cum_weights=FARM_VEHICLES)[0] if school.rural else 0
            ),
            "other_traffic": rng.choices((0, 1, 2), cum_weights=OTHER_TRAFFIC)[0],
            "incidents": rng.choice(data.INCIDENTS) if rng.random() < 0.025 else "",
            "weather": self.weather[school.district_id, day],
        }
        return (
            school.pk,
            period.pk,
            day,
            period.period,
            *(entered[name] for name in dutylogs.LOG_FIELDS),
        )


def staffing_figures(staffing: Staffing) -> tuple:
    """LOG_FIELDS from present_count to meets_qualified_share."""
    return (
        staffing.present,
        staffing.police,
        staffing.qualified,
        staffing.meets_staffing,
        staffing.meets_qualified_share,
    )


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
