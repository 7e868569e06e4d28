"""The school calendar: is a day a school day, for one school or thousands.

A school day is a working day in mainland China (public holidays and make-up
working days as published by the State Council, from the chinesecalendar
package) that falls inside a term applying to the school, unless a calendar
exception says otherwise. Exceptions of a school override those of its
district, which override those of its city.

For a year the package does not know yet (the State Council publishes each
year's holidays in the preceding November or December), working days fall back
to Monday to Friday and `holiday_data_known()` says so, so that pages can warn
and bureau staff can enter the holidays as exceptions.
"""

from __future__ import annotations

import contextlib
import datetime
import secrets
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

import chinese_calendar
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, QuerySet

from schools.choices import ExceptionKind, SchoolType, TermAudience
from schools.models import CalendarException, School, Term

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=64)
def holiday_data_known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: datetime.date) -> bool:
    """A working day in mainland China; Monday to Friday for an unpublished year."""
    if holiday_data_known(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def days_between(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def working_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [day for day in days_between(start, end) if is_working_day(day)]


def term_audiences(is_kindergarten: bool) -> tuple[str, str]:
    """The term audiences that apply to a kindergarten, or to any other school."""
    return (
        TermAudience.ALL,
        TermAudience.KINDERGARTENS if is_kindergarten else TermAudience.SCHOOLS,
    )


def school_days(
    schools: QuerySet | Iterable,
    start: datetime.date,
    end: datetime.date,
    owners: dict | None = None,
) -> dict[int, tuple[datetime.date, ...]]:
    """The school days of each school between start and end (inclusive), by school id.

    Three queries whatever the number of schools: the schools, the terms and the
    exceptions. Schools sharing a district and a kind of term share one
    computation (and one tuple), so a city's 3,000 schools cost a few dozen day sweeps.
    `owners`, a dict, receives the (district id, city id) of each school, read by the
    same query.
    """
    rows = _school_rows(schools) if start <= end or owners is not None else []
    if owners is not None:
        owners.update((row[0], (row[2], row[3])) for row in rows)
    if not rows or start > end:
        return {}
    group_days, own_days = _calendar_groups(rows, start, end)
    return {
        school_id: own_days[school_id]
        if school_id in own_days
        else group_days[district_id, school_type == SchoolType.KINDERGARTEN]
        for school_id, school_type, district_id, _city_id in rows
    }


def school_day_groups(
    schools: QuerySet | Iterable, start: datetime.date, end: datetime.date
) -> tuple[dict[tuple[int, bool], tuple], dict[int, tuple]]:
    """The school days of [start, end] as the calendar shares them, for work done in SQL:
    ({(district id, is kindergarten): days} for the districts of `schools`, {school id:
    days} for the schools whose own exceptions give them days of their own). Three
    queries, as school_days()."""
    rows = _school_rows(schools) if start <= end else []
    if not rows:
        return {}, {}
    return _calendar_groups(rows, start, end)


def _calendar_groups(rows, start, end):
    terms_by_owner = _terms_by_owner(
        {row[2] for row in rows}, {row[3] for row in rows}, start, end, clip=True
    )
    overrides = _exceptions_by_owner(rows, start, end, "kind")
    for days in overrides.values():
        for day, kind in days.items():
            days[day] = kind == ExceptionKind.OPEN

    workdays = working_days(start, end)
    group_days: dict[tuple[int, bool], tuple[datetime.date, ...]] = {}
    own_days: dict[int, tuple[datetime.date, ...]] = {}
    for school_id, school_type, district_id, city_id in rows:
        is_kindergarten = school_type == SchoolType.KINDERGARTEN
        key = (district_id, is_kindergarten)
        if key not in group_days:
            audiences = term_audiences(is_kindergarten)
            in_term: set[datetime.date] = set()
            for owner in (("city", city_id), ("district", district_id)):
                for audience, first, last in terms_by_owner.get(owner, ()):
                    if audience in audiences:
                        in_term.update(days_between(first, last))
            days = {day for day in workdays if day in in_term}
            _apply(days, overrides.get(("city", city_id)))
            _apply(days, overrides.get(("district", district_id)))
            group_days[key] = tuple(sorted(days))
        school_override = overrides.get(("school", school_id))
        if school_override:
            days = set(group_days[key])
            _apply(days, school_override)
            own_days[school_id] = tuple(sorted(days))
    return group_days, own_days


def _exceptions_by_owner(rows, start, end, field: str) -> dict[tuple[str, int], dict]:
    """`field` of the calendar exceptions of the schools' cities, districts and themselves in
    [start, end], by owner ("school" | "district" | "city", id) and day. One query."""
    by_owner: dict[tuple[str, int], dict] = defaultdict(dict)
    districts = {row[2] for row in rows}
    schools = {row[0] for row in rows}
    for city_id, district_id, school_id, day, value in CalendarException.objects.filter(
        Q(city_id__in={row[3] for row in rows})
        | Q(district_id__in=districts)
        # The schools' own exceptions, asked by their districts (a handful of ids) and
        # kept below: a list of a province's 30,000 school ids cost 130 ms to send.
        | Q(school__district_id__in=districts),
        date__gte=start,
        date__lte=end,
    ).values_list("city_id", "district_id", "school_id", "date", field):
        if school_id:
            if school_id not in schools:
                continue
            owner = ("school", school_id)
        elif district_id:
            owner = ("district", district_id)
        else:
            owner = ("city", city_id)
        by_owner[owner][day] = value
    return by_owner


def _school_rows(schools) -> list[tuple[int, str, int, int]]:
    """(id, type, district id, city id) of each school: one query."""
    if isinstance(schools, QuerySet):
        school_filter = Q(pk__in=schools.values("pk"))
    else:
        ids = [school.pk if isinstance(school, School) else school for school in schools]
        school_filter = Q(pk__in=ids)
    return list(
        School.objects.filter(school_filter).values_list(
            "pk", "school_type", "district_id", "district__city_id"
        )
    )


def _terms_by_owner(district_ids, city_ids, start, end, clip):
    """(audience, first, last) of the terms overlapping [start, end], by ("city"|"district", id).

    One query. With `clip`, each term is cut to the range.
    """
    terms_by_owner: dict[tuple[str, int], list[tuple[str, datetime.date, datetime.date]]]
    terms_by_owner = defaultdict(list)
    for city_id, district_id, audience, first, last in Term.objects.filter(
        Q(district_id__in=district_ids) | Q(city_id__in=city_ids),
        start_date__lte=end,
        end_date__gte=start,
    ).values_list("city_id", "district_id", "audience", "start_date", "end_date"):
        owner = ("district", district_id) if district_id else ("city", city_id)
        if clip:
            first, last = max(first, start), min(last, end)
        terms_by_owner[owner].append((audience, first, last))
    return terms_by_owner


def pattern_weekdays(
    schools: QuerySet | Iterable, start: datetime.date, end: datetime.date
) -> dict[int, dict[datetime.date, int]]:
    """The days of [start, end] that run as another weekday (a make-up school day whose
    exception names the weekday it follows), by school id: {school: {day: weekday}}.

    Two queries. As for school days, the school's own exception on a day
    overrides its district's, which overrides its city's.
    """
    rows = _school_rows(schools)
    if not rows:
        return {}
    by_owner = _exceptions_by_owner(rows, start, end, "follows_weekday")
    result = {}
    for school_id, _type, district_id, city_id in rows:
        days: dict[datetime.date, int | None] = {}
        for owner in (("city", city_id), ("district", district_id), ("school", school_id)):
            days.update(by_owner.get(owner, {}))
        followed = {day: weekday for day, weekday in days.items() if weekday is not None}
        if followed:
            result[school_id] = followed
    return result


def school_terms(
    schools: QuerySet | Iterable, start: datetime.date, end: datetime.date
) -> dict[int, tuple[tuple[datetime.date, datetime.date], ...]]:
    """The whole terms (first day, last day) of each school overlapping [start, end], by school id.

    Two queries whatever the number of schools. A school follows its city's and
    its district's terms for its audience (kindergartens or schools).
    """
    if start > end:
        return {}
    rows = _school_rows(schools)
    if not rows:
        return {}
    terms_by_owner = _terms_by_owner(
        {row[2] for row in rows}, {row[3] for row in rows}, start, end, clip=False
    )
    result = {}
    for school_id, school_type, district_id, city_id in rows:
        audiences = term_audiences(school_type == SchoolType.KINDERGARTEN)
        terms = {
            (first, last)
            for owner in (("city", city_id), ("district", district_id))
            for audience, first, last in terms_by_owner.get(owner, ())
            if audience in audiences
        }
        result[school_id] = tuple(sorted(terms))
    return result


def _apply(days: set[datetime.date], override: dict[datetime.date, bool] | None):
    if not override:
        return
    for day, is_open in override.items():
        if is_open:
            days.add(day)
        else:
            days.discard(day)


# "Is this a school day" is asked on every duty-log write and changes only when
# someone edits a term, an exception or a school: the answer is cached per school
# and day under a generation number that those edits bump (schools/signals.py),
# so every web process (the cache is Redis in production) forgets at once.
# Every entry expires: a full Redis evicts only keys with an expiry (README, Production).
SCHOOL_DAY_CACHE_SECONDS = 6 * 3600
GENERATION_KEY = "generation"
GENERATION_SECONDS = 30 * 24 * 3600


def is_school_day(school: School | int, day: datetime.date) -> bool:
    """Is `day` a school day for `school`? Two cache reads; three queries on a miss."""
    school_id = school.pk if isinstance(school, School) else school
    key = f"{_prefix()}:{_generation()}:school-day:{school_id}:{day.isoformat()}"
    answer = cache.get(key)
    if answer is None:
        answer = bool(school_days([school_id], day, day).get(school_id))
        cache.set(key, answer, SCHOOL_DAY_CACHE_SECONDS)
    return answer


def _prefix() -> str:
    # The database's name: processes sharing a Redis but not a database (the
    # test workers, each with its own test database) never read each other's days.
    return f"calendar:{connection.settings_dict['NAME']}"


def _generation() -> int:
    key = f"{_prefix()}:{GENERATION_KEY}"
    generation = cache.get(key)
    if generation is None:
        # A random start, so a cache that lost the counter never serves an
        # answer stored under an earlier one.
        generation = secrets.randbits(48)
        cache.add(key, generation, GENERATION_SECONDS)
        generation = cache.get(key, generation)
    return generation


def forget_school_days() -> None:
    """The calendar changed (a term, an exception, a school): drop every cached answer.

    Called by the signals in schools/signals.py, and by bulk writes that send none.
    """
    # No counter yet (ValueError): nothing was cached under one.
    with contextlib.suppress(ValueError):
        cache.incr(f"{_prefix()}:{GENERATION_KEY}")


def districts_without_terms(today: datetime.date, horizon_days: int = 60):
    """Districts with no term of their own or their city's in the next `horizon_days` days.

    Such a district would have no school days at all, so no post would be
    expected anywhere in it: almost always a term nobody has entered yet. The
    horizon is longer than the summer vacation so that vacations do not count.
    """
    from django.db.models import Exists, OuterRef

    from schools.models import District

    horizon = today + datetime.timedelta(days=horizon_days)
    covering = Term.objects.filter(start_date__lte=horizon, end_date__gte=today)
    return District.objects.exclude(
        Exists(covering.filter(district=OuterRef("pk")))
        | Exists(covering.filter(city=OuterRef("city_id")))
    ).select_related("city")


def current_terms(user, today: datetime.date):
    """(this term, last term) as (first day, last day), or None, among the terms `user` sees.

    One query. The date-range presets offer them (campussafety.dates.range_presets).
    This term is the latest to have begun by today (the one just ended, in a
    vacation); last term the latest to have ended before it began. A city's
    own terms come before a district's when both begin the same day.
    """
    rows = list(
        Term.objects.for_user(user)
        .filter(start_date__lte=today)
        .order_by("-start_date", F("district_id").asc(nulls_first=True), "-end_date")
        .values_list("start_date", "end_date")[:20]
    )
    if not rows:
        return None, None
    this_term = rows[0]
    last_term = next((row for row in rows if row[1] < this_term[0]), None)
    return this_term, last_term
