"""The posts step of `manage.py seed_demo`: members, posts, rosters, shifts, duty logs, coverage.

Every school gets a post at each of its gates with morning and afternoon
peaks (noon at some, evening at boarding schools), registered members of the
kinds a real post has, a weekly roster that mostly keeps the 80% rule, the
shifts it makes over the seeded past and the coming two weeks, and a duty log
for most post periods of each past school day, with its attendance and the
daily coverage those logs add up to.

It is written for a city's 3,000 schools, where it writes about a hundred
thousand rows per day of history: members, posts and periods go in with
bulk_create (their ids are needed), rosters, shifts, logs, attendance and
coverage with posts.management.bulk.write_rows, several times faster, logs a
batch of schools at a time so memory stays flat. The figures of each log
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
import itertools
import math
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import RoleAssignment, User
from campussafety.personal import hash_id_number, mask_id_number
from posts import demo_data as data
from posts import dutylogs
from posts.choices import (
    MemberKind,
    Period,
    ShiftOrigin,
    UnitKind,
    VerificationStatus,
)
from posts.dutylogs import COVERAGE_FIGURES, coverage_rows
from posts.management.bulk import write_rows
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
from schools import demo_data as school_data
from schools.calendar import school_days
from schools.choices import SchoolType, TermAudience
from schools.management.seeding import DEMO_USERNAMES, DemoContext
from schools.models import City, District, Gate, School, Term

# Shifts are made for today and the 13 days after it.
ROSTER_DAYS_AHEAD = 14
# Schools handled at once: bounds memory at a few hundred thousand rows.
SCHOOL_BATCH = 150
INSERT_BATCH = 2000

WEEKDAYS = range(5)
QUALIFIED_KINDS = (MemberKind.POLICE, MemberKind.AUXILIARY_POLICE, MemberKind.SECURITY_GUARD)
LARGE_SCHOOL = 2500


def main_gate_minimum(enrolment: int) -> int:
    """Members a school's main post needs at a peak: 3 for a small school, up to 8."""
    for below, minimum in ((600, 3), (1500, 4), (LARGE_SCHOOL, 5), (3500, 6), (4500, 7)):
        if enrolment < below:
            return minimum
    return 8


def pool_factor(enrolment: int) -> float:
    """How many people a post's roster rotates through, per place on a day's roster.

    A small school's post is the same few people every day; a large school
    rotates its main post through 20 to 35 people over the week.
    """
    if enrolment < 1500:
        return 1.0
    if enrolment < LARGE_SCHOOL:
        return 1.4
    return 3.0


@dataclass
class PostPlan:
    """A post with its periods, the people it rotates through, and its roster by weekday."""

    post: Post
    main: bool
    minimum: int
    police_minimum: int
    periods: list[PostPeriod] = field(default_factory=list)
    # Places on a day's roster: all of them, qualified ones, police ones.
    places: int = 0
    qualified_places: int = 0
    police_pool: list[Member] = field(default_factory=list)
    qualified_pool: list[Member] = field(default_factory=list)
    other_pool: list[Member] = field(default_factory=list)
    # Weekday -> who stands the peaks; noon and evening take the first few.
    week: dict[int, list[Member]] = field(default_factory=dict)


@dataclass
class SchoolPlan:
    school: School
    posts: list[PostPlan]
    members: list[Member] = field(default_factory=list)
    # Members of the school on no rotation: they come now and then as walk-ins.
    reserve: list[Member] = field(default_factory=list)
    # From a neighbouring school of the same police station.
    borrowed: list[Member] = field(default_factory=list)
    # Weekdays on which the main post is short of one qualified member.
    short_days: tuple[int, ...] = ()
    # How the school logs: share of post periods logged, chance of missing a
    # whole day, chance that someone rostered turns up.
    log_rate: float = 0.985
    miss_day: float = 0.01
    presence: float = 0.985

    def roster_of(self, post: PostPlan, period: PostPeriod, weekday: int) -> list[Member]:
        team = post.week.get(weekday, [])
        if period.period in (Period.NOON, Period.EVENING):
            return team[: period.min_members]
        return team


