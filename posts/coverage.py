"""Coverage of school days by duty logs, for schools, districts, cities and days.

How it stays fast at city scale: each duty log write keeps one DailyCoverage
row per school and day current (posts/dutylogs.py), carrying the day's status
and its log figures, so a rate over a school year reads about 190 rows per
school rather than every log, and it adds them up in the database grouped by
school, district or day, in one query. The denominator, the
school days, comes from schools.calendar.school_days(), which costs three
queries whatever the number of schools. The only Python work is adding up
per-school day counts, one addition per school.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.scope import BUREAU, Scope
from campussafety.ids import parse_id
from campussafety.keyset import KeysetRows
from posts.choices import CoverageStatus
from posts.models import DailyCoverage, DutyLog, PostPeriod
from schools.calendar import school_days
from schools.calendar_sql import date_param, school_days_sql
from schools.models import City, District, School

GROUPINGS = ("school", "district", "city", "day")
# Coverage and missed days are asked for at most a year at a time, on the pages and in the API.
MAX_RANGE_DAYS = 366
# How coverage rows may be sorted, on the page and in the API (a leading "-": descending).
ORDERINGS = ("label", "coverage_rate", "-coverage_rate", "missed", "-missed")


@dataclass
class CoverageRow:
    key: object
    label: str
    school_days: int = 0
    covered: int = 0
    partial: int = 0
    logs: int = 0
    understaffed_logs: int = 0
    late_logs: int = 0
    present: int = 0
    qualified: int = 0
    # On today's row of the coverage by day: the schools for which today is a
    # school day (school_days then counts those that logged so far).
    schools_today: int | None = None

    @property
    def missed(self) -> int:
        return max(self.school_days - self.covered - self.partial, 0)

    @property
    def coverage_rate(self) -> float | None:
        return round(self.covered / self.school_days, 4) if self.school_days else None

    @property
    def qualified_share(self) -> float | None:
        return round(self.qualified / self.present, 4) if self.present else None


def counted_school_days(schools, start, end, today=None, open_today=None, owners=None):
    """The school days that count towards coverage, by school id.

    Days to come do not count, and nor does today until the school has logged
    something: at nine in the morning the afternoon post is not missed yet.
    `open_today`, a set, receives the schools for which today is a school day;
    `owners`, a dict, each school's (district id, city id) (school_days()).
    """
    today = today or timezone.localdate()
    days = school_days(schools, start, min(end, today), owners=owners)
    if open_today is not None:
        open_today.update(pk for pk, days_ in days.items() if days_ and days_[-1] == today)
    if start <= today <= end:
        logged_today = set(
            DailyCoverage.objects.filter(school_id__in=_ids(schools, days), date=today)
            .exclude(status=CoverageStatus.MISSED)
            .order_by()
            .values_list("school_id", flat=True)
        )
        for school_id, school_days_ in days.items():
            if school_days_ and school_days_[-1] == today and school_id not in logged_today:
                days[school_id] = school_days_[:-1]
    return days


def _ids(schools, days):
    """The schools as a subquery when they are a queryset (the scope and filters joined in
    SQL, not a literal list of thousands of ids), else the ids of `days`."""
    if isinstance(schools, QuerySet):
        return schools.order_by().values("pk")
    return list(days)


def coverage(schools, start: datetime.date, end: datetime.date, group_by: str = "school"):
    """Coverage rows over [start, end] for `schools` (a scoped School queryset)."""
    if group_by not in GROUPINGS:
        raise ValueError(group_by)
    open_today = set()
    owners = {}
    days = counted_school_days(schools, start, end, open_today=open_today, owners=owners)
    school_ids = _ids(schools, days)
    daily = DailyCoverage.objects.filter(school_id__in=school_ids, date__gte=start, date__lte=end)
    aggregates = {
        "covered": Count("pk", filter=Q(status=CoverageStatus.COVERED)),
        "partial": Count("pk", filter=Q(status=CoverageStatus.PARTIAL)),
        "logs": Sum("logs"),
        "understaffed_logs": Sum("understaffed_logs"),
        "late_logs": Sum("late_logs"),
        "present": Sum("present"),
        "qualified": Sum("qualified"),
    }

    if group_by == "day":
        rows = {}
        expected = Counter()
        # Schools of one district share one tuple of days: count each tuple once.
        tuples = Counter(id(value) for value in days.values())
        seen = {}
        for value in days.values():
            seen[id(value)] = value
        for key, count in tuples.items():
            for day in seen[key]:
                expected[day] += count
        for day, count in sorted(expected.items()):
            rows[day] = CoverageRow(key=day, label=day.isoformat(), school_days=count)
        today = timezone.localdate()
        if open_today:
            # Today is counted only for the schools that logged so far; the row
            # says so ("3 of 12 schools logged so far") rather than a rate.
            row = rows.setdefault(today, CoverageRow(key=today, label=today.isoformat()))
            row.schools_today = len(open_today)
        field = "date"
    else:
        rows = _unit_rows(group_by, school_ids, owners, days)
        field = {
            "school": "school_id",
            "district": "school__district_id",
            "city": "school__district__city_id",
        }[group_by]

    for values in daily.values(field).annotate(**aggregates).order_by():
        row = rows.get(values[field])
        if row is not None:
            row.covered, row.partial = values["covered"], values["partial"]
            row.logs = values["logs"] or 0
            row.understaffed_logs = values["understaffed_logs"] or 0
            row.late_logs = values["late_logs"] or 0
            row.present = values["present"] or 0
            row.qualified = values["qualified"] or 0
    return list(rows.values())


def _unit_rows(group_by, school_ids, owners, days) -> dict:
    """A row for each school in scope (`school_ids`), or for each district or city of
    theirs (`owners`, as counted_school_days() gives them), by id, with its school days.

    A district's or city's school days are added up from each school's owners as the
    calendar read them: not a second read of the 30,000 schools of a province for
    their names (a fifth of the request)."""
    if group_by == "school":
        names = School.objects.filter(pk__in=school_ids).values_list("pk", "name")
        return {
            pk: CoverageRow(key=pk, label=name, school_days=len(days.get(pk, ())))
            for pk, name in names
        }
    model, unit = (District, 0) if group_by == "district" else (City, 1)
    names = model.objects.filter(pk__in={owner[unit] for owner in owners.values()})
    rows = {pk: CoverageRow(key=pk, label=name) for pk, name in names.values_list("pk", "name")}
    for pk, owner in owners.items():
        rows[owner[unit]].school_days += len(days.get(pk, ()))
    return rows


@dataclass
class MissedDay:
    """A past school day on which a school missed a required post period, or all of them.

    `missing` names the required post periods with no log (filled in for a page
    of days by with_missing_periods); a partly missed day logged some of them.
    """

    school_id: int
    date: datetime.date
    status: str = CoverageStatus.MISSED
    missing: list = field(default_factory=list)

    @property
    def is_partial(self) -> bool:
        return self.status == CoverageStatus.PARTIAL


def missed_days(schools, start, end) -> "MissedDays":
    """Every past school day on which a school left a required post period unlogged, oldest
    first (by day, then school): the days with no duty log at all, and the partly missed
    days (one gate logged, another did not). A day whose periods were all logged, compliant
    or not, is not missed.

    Worked out in the database, a keyset page at a time (MissedDays): a city's year is
    half a million school days, of which a page shows fifty.
    """
    return MissedDays(schools, start, end)


class MissedDays(KeysetRows):
    """The missed days of `schools` over [start, end] in (day, school) order, read a keyset
    page at a time (campussafety.keyset): never counted nor offset, so a page costs the
    same whether it is the first or the thousandth.

    The school days come from the calendar as it shares them (a few day lists per
    district and kind of school, schools.calendar_sql, three queries, once), sent as
    VALUES; the database joins them to the schools in scope and anti-joins the day's
    coverage row (no row, or fewer required periods logged than required). On
    PostgreSQL a page walks the days in order from its position and, for each, the
    schools having it (a LATERAL join, the coverage row looked up by (school, date)),
    and stops once the page is full: it reads the day or two a page spans, not the
    range's half a million school days. SQLite (development and tests) sorts the whole
    anti-join. Days to come are not school days yet, and today counts only once the
    school has logged something (as in coverage).
    """

    def __init__(self, schools, start, end, today=None):
        self.today = today or timezone.localdate()
        self.schools = schools
        self.start, self.end = start, min(end, self.today)
        self._days = None

    def parse(self, parts):
        day, school = parts
        school_id = parse_id(school)
        if school_id is None:
            raise ValueError(school)
        return datetime.date.fromisoformat(day), school_id

    def position(self, row):
        return row.date, row.school_id

    def read(self, position, limit, backwards=False):
        sql, params = self.page_sql(position, limit, backwards)
        if sql is None:
            return []
        with self._connection().cursor() as cursor:
            cursor.execute(sql, params)
            return [
                MissedDay(school_id, _as_date(day), status)
                for school_id, day, status in cursor.fetchall()
            ]

    def page_sql(self, position, limit, backwards=False):
        """The statement reading (school_id, day, status) of `limit` missed days after
        `position` (before it, `backwards`) and its parameters; (None, None) when there is
        no school day at all."""
        days_sql, days_params = self._school_days()
        if days_sql is None:
            return None, None
        lateral = self._connection().vendor == "postgresql"
        day, school = ("d.day", "sg.school_id") if lateral else ("sd.day", "sd.school_id")
        order = "DESC" if backwards else "ASC"
        after_sql, after_params = "", []
        if position is not None:
            # Further on in the list's order: a later day, or the same day and a larger id.
            further, day_param = "<" if backwards else ">", date_param(position[0])
            after_sql = f" AND ({day} {further} %s OR ({day} = %s AND {school} {further} %s))"
            after_params = [day_param, day_param, position[1]]
        missed_sql, missed_params = _missed(day, self.today)
        status_sql, status_params = _status()
        if lateral:
            days_from, days_from_params = "", []
            if position is not None:
                days_from = f" WHERE day {'<=' if backwards else '>='} %s"
                days_from_params = [date_param(position[0])]
            sql = (
                f"WITH {days_sql} SELECT m.school_id, d.day, m.status "
                f"FROM (SELECT DISTINCT day FROM school_day_gd{days_from} ORDER BY day {order}) d "
                f"CROSS JOIN LATERAL (SELECT sg.school_id AS school_id, {status_sql} AS status "
                " FROM school_day_sg sg JOIN school_day_gd gd ON gd.grp = sg.grp AND gd.day = d.day"
                f" LEFT JOIN {DailyCoverage._meta.db_table} c"
                "  ON c.school_id = sg.school_id AND c.date = d.day"
                f" WHERE {missed_sql}{after_sql} ORDER BY sg.school_id {order} LIMIT {limit}) m "
                f"ORDER BY d.day {order}, m.school_id {order} LIMIT {limit}"
            )
            params = [*days_params, *days_from_params, *status_params, *missed_params]
        else:
            sql = (
                f"WITH {days_sql} SELECT sd.school_id, sd.day, {status_sql} "
                f"FROM school_day sd LEFT JOIN {DailyCoverage._meta.db_table} c"
                " ON c.school_id = sd.school_id AND c.date = sd.day "
                f"WHERE {missed_sql}{after_sql} "
                f"ORDER BY sd.day {order}, sd.school_id {order} LIMIT {limit}"
            )
            params = [*days_params, *status_params, *missed_params]
        return sql, [*params, *after_params]

    def count(self) -> int:
        """How many there are, for an export (which reads them all): the pages never count."""
        days_sql, days_params = self._school_days()
        if days_sql is None:
            return 0
        missed_sql, missed_params = _missed("sd.day", self.today)
        with self._connection().cursor() as cursor:
            cursor.execute(
                f"WITH {days_sql} SELECT COUNT(*) FROM school_day sd "
                f"LEFT JOIN {DailyCoverage._meta.db_table} c"
                f" ON c.school_id = sd.school_id AND c.date = sd.day WHERE {missed_sql}",
                [*days_params, *missed_params],
            )
            return cursor.fetchone()[0]

    def _school_days(self):
        if self._days is None:
            self._days = school_days_sql(self.schools, self.start, self.end)
        return self._days

    def _connection(self):
        # The schools' database: the replica in a view that reads from it
        # (campussafety/replica.py), as the ORM's queries there do.
        return connections[self.schools.db]


def _as_date(value):
    """A day as the database sent it back (SQLite: the ISO text it was given)."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value.date() if isinstance(value, datetime.datetime) else value


