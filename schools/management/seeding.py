"""The steps of `manage.py seed_demo`: a demo city, its calendar and the demo logins.

A step is a function that takes the `DemoContext` and returns a line for the
summary, plus a function that deletes what the step made (run by --reset, in
reverse order, before anything is seeded again). schools/demo.py declares these
steps; another app adds its demo data by declaring its own in its `demo.py`
(campussafety/demo.py), after the steps it builds on: duty logs for the last
`ctx.days` days, for instance, need the schools, the accounts and the calendar.

Each step draws from its own random generator, seeded from the command's seed
and the step's name (`ctx.rng(name)`), so a step added later never changes
what the earlier ones make. What a step makes depends only on the seed, except
for dates: they are counted back from today (`ctx.start` .. `ctx.end`).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import chinese_calendar
from django.contrib.auth.hashers import make_password

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from schools import demo_data as data
from schools.calendar import days_between, forget_school_days, holiday_data_known, is_working_day
from schools.choices import ExceptionKind, GateKind, SchoolType, TermAudience
from schools.models import CalendarException, City, District, Gate, PoliceStation, School, Term

# Terms are seeded up to this many days after today, so the coming weeks'
# rosters and reminders have a calendar to work from.
DAYS_AHEAD = 60

# The demo logins, in the order they are printed.
DEMO_USERNAMES = (
    "admin",
    "city",
    "district1",
    "district2",
    "principal1",
    "principal2",
    "officer1",
    "police1",
    "police2",
)

# The district a kindergarten calendar of its own is seeded for.
KINDERGARTEN_TERM_DISTRICT = "滨城区"
# The county a district-wide closure is seeded for: on the coast, it gets the gales.
CLOSURE_DISTRICT = "无棣县"


@dataclass
class DemoContext:
    """What the steps share: the arguments, and what earlier steps made."""

    seed: int
    school_count: int
    days: int
    password: str
    today: datetime.date
    city: City | None = None
    districts: list[District] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    # The school each school-level persona works at (principal1, principal2, officer1).
    home_schools: dict[str, School] = field(default_factory=dict)
    # (username, what the login may reach), for the closing summary.
    logins: list[tuple[str, str]] = field(default_factory=list)

    @property
    def start(self) -> datetime.date:
        return self.today - datetime.timedelta(days=self.days)

    @property
    def end(self) -> datetime.date:
        return self.today + datetime.timedelta(days=DAYS_AHEAD)

    def rng(self, step_name: str) -> random.Random:
        # A string seed is hashed with SHA-512 by random.seed, so this is the
        # same on every run and every machine, whatever PYTHONHASHSEED is.
        return random.Random(f"{self.seed}:{step_name}")


def organisation_exists() -> dict[str, int]:
    """Counts of the organisation rows already in the database, by model name."""
    counts = {
        model._meta.verbose_name_plural: model.objects.count()
        for model in (City, District, PoliceStation, School)
    }
    return {str(name): count for name, count in counts.items() if count}


def max_school_count() -> int:
    # School codes are the district's 6-digit code and a 4-digit number.
    return len(data.DISTRICTS) * 9999


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _near(rng: random.Random, centre: tuple[float, float], spread: float) -> tuple[float, float]:
    return rng.gauss(centre[0], spread), rng.gauss(centre[1], spread)


def _ordinal(number: int) -> str:
    return data.numeral(number) if number <= 99 else str(number)


class SchoolNamer:
    """Plausible, unique school names within one district."""

    def __init__(self, district: data.DistrictData):
        self.district = district
        self.used: set[str] = set()
        self.counters: Counter[str] = Counter()
        self.senior_left = list(data.SENIOR_SCHOOLS.get(district.name, ()))

    def numbered(self, key: str, make: Callable[[int], str]) -> str:
        """The next name of a numbered series (第一, 第二...): never one already taken."""
        while True:
            self.counters[key] += 1
            name = make(self.counters[key])
            if name not in self.used:
                return name

    def name(self, rng: random.Random, school_type: str, town: str) -> str:
        d = self.district.name
        t = data.town_short(town)
        urban = data.is_urban(town)

        def village():
            return data.village_name(rng)

        def road():
            return rng.choice(self.district.roads)

        def neighbourhood():
            return rng.choice(data.NEIGHBOURHOODS)

        def series(weight, key, suffix, first=None, cap=None):
            """A numbered series ("第三实验小学"), no longer drawn once `cap` names are out:
            a county has a few experimental schools, not fifty."""
            if cap is not None and self.counters[key] >= cap:
                weight = 0
            return weight, lambda: self.numbered(
                key, lambda n: first if n == 1 and first else f"{d}第{_ordinal(n)}{suffix}"
            )

        kinds = SchoolType
        if school_type == kinds.KINDERGARTEN:
            choices = (
                [
                    series(2, "实验幼儿园", "实验幼儿园", f"{d}实验幼儿园", cap=6),
                    (3, lambda: f"{t}{rng.choice(data.KINDERGARTEN_BRANDS)}幼儿园"),
                    (2, lambda: f"{d}{neighbourhood()}幼儿园"),
                    (1, lambda: f"{town}中心幼儿园"),
                    (1, lambda: f"{town}{village()}幼儿园"),
                ]
                if urban
                else [
                    (3, lambda: f"{town}中心幼儿园"),
                    (5, lambda: f"{town}{village()}幼儿园"),
                    (1, lambda: f"{t}{rng.choice(data.KINDERGARTEN_BRANDS)}幼儿园"),
                ]
            )
        elif school_type == kinds.PRIMARY:
            choices = (
                [
                    series(2, "实验小学", "实验小学", cap=10),
                    (2, lambda: f"{d}{road()}小学"),
                    (3, lambda: f"{d}{neighbourhood()}小学"),
                    (1, lambda: f"{town}中心小学"),
                    (2, lambda: f"{town}{village()}小学"),
                ]
                if urban
                else [(3, lambda: f"{town}中心小学"), (6, lambda: f"{town}{village()}小学")]
            )
        elif school_type in (kinds.JUNIOR_SECONDARY, kinds.COMPLETE_SECONDARY):
            choices = (
                [
                    series(3, "中学", "中学", cap=15),
                    series(1, "实验中学", "实验中学", cap=5),
                    (1, lambda: f"{t}中学"),
                    (2, lambda: f"{d}{neighbourhood()}中学"),
                ]
                if urban
                else [
                    (3, lambda: f"{t}中学"),
                    (1, lambda: f"{town}初级中学"),
                    (1, lambda: f"{town}{village()}中学"),
                ]
            )
        elif school_type == kinds.SENIOR_SECONDARY:

            def well_known_first():
                while self.senior_left:
                    name = self.senior_left.pop(0)
                    if name not in self.used:
                        return name
                return f"{d}{neighbourhood()}高级中学"

            choices = [
                (3, well_known_first),
                series(1, "中学", "中学", cap=15),
                (1, lambda: f"{d}{t}高级中学"),
            ]
        elif school_type == kinds.NINE_YEAR:
            choices = (
                [
                    series(2, "实验学校", "实验学校", cap=6),
                    (2, lambda: f"{d}{road()}学校"),
                    (2, lambda: f"{d}{neighbourhood()}学校"),
                ]
                if urban
                else [(2, lambda: f"{town}中心学校"), (3, lambda: f"{town}{village()}学校")]
            )
        elif school_type == kinds.VOCATIONAL:
            choices = [
                series(3, "职业中专", "职业中等专业学校", f"{d}职业中等专业学校", cap=2),
                series(1, "职教中心", "职业教育中心", f"{d}职业教育中心", cap=1),
                (3, lambda: f"{d}{rng.choice(data.VOCATIONAL_TRADES)}职业学校"),
            ]
        else:
            choices = [series(1, "特教", "特殊教育学校", f"{d}特殊教育学校")]

        weights = [weight for weight, _ in choices]
        makers = [make for _, make in choices]
        for _attempt in range(20):
            name = rng.choices(makers, weights)[0]()
            if name not in self.used:
                self.used.add(name)
                return name
        # Twenty collisions in a row: the district is crowded with this kind of
        # school; a numbered series always has a free name.
        name = self.numbered(f"{school_type}-fallback", lambda n: f"{d}第{_ordinal(n)}学校")
        self.used.add(name)
        return name


def seed_organisation(ctx: DemoContext) -> str:
    rng = ctx.rng("organisation")
    city = City.objects.create(name=data.CITY_NAME, code=data.CITY_CODE)
    districts = District.objects.bulk_create(
        [District(city=city, name=d.name, code=d.code) for d in data.DISTRICTS]
    )

    # One police station per sub-district or town, named after it; rural towns
    # lie some way out of the county seat.
    stations: list[PoliceStation] = []
    town_centre: dict[tuple[int, str], tuple[float, float]] = {}
    for index, (info, district) in enumerate(zip(data.DISTRICTS, districts, strict=True)):
        for town in info.towns:
            urban = data.is_urban(town)
            centre = _near(rng, info.centre, 0.02 if urban else 0.12)
            town_centre[index, town] = centre
            stations.append(
                PoliceStation(
                    district=district,
                    name=f"{data.town_short(town)}派出所",
                    address=f"{info.name}{town}{rng.choice(info.roads)}{rng.randint(1, 900)}号",
                    duty_phone=f"{data.AREA_CODE}-{rng.choice('358')}{rng.randint(0, 999999):06d}",
                )
            )
    PoliceStation.objects.bulk_create(stations)
    station_of = {
        (index, town): station for (index, town), station in zip(town_centre, stations, strict=True)
    }

    # Where each school is and what kind it is. The first few go one to each
    # district so that even a tiny demo has schools in district1 and district2.
    types = list(data.TYPE_PROFILES)
    type_weights = [profile.weight for profile in data.TYPE_PROFILES.values()]
    district_weights = [d.weight for d in data.DISTRICTS]
    plan: list[tuple[int, str, str]] = []
    for number in range(ctx.school_count):
        if number < len(data.DISTRICTS):
            index = number
        else:
            index = rng.choices(range(len(data.DISTRICTS)), district_weights)[0]
        school_type = rng.choices(types, type_weights)[0]
        towns = data.DISTRICTS[index].towns
        if data.TYPE_PROFILES[school_type].urban_only:
            town = rng.choice([t for t in towns if data.is_urban(t)])
        else:
            # Most pupils live in the county seats.
            town = rng.choices(towns, [3 if data.is_urban(t) else 1 for t in towns])[0]
        plan.append((index, school_type, town))

    # Codes: the district's division code and four digits, unique, in no order.
    per_district = Counter(index for index, _, _ in plan)
    codes = {
        index: iter(rng.sample(range(1, 10000), per_district[index]))
        for index in range(len(data.DISTRICTS))
    }
    namers = [SchoolNamer(info) for info in data.DISTRICTS]
    schools = []
    for index, school_type, town in plan:
        info = data.DISTRICTS[index]
        profile = data.TYPE_PROFILES[school_type]
        urban = data.is_urban(town)
        low, high = profile.urban_enrolment if urban else profile.rural_enrolment
        enrolment = rng.randint(low, high)
        staff = max(4, round(enrolment / profile.pupils_per_staff * rng.uniform(0.85, 1.15)))
        # Boarding is commoner in the countryside, where pupils live far away.
        boarding = rng.random() < profile.boarding_share * (0.7 if urban else 1.3)
        station = station_of[index, town]
        latitude, longitude = _near(rng, town_centre[index, town], 0.012 if urban else 0.02)
        if rng.random() < 0.95:
            legal_vp = data.person_name(rng)
            unit_kind = rng.random()
            if unit_kind < 0.8:
                legal_vp_unit = f"{info.police_bureau}{station.name}"
            elif unit_kind < 0.9:
                legal_vp_unit = f"{info.name}人民法院"
            else:
                legal_vp_unit = f"{info.name}人民检察院"
        else:
            # A few schools are still waiting for theirs.
            legal_vp = legal_vp_unit = ""
        if urban:
            address = f"{info.name}{town}{rng.choice(info.roads)}{rng.randint(1, 999)}号"
        else:
            address = f"{info.name}{town}{data.village_name(rng)}村"
        schools.append(
            School(
                district=districts[index],
                police_station=station,
                name=namers[index].name(rng, school_type, town),
                code=f"{info.code}{next(codes[index]):04d}",
                school_type=school_type,
                address=address,
                latitude=_decimal(latitude),
                longitude=_decimal(longitude),
                enrolment=enrolment,
                staff_count=staff,
                is_boarding=boarding,
                # Binzhou's rule is a police room in every school and a booth at
                # every gate; the demo keeps some gaps for the dashboards to show.
                has_police_room=rng.random() < 0.9,
                has_protection_booth=rng.random() < 0.93,
                legal_vice_president=legal_vp,
                legal_vice_president_unit=legal_vp_unit,
            )
        )
    School.objects.bulk_create(schools, batch_size=500)

    gates = []
    for school in schools:
        size = rng.choices((1, 2, 3), (3, 5, 2))[0]
        if school.enrolment > 2000 and size < 3:
            size += 1
        main_names = [name for name, _ in data.MAIN_GATES]
        main = rng.choices(main_names, [w for _, w in data.MAIN_GATES])[0]
        names = [(main, GateKind.GATE, "主校门")]
        while len(names) < size:
            if rng.random() < 0.5:
                name, kind, description = rng.choice(data.OTHER_GATES), GateKind.GATE, ""
            else:
                name, kind = rng.choice(data.PICKUP_POINTS), GateKind.PICKUP_POINT
                description = "家长接送等候区"
            if name not in {n for n, _, _ in names}:
                names.append((name, kind, description))
        for name, kind, description in names:
            latitude, longitude = _near(
                rng, (float(school.latitude), float(school.longitude)), 0.0008
            )
            gates.append(
                Gate(
                    school=school,
                    name=name,
                    kind=kind,
                    description=description,
                    latitude=_decimal(latitude),
                    longitude=_decimal(longitude),
                )
            )
    Gate.objects.bulk_create(gates, batch_size=1000)

    ctx.city, ctx.districts, ctx.schools = city, districts, schools
    by_type = Counter(school.school_type for school in schools)
    mix = ", ".join(
        f"{SchoolType(kind).label} {by_type[kind]}" for kind in data.TYPE_PROFILES if by_type[kind]
    )
    return (
        f"{city.name}: {len(districts)} districts, {len(stations)} police stations, "
        f"{len(schools)} schools ({mix}), {len(gates)} gates and pick-up points"
    )


def reset_organisation() -> None:
    # Children first: schools and stations protect their districts, districts their city.
    Gate.objects.all().delete()
    School.objects.all().delete()
    PoliceStation.objects.all().delete()
    District.objects.all().delete()
    City.objects.all().delete()


def _pick_school(schools, district, preferred_types=(SchoolType.PRIMARY,)):
    """The first school of `district` by code, of a preferred type if it has one."""
    candidates = sorted(
        (s for s in schools if district is None or s.district_id == district.pk),
        key=lambda s: s.code,
    )
    preferred = [s for s in candidates if s.school_type in preferred_types]
    return (preferred or candidates or [None])[0]


def seed_accounts(ctx: DemoContext) -> str:
    rng = ctx.rng("accounts")
    schools = ctx.schools or list(School.objects.all())
    city = ctx.city or City.objects.get(code=data.CITY_CODE)
    districts = ctx.districts or list(District.objects.filter(city=city).order_by("code"))
    # principal1 and principal2 work in different districts whenever there are
    # schools in two; police1 and police2 are the liaisons of their stations.
    school1 = _pick_school(schools, districts[0]) or _pick_school(schools, None)
    school2 = (
        _pick_school(schools, districts[1])
        or _pick_school([s for s in schools if s.district_id != school1.district_id], None)
        or school1
    )
    district1 = school1.district
    district2 = school2.district if school2.district_id != district1.pk else districts[1]
    ctx.home_schools = {"principal1": school1, "principal2": school2, "officer1": school1}

    station1, station2 = school1.police_station, school2.police_station
    if station2.pk == station1.pk:
        # Only one school: police2 still needs a station other than police1's.
        station2 = PoliceStation.objects.filter(district=district2).exclude(pk=station1.pk).first()
    units = {
        "admin": (Role.ADMIN, None),
        "city": (Role.CITY_STAFF, city),
        "district1": (Role.DISTRICT_STAFF, district1),
        "district2": (Role.DISTRICT_STAFF, district2),
        "principal1": (Role.PRINCIPAL, school1),
        "principal2": (Role.PRINCIPAL, school2),
        "officer1": (Role.SAFETY_OFFICER, school1),
        "police1": (Role.POLICE_LIAISON, station1),
        "police2": (Role.POLICE_LIAISON, station2),
    }
    # One hash for all: the demo logins share one published password anyway,
    # and each PBKDF2 hash costs a third of a second.
    password = make_password(ctx.password)
    users = User.objects.bulk_create(
        [
            User(
                username=username,
                full_name=data.person_name(rng),
                email=f"{username}@example.com",
                password=password,
                is_staff=username == "admin",
                is_superuser=username == "admin",
            )
            for username in DEMO_USERNAMES
        ]
    )
    ctx.users = dict(zip(DEMO_USERNAMES, users, strict=True))
    unit_field = {
        City: "city",
        District: "district",
        PoliceStation: "police_station",
        School: "school",
    }
    assignments = []
    for username, (role, unit) in units.items():
        fields = {unit_field[type(unit)]: unit} if unit is not None else {}
        assignments.append(RoleAssignment(user=ctx.users[username], role=role, **fields))
        ctx.logins.append(
            (username, f"{Role(role).label}" + (f" · {unit}" if unit is not None else ""))
        )
    RoleAssignment.objects.bulk_create(assignments)
    return f"{len(users)} demo logins"


def reset_accounts() -> None:
    User.objects.filter(username__in=DEMO_USERNAMES).delete()


def _monday_on_or_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def _friday_on_or_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def _spring_term_start(year: int) -> datetime.date:
    """Schools go back about a week after the Spring Festival holiday, on a Monday."""
    if holiday_data_known(year):
        holiday_days = [
            day
            for day in days_between(datetime.date(year, 1, 10), datetime.date(year, 3, 10))
            if chinese_calendar.get_holiday_detail(day)
            == (True, chinese_calendar.Holiday.spring_festival.value)
        ]
        if holiday_days:
            start = _monday_on_or_after(holiday_days[-1] + datetime.timedelta(days=8))
            return min(max(start, datetime.date(year, 2, 10)), datetime.date(year, 3, 2))
    # The State Council has not published the year yet: a typical date.
    return _monday_on_or_after(datetime.date(year, 2, 17))


def school_year_terms(year: int) -> list[tuple[str, datetime.date, datetime.date]]:
    """The city's autumn and spring terms of the school year starting in `year`."""
    label = f"{year}—{year + 1}学年"
    return [
        (
            f"{label}第一学期",
            datetime.date(year, 9, 1),
            _friday_on_or_before(datetime.date(year + 1, 1, 20)),
        ),
        (
            f"{label}第二学期",
            _spring_term_start(year + 1),
            _friday_on_or_before(datetime.date(year + 1, 7, 7)),
        ),
    ]