@dataclass
class World:
    """What the step reads from the earlier steps."""

    city: City
    districts: dict[int, District]
    schools: list[School]
    gates: dict[int, list[Gate]]
    users: dict[str, User]
    # School id -> the demo login of its police station / district, if any.
    police_user: dict[int, User]
    district_user: dict[int, User]
    home_schools: dict[str, int]
    days: dict[int, tuple[datetime.date, ...]]
    term_start: datetime.date
    share: Decimal

    @classmethod
    def load(cls, ctx: DemoContext) -> World:
        city = ctx.city or City.objects.get(code=school_data.CITY_CODE)
        schools = list(
            School.objects.filter(district__city=city)
            .select_related("district", "police_station")
            .order_by("pk")
        )
        gates = defaultdict(list)
        # The main gate was made first (seed_organisation), so it leads.
        for gate in Gate.objects.filter(school__in=schools).order_by("school_id", "pk"):
            gates[gate.school_id].append(gate)
        users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
        police_user, district_user, home_schools = {}, {}, {}
        by_station, by_district = defaultdict(list), defaultdict(list)
        for school in schools:
            by_station[school.police_station_id].append(school.pk)
            by_district[school.district_id].append(school.pk)
        for assignment in RoleAssignment.objects.filter(user__in=users.values()).select_related(
            "user"
        ):
            name = assignment.user.username
            if assignment.police_station_id:
                for school_id in by_station[assignment.police_station_id]:
                    police_user.setdefault(school_id, assignment.user)
            elif assignment.district_id:
                for school_id in by_district[assignment.district_id]:
                    district_user.setdefault(school_id, assignment.user)
            elif assignment.school_id:
                home_schools[name] = assignment.school_id
        # Members are assigned from the start of the term the seeded history begins in.
        terms = Term.objects.filter(city=city, audience=TermAudience.ALL).order_by("start_date")
        started = [term.start_date for term in terms if term.start_date <= ctx.start]
        term_start = started[-1] if started else ctx.start
        end = ctx.today + datetime.timedelta(days=ROSTER_DAYS_AHEAD - 1)
        return cls(
            city=city,
            districts={district.pk: district for district in District.objects.filter(city=city)},
            schools=schools,
            gates=gates,
            users=users,
            police_user=police_user,
            district_user=district_user,
            home_schools=home_schools,
            days=school_days(schools, min(ctx.start, ctx.today), end),
            term_start=term_start,
            share=city.qualified_share_required,
        )