def _status():
    """A missed day's status, over its coverage row `c` (none: missed outright)."""
    missed, partial = CoverageStatus.MISSED, CoverageStatus.PARTIAL
    return "CASE WHEN c.id IS NULL OR c.status = %s THEN %s ELSE %s END", [missed, missed, partial]


def _missed(day, today):
    """Whether the school day at `day` with its coverage row `c` is missed: before today,
    no row, or a row with no log or fewer required periods logged than required; today,
    only once the school has logged something (a row, not missed) and not all of them."""
    missed, today = CoverageStatus.MISSED, date_param(today)
    sql = (
        f"(({day} < %s AND (c.id IS NULL OR c.status = %s OR c.logged < c.required))"
        f" OR ({day} = %s AND c.id IS NOT NULL AND c.status <> %s AND c.logged < c.required))"
    )
    return sql, [today, missed, today, missed]


def with_missing_periods(missed_page):
    """Name the required post periods each missed day lacks: two queries for a page of days
    (none for an empty page)."""
    school_ids = {item.school_id for item in missed_page}
    periods = defaultdict(list)
    for period in (
        PostPeriod.objects.filter(
            post__school_id__in=school_ids, post__is_active=True, is_required=True
        )
        .select_related("post")
        .order_by("post__name", "start_time")
    ):
        periods[period.post.school_id].append(period)
    if not missed_page:
        return missed_page
    dates = [item.date for item in missed_page]
    logged = set(
        DutyLog.objects.filter(
            school_id__in=school_ids,
            date__gte=min(dates),
            date__lte=max(dates),
            post_period__is_required=True,
        )
        .order_by()
        .values_list("school_id", "date", "post_period_id")
    )
    for item in missed_page:
        item.missing = [
            period
            for period in periods[item.school_id]
            if (item.school_id, item.date, period.pk) not in logged
        ]
    return missed_page