def kindergarten_terms(year: int) -> list[tuple[str, datetime.date, datetime.date]]:
    """Kindergartens start a week earlier and break up later than schools."""
    label = f"{KINDERGARTEN_TERM_DISTRICT}幼儿园{year}—{year + 1}学年"
    return [
        (
            f"{label}第一学期",
            datetime.date(year, 8, 25),
            _friday_on_or_before(datetime.date(year + 1, 1, 23)),
        ),
        (
            f"{label}第二学期",
            _spring_term_start(year + 1) - datetime.timedelta(days=7),
            _friday_on_or_before(datetime.date(year + 1, 7, 17)),
        ),
    ]


def _school_year(day: datetime.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def _season(day: datetime.date) -> str:
    return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}.get(
        day.month, "summer" if day.month <= 8 else "autumn"
    )


def seed_calendar(ctx: DemoContext) -> str:
    rng = ctx.rng("calendar")
    city = ctx.city or City.objects.get(code=data.CITY_CODE)
    kg_district = District.objects.get(city=city, name=KINDERGARTEN_TERM_DISTRICT)
    closure_district = District.objects.get(city=city, name=CLOSURE_DISTRICT)

    # Every school year the seeded range touches, and one either side of it.
    years = range(_school_year(ctx.start) - 1, _school_year(ctx.end) + 2)
    terms = [
        Term(city=city, name=name, start_date=first, end_date=last, audience=TermAudience.ALL)
        for year in years
        for name, first, last in school_year_terms(year)
    ]
    terms += [
        Term(
            district=kg_district,
            name=name,
            start_date=first,
            end_date=last,
            audience=TermAudience.KINDERGARTENS,
        )
        for year in years
        for name, first, last in kindergarten_terms(year)
    ]
    Term.objects.bulk_create(terms)

    # Closures fall on school days, in the past part of the range when there is
    # one, so that the history (and later the duty logs) shows them.
    term_spans = [(t.start_date, t.end_date) for t in terms if t.city_id]
    school_days = [
        day
        for day in days_between(ctx.start, ctx.end)
        if is_working_day(day) and any(first <= day <= last for first, last in term_spans)
    ]
    past = [day for day in school_days if day < ctx.today]
    pool = past or school_days
    exceptions = []
    if len(pool) >= 3:
        city_day, district_day, school_day = rng.sample(pool, 3)
        exceptions.append(
            CalendarException(
                city=city,
                date=city_day,
                kind=ExceptionKind.CLOSED,
                reason=f"{data.WEATHER_WARNINGS[_season(city_day)]}，全市中小学、幼儿园停课一天",
            )
        )
        # The lessons lost are made up on the next Saturday, when there is one in range.
        saturday = city_day + datetime.timedelta(days=(5 - city_day.weekday()) % 7)
        if saturday <= ctx.end and not is_working_day(saturday):
            exceptions.append(
                CalendarException(
                    city=city,
                    date=saturday,
                    kind=ExceptionKind.OPEN,
                    reason=f"补{city_day.month}月{city_day.day}日停课的课",
                )
            )
        exceptions.append(
            CalendarException(
                district=closure_district,
                date=district_day,
                kind=ExceptionKind.CLOSED,
                reason=f"{data.COASTAL_WARNING}，全县中小学、幼儿园停课一天",
            )
        )
        school = ctx.home_schools.get("principal1")
        if school is not None:
            exceptions.append(
                CalendarException(
                    school=school,
                    date=school_day,
                    kind=ExceptionKind.CLOSED,
                    reason=rng.choice(data.SCHOOL_CLOSURES),
                )
            )
    CalendarException.objects.bulk_create(exceptions)
    # Bulk writes send no signals: forget the cached school days here.
    forget_school_days()
    note = "" if exceptions else " (no school days in range: no closures)"
    return (
        f"{len(terms)} terms for school years {years[0]}–{years[-1] + 1} "
        f"({ctx.start} to {ctx.end} covered), {len(exceptions)} calendar exceptions{note}"
    )


def reset_calendar() -> None:
    CalendarException.objects.all().delete()
    Term.objects.all().delete()