def _aware(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _shifted(value: datetime.time, minutes: int) -> datetime.time:
    return (datetime.datetime.combine(datetime.date(2000, 1, 1), value) + _minutes(minutes)).time()


def _minutes(minutes: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=minutes)


class Registrar:
    """Makes members with valid, unique, never-stored ID numbers."""

    def __init__(self, rng: random.Random, world: World, ctx: DemoContext):
        self.rng = rng
        self.world = world
        self.ctx = ctx
        self.district_codes = tuple(d.code for d in world.districts.values())
        self.hashes: set[str] = set()
        self.badges = Counter()

    def member(self, school: School, kind: str, status: str = VerificationStatus.VERIFIED):
        rng = self.rng
        district = self.world.districts[school.district_id]
        while True:
            number = data.id_number(
                rng,
                data.id_region(rng, district.code, self.district_codes),
                data.BIRTH_YEARS[kind],
            )
            digest = hash_id_number(number)
            if digest not in self.hashes:
                break
        self.hashes.add(digest)
        masked = mask_id_number(number)
        fields = {}
        if kind in (MemberKind.POLICE, MemberKind.AUXILIARY_POLICE):
            unit_kind, unit_name = UnitKind.POLICE_STATION, school.police_station.name
            if kind == MemberKind.POLICE:
                fields["police_number"] = data.police_number(rng)
        elif kind == MemberKind.SECURITY_GUARD:
            unit_kind, unit_name = UnitKind.SECURITY_COMPANY, self.security_company(district)
            expiry = self.certificate_expiry()
            fields["guard_certificate_expiry"] = expiry
            fields["guard_certificate_number"] = data.guard_certificate_number(
                rng, district.code, expiry.year - 3
            )
        elif kind == MemberKind.COMMUNITY_WORKER:
            unit_kind, unit_name = UnitKind.COMMUNITY, self.community(school, district)
        elif kind == MemberKind.PARENT_VOLUNTEER:
            unit_kind, unit_name = UnitKind.SCHOOL, f"{school.name}家长委员会"
        else:
            unit_kind, unit_name = UnitKind.SCHOOL, school.name
        self.badges[school.code] += 1
        member = Member(
            name=school_data.person_name(rng),
            kind=kind,
            unit_kind=unit_kind,
            unit_name=unit_name,
            phone=data.mobile(rng),
            id_number_hash=digest,
            id_number_masked=masked,
            badge_number=f"护{school.code[4:]}{self.badges[school.code]:02d}",
            **fields,
        )
        self.decide(member, school, status)
        return member

    def security_company(self, district: District) -> str:
        draw = self.rng.random()
        if draw < 0.55:
            return data.district_security_company(district.name)
        if draw < 0.85:
            return data.CITY_SECURITY_COMPANY
        return self.rng.choice(data.PRIVATE_SECURITY_COMPANIES)

    def certificate_expiry(self) -> datetime.date:
        """Mostly years ahead; a few ran out recently, a few run out within 30 days."""
        today = self.ctx.today
        draw = self.rng.random()
        if draw < 0.02:
            return today - datetime.timedelta(days=self.rng.randint(1, 20))
        if draw < 0.07:
            return today + datetime.timedelta(days=self.rng.randint(0, 30))
        return today + datetime.timedelta(days=self.rng.randint(120, 1100))

    def community(self, school: School, district: District) -> str:
        rest = school.address.removeprefix(district.name)
        town = re.match(r".+?(?:街道|镇|乡)", rest)
        town = town.group(0) if town else ""
        if school.address.endswith("村"):
            # 石庙镇王家庄村 -> 石庙镇王家庄村民委员会
            return f"{rest}民委员会"
        return f"{town}{self.rng.choice(school_data.NEIGHBOURHOODS)}社区居民委员会"

    def decide(self, member: Member, school: School, status: str):
        """Who verified the member and when; pending ones registered in the last fortnight."""
        member.verification_status = status
        if status == VerificationStatus.PENDING:
            return
        police = self.world.police_user.get(school.pk)
        district = self.world.district_user.get(school.pk)
        deciders = [user for user in (police, district) if user is not None]
        member.verified_by = self.rng.choice(deciders) if deciders else None
        span = max((self.ctx.today - self.world.term_start).days - 1, 1)
        day = self.world.term_start + datetime.timedelta(days=self.rng.randrange(span))
        member.verified_at = _aware(
            min(day, self.ctx.today - datetime.timedelta(days=1)),
            self.rng.randint(8, 17),
            self.rng.randint(0, 59),
        )
        if status == VerificationStatus.REJECTED:
            member.rejection_reason = self.rng.choice(data.REJECTION_REASONS)


def plan_school(rng: random.Random, registrar: Registrar, world: World, school: School):
    """A school's posts, its members and who rotates where, before anything is saved."""
    enrolment = school.enrolment
    large = enrolment >= LARGE_SCHOOL
    gates = world.gates.get(school.pk, [])
    plan = SchoolPlan(school=school, posts=[])
    for index, gate in enumerate(gates):
        main = index == 0
        minimum = main_gate_minimum(enrolment) if main else (4 if large else 3)
        post = PostPlan(
            post=Post(school=school, gate=gate, name=f"{gate.name}护学岗"),
            main=main,
            minimum=minimum,
            police_minimum=2 if main and large else 1,
        )
        # Most posts roster one more than the minimum, and that one is
        # qualified: someone off sick then breaks neither rule.
        spare = rng.random() < (0.65 if main else 0.45)
        post.places = minimum + spare
        post.qualified_places = min(post.places, math.ceil(world.share * post.places) + spare)
        plan.posts.append(post)
        for period in (Period.MORNING, Period.AFTERNOON):
            post.periods.append(_period(post, period, post.minimum, post.police_minimum, True))
        # Pupils of some primary schools go home for lunch; boarders go out in the evening.
        lunch = school.school_type in (SchoolType.PRIMARY, SchoolType.NINE_YEAR)
        if main and lunch and rng.random() < 0.3:
            post.periods.append(_period(post, Period.NOON, 3, 1, False))
        if main and school.is_boarding:
            post.periods.append(_period(post, Period.EVENING, 3, 1, False))

    if not plan.posts:
        return plan
    draw = rng.random()
    main_post = plan.posts[0]
    if draw < 0.03:
        # A school with too many volunteers and too few guards on its main post.
        while main_post.qualified_places >= world.share * main_post.places:
            main_post.places += 1
    elif draw < 0.06:
        plan.short_days = tuple(sorted(rng.sample(WEEKDAYS, rng.randint(1, 2))))
    draw = rng.random()
    if draw < 0.05:
        plan.log_rate, plan.miss_day, plan.presence = 0.75, 0.08, 0.93
    elif draw < 0.2:
        plan.log_rate, plan.miss_day, plan.presence = 0.93, 0.03, 0.97

    _register(rng, registrar, plan, large)
    return plan


def _period(post: PostPlan, period: str, minimum: int, police: int, required: bool) -> PostPeriod:
    start, end = data.PERIOD_WINDOWS[period]
    return PostPeriod(
        post=post.post,
        period=period,
        start_time=start,
        end_time=end,
        min_members=min(minimum, post.minimum),
        min_police=min(police, post.police_minimum),
        is_required=required,
    )


def _register(rng: random.Random, registrar: Registrar, plan: SchoolPlan, large: bool):
    """The school's members, in realistic numbers and kinds, spread over its posts' pools."""
    school = plan.school
    factor = pool_factor(school.enrolment)

    def wanted(post: PostPlan, places: int) -> int:
        return math.ceil(places * (factor if post.main else 1.0))

    police_places = [wanted(post, post.police_minimum) for post in plan.posts]
    qualified_places = [
        wanted(post, post.qualified_places - post.police_minimum) for post in plan.posts
    ]
    other_places = [wanted(post, post.places - post.qualified_places) for post in plan.posts]

    # 1–2 officers of the station (2 at a large school), auxiliary police for
    # the other police places, at least one of them.
    officers = 2 if large else rng.choice((1, 1, 2))
    police_kind = max(sum(police_places), officers + rng.randint(1, 2))
    police = [registrar.member(school, MemberKind.POLICE) for _ in range(officers)]
    police += [
        registrar.member(school, MemberKind.AUXILIARY_POLICE) for _ in range(police_kind - officers)
    ]
    # Guards fill the remaining qualified places: 2–4 at most schools.
    spare_police = police_kind - sum(police_places)
    guard_count = max(2, sum(qualified_places) - spare_police + rng.choice((0, 0, 1)))
    guards = [registrar.member(school, MemberKind.SECURITY_GUARD) for _ in range(guard_count)]
    others = (
        [MemberKind.SCHOOL_LEADER] * (rng.randint(1, 2) + large)
        + [MemberKind.STAFF] * (rng.randint(1, 3) + 2 * large)
        + [MemberKind.COMMUNITY_WORKER]
        + [MemberKind.PARENT_VOLUNTEER] * (rng.randint(1, 4) + 4 * large)
    )
    others += [MemberKind.PARENT_VOLUNTEER] * max(0, sum(other_places) - len(others))
    rng.shuffle(others)
    non_qualified = [registrar.member(school, kind) for kind in others]

    police_left = iter(police)
    for post, needed in zip(plan.posts, police_places, strict=True):
        post.police_pool = [next(police_left) for _ in range(needed)]
    # Auxiliary police beyond the police places take qualified places first.
    qualified_left = iter([*police_left, *guards])
    for post, needed in zip(plan.posts, qualified_places, strict=True):
        post.qualified_pool = _first(qualified_left, needed)
    others_left = iter(non_qualified)
    for post, needed in zip(plan.posts, other_places, strict=True):
        post.other_pool = _first(others_left, needed)
    # Whoever is qualified beyond the places stands at the main post too.
    plan.posts[0].qualified_pool += list(qualified_left)
    plan.reserve = list(others_left)

    # Recent registrations waiting for verification, and now and then a rejected one.
    pending = rng.choices((0, 1, 2, 3), (55, 30, 12, 3))[0]
    kinds = (MemberKind.PARENT_VOLUNTEER, MemberKind.SECURITY_GUARD, MemberKind.STAFF)
    waiting = [
        registrar.member(school, rng.choice(kinds), VerificationStatus.PENDING)
        for _ in range(pending)
    ]
    if rng.random() < 0.05:
        waiting.append(registrar.member(school, rng.choice(kinds), VerificationStatus.REJECTED))
    plan.members = [*police, *guards, *non_qualified, *waiting]


def _first(iterator, count: int) -> list:
    return list(itertools.islice(iterator, count))


def borrow_neighbours(rng: random.Random, plans: list[SchoolPlan]):
    """A few police officers and community workers also serve the next school of their station."""
    previous = {}
    for plan in plans:
        station = plan.school.police_station_id
        neighbour = previous.get(station)
        previous[station] = plan
        if neighbour is None or not plan.posts or not neighbour.posts or rng.random() >= 0.05:
            continue
        candidates = [
            member
            for member in neighbour.members
            if member.kind in (MemberKind.POLICE, MemberKind.COMMUNITY_WORKER)
            and member.verification_status == VerificationStatus.VERIFIED
        ]
        if not candidates:
            continue
        member = rng.choice(candidates)
        plan.borrowed.append(member)
        if member.kind == MemberKind.POLICE:
            plan.posts[0].police_pool.append(member)
        else:
            plan.posts[0].other_pool.append(member)


def _take(pool, count, weekday, busy, taken) -> list[Member]:
    """Up to `count` of `pool`, starting further along each weekday so the pool rotates."""
    if count <= 0 or not pool:
        return []
    start = (weekday * count) % len(pool)
    picked = []
    for step in range(len(pool)):
        member = pool[(start + step) % len(pool)]
        if member.pk in taken or (member.pk, weekday) in busy:
            continue
        picked.append(member)
        taken.add(member.pk)
        if len(picked) == count:
            break
    return picked


def plan_week(plan: SchoolPlan, busy: set[tuple[int, int]]):
    """Who stands each post on each weekday: police first, then qualified, then the others.

    `busy` holds (member, weekday) already rostered elsewhere: members borrowed
    from a neighbour stand here only on days their own school does not need them.
    """
    for weekday in WEEKDAYS:
        taken: set[int] = set()
        for post in plan.posts:
            short = 1 if post.main and weekday in plan.short_days else 0
            police = _take(post.police_pool, post.police_minimum, weekday, busy, taken)
            qualified_pool = [*post.police_pool, *post.qualified_pool]
            qualified = _take(
                qualified_pool,
                post.qualified_places - len(police) - short,
                weekday,
                busy,
                taken,
            )
            others = _take(
                post.other_pool, post.places - post.qualified_places, weekday, busy, taken
            )
            post.week[weekday] = [*police, *qualified, *others]
        busy.update((pk, weekday) for pk in taken)


def seed_posts(ctx: DemoContext) -> str:
    rng = ctx.rng("posts")
    world = World.load(ctx)
    registrar = Registrar(rng, world, ctx)
    plans = [plan_school(rng, registrar, world, school) for school in world.schools]
    _make_home_school_lively(rng, registrar, world, plans)
    borrow_neighbours(rng, plans)

    members = [member for plan in plans for member in plan.members]
    write_rows(
        Member,
        MEMBER_FIELDS,
        (tuple(getattr(member, name) for name in MEMBER_FIELDS) for member in members),
    )
    # A member is known by the hash of their ID number (unique): their new id.
    ids = dict(Member.objects.values_list("id_number_hash", "pk"))
    for member in members:
        member.pk = ids[member.id_number_hash]
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
    # Posts and periods are few and their new ids are needed: bulk_create.
    posts = [post for plan in plans for post in plan.posts]
    Post.objects.bulk_create([post.post for post in posts], batch_size=INSERT_BATCH)
    # Each period was made with its unsaved post; bulk_create takes the post's new id.
    PostPeriod.objects.bulk_create(
        [period for post in posts for period in post.periods], batch_size=INSERT_BATCH
    )

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


MEMBER_FIELDS = (
    "name",
    "kind",
    "unit_kind",
    "unit_name",
    "phone",
    "id_number_hash",
    "id_number_masked",
    "police_number",
    "guard_certificate_number",
    "guard_certificate_expiry",
    "badge_number",
    "verification_status",
    "verified_by_id",
    "verified_at",
    "rejection_reason",
)
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
                        log["countersigned_at"] = _aware(
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
        "actual_start": _shifted(period.start_time, -rng.randint(0, 10)),
        "actual_end": _shifted(period.end_time, rng.randint(-3, 12)),
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