def sort_rows(rows, ordering):
    """Sort coverage rows by a column; rows without a rate (no school days) go last either way.

    A school with no school days in the range has nothing to rank: it belongs after
    the worst and after the best alike.
    """
    key = ordering.lstrip("-")
    if key == "label":
        rows.sort(key=lambda row: str(row.label))
        return rows
    present = [row for row in rows if getattr(row, key) is not None]
    absent = [row for row in rows if getattr(row, key) is None]
    present.sort(key=lambda row: (getattr(row, key), str(row.label)))
    if ordering.startswith("-"):
        present.reverse()
    return present + absent


# Bureau staff read the coverage of their area; a principal that of their own school.
COVERAGE_READERS = BUREAU | {Role.PRINCIPAL}


def coverage_schools(user):
    """The schools whose coverage the user reads (admins: all); 403 for others."""
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*COVERAGE_READERS)):
        raise PermissionDenied(
            _(
                "Coverage is for education bureau staff and principals; "
                "a school's own logs are on its pages."
            )
        )
    return School.objects.for_user(user, roles=COVERAGE_READERS)


# What a row of each level opens on the coverage page: a city its districts, a district its schools.
NEXT_LEVEL = {"city": "district", "district": "school"}


def drill_level(user, data) -> str:
    """The grouping when none is asked for, on the page and in its export: one level below
    the place chosen, else the widest level the user holds (city staff: a row per district)."""
    if data.get("district"):
        return "school"
    if data.get("city"):
        return "district"
    return Scope.of(user).widest_level()
