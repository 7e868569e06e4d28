"""Planning for the posts demo step: who is registered at each school, its posts and weekly roster.

A school's plan (SchoolPlan) is worked out in memory first, with the members
registered through a Registrar that turns generated ID numbers straight into
their keyed hash and masked form; seeding.py then writes the plans and their
history in bulk.
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
from posts.choices import (
    MemberKind,
    Period,
    UnitKind,
    VerificationStatus,
)
from posts.models import (
    Member,
    Post,
    PostPeriod,
)
from schools import demo_data as school_data
from schools.calendar import school_days
from schools.choices import SchoolType, TermAudience
from schools.management.seeding import DEMO_USERNAMES, DemoContext
from schools.models import City, District, Gate, School, Term

# Shifts are made for today and the 13 days after it.
ROSTER_DAYS_AHEAD = 14
# Schools handled at once: bounds memory at a few hundred thousand rows.
SCHOOL_BATCH = 150
# Schools planned at once before their members are written (seeding.py).
PLAN_BATCH = 1000

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


# What the seed writes of a member (seeding.py), in order.
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
# What is no longer needed once the member is written and has its id.
WRITTEN_ONLY = (
    "name",
    "unit_kind",
    "unit_name",
    "phone",
    "id_number_hash",
    "id_number_masked",
    "police_number",
    "guard_certificate_number",
    "badge_number",
    "verified_by",
    "verified_at",
    "rejection_reason",
)


class PlannedMember:
    """A member as the seed plans them: the fields it writes and what the rules read, in slots.

    A province's half a million Member instances, each with its dict and
    state, were most of the seed's memory. The rules are Member's own
    (is_police, is_qualified_on), so a planned member counts as a saved one
    does; `forget_written()` drops the text once the member is in the database.
    """

    __slots__ = (*(name for name in MEMBER_FIELDS if name != "verified_by_id"), "verified_by", "pk")
    is_police = Member.is_police
    is_qualified_on = Member.is_qualified_on
    unqualified_reason = Member.unqualified_reason

    def __init__(self, **fields):
        for name, default in _MEMBER_DEFAULTS.items():
            setattr(self, name, fields.pop(name, default))
        self.verified_by = fields.pop("verified_by", None)
        self.pk = None
        if fields:
            raise TypeError(f"Not a member field: {', '.join(fields)}")

    @property
    def verified_by_id(self):
        return self.verified_by.pk if self.verified_by is not None else None

    def forget_written(self) -> None:
        for name in WRITTEN_ONLY:
            setattr(self, name, None)


_MEMBER_DEFAULTS = {
    name: Member._meta.get_field(name).get_default()
    for name in MEMBER_FIELDS
    if name != "verified_by_id"
}


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


def aware(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def shifted(value: datetime.time, minutes: int) -> datetime.time:
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
        member = PlannedMember(
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
        member.verified_at = aware(
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
