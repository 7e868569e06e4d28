"""Time the coverage and duty-log API at city scale, as the bureaus' dashboards call it.

    manage.py seed_demo --reset --schools 3000 --days 10 --password bench-only
    manage.py bench_coverage --synthesize --force --days 190
    manage.py bench_coverage --repeat 5

A city is 3,000 schools and a school year about 190 school days (BRIEF.md).
The seeded demo makes a month or so of duty logs with their attendance;
--synthesize adds the rest of a school year, logs and daily coverage only
(coverage never reads attendance), to every school day before today that has
no log yet. It writes to the configured database, so it refuses one that
already has duty logs unless --force says that is the benchmark's own.

Then it signs in as the demo logins `city` and `district1` and times each
request (django.test.Client, in process: no network, no web server) over
--repeat runs after one untimed warm-up run, with the number of SQL queries
each request makes, the session and user included. Coverage by school and the
missed days (the first page of a month and of the whole range, and a deep page: the
one from the middle of the range on) have their floor beside them: the same rows read
by hand-written SQL, and that SQL served by the bare floor view through the same
client (campussafety.bench.served), with the ratio to the latter. It asserts nothing:
the figures are for comparing changes and databases (run it on SQLite and on
PostgreSQL).
"""

import datetime
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.settings import api_settings

from accounts.models import User
from campussafety.api.pagination import keyset_cursor
from campussafety.bench import (
    FLOOR_HEADER,
    figures,
    print_table,
    ratio,
    requests_settings,
    served,
    timed,
)
from campussafety.bulk import refresh_statistics, write_rows
from campussafety.ids import MAX_ID
from posts.choices import CoverageStatus
from posts.coverage import coverage_schools
from posts.management.seeding import COVERAGE_FIELDS, daily_coverage
from posts.models import DailyCoverage, DutyLog, PostPeriod
from posts.rules import Staffing
from schools.calendar import school_days
from schools.calendar_sql import school_days_sql
from schools.models import City, School

# The API answers at most 366 days at a time.
LONGEST_RANGE = 366
MONTH = 30
SCHOOL_BATCH = 200
LOGINS = ("city", "district1")
SYNTHESIZED_FIELDS = (
    "school_id",
    "post_period_id",
    "date",
    "period",
    "actual_start",
    "actual_end",
    "illegal_parking",
    "present_count",
    "police_count",
    "qualified_count",
    "meets_staffing",
    "meets_qualified_share",
)


@dataclass
class Request:
    label: str
    path: str
    params: dict
    # Given the login's user, a function running the request's work as hand-written SQL.
    floor: Callable | None = None


@dataclass
class Result:
    login: str
    request: Request
    status: int
    rows: int | None
    timings: list[float]
    queries: int
    # The hand-written SQL alone, and served by the bare floor view.
    floor: list[float] | None = None
    view: list[float] | None = None


class Command(BaseCommand):
    help = (
        "Time the coverage and duty-log API as the city and district1 logins, optionally "
        "adding a school year of duty logs first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs a request (>= 1).")
        parser.add_argument(
            "--synthesize",
            action="store_true",
            help="First add duty logs and daily coverage for every school's post periods "
            "over --days school days before today.",
        )
        parser.add_argument(
            "--days", type=int, default=190, help="School days to synthesize (>= 1)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Synthesize even though the database has duty logs: school days that have "
            "any log are left as they are.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed of --synthesize.")

    def handle(self, *args, repeat, synthesize, days, force, seed, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if not School.objects.exists():
            raise CommandError("There are no schools: run `manage.py seed_demo` first.")
        users = {user.username: user for user in User.objects.filter(username__in=LOGINS)}
        missing = [name for name in LOGINS if name not in users]
        if missing:
            raise CommandError(
                f"The demo logins {', '.join(missing)} are missing: "
                "run `manage.py seed_demo` first."
            )
        today = timezone.localdate()
        if synthesize:
            if DutyLog.objects.exists() and not force:
                raise CommandError(
                    "This database already has duty logs: --synthesize adds a school year of "
                    "them. Run it on the benchmark's own database, with --force if the logs "
                    "there are the seeded demo's."
                )
            self.synthesize(today, days, random.Random(f"{seed}:bench_coverage"))
        statistics_note = refresh_statistics()
        with requests_settings():
            self.measure(today, users, repeat, statistics_note)

    def synthesize(self, today, days, rng):
        started = time.perf_counter()
        window = (today - datetime.timedelta(days=LONGEST_RANGE - 1), today - datetime.timedelta(1))
        share = {city.pk: city.qualified_share_required for city in City.objects.all()}
        school_ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
        logs = coverage = 0
        shortest = days
        with transaction.atomic():
            for start in range(0, len(school_ids), SCHOOL_BATCH):
                batch = school_ids[start : start + SCHOOL_BATCH]
                calendar = school_days(batch, *window)
                logged = set(
                    DutyLog.objects.filter(school_id__in=batch, date__range=window)
                    .values_list("school_id", "date")
                    .distinct()
                )
                periods = PostPeriod.objects.filter(
                    post__school_id__in=batch, post__is_active=True
                ).values_list(
                    "pk",
                    "post__school_id",
                    "post__school__district__city_id",
                    "period",
                    "start_time",
                    "end_time",
                    "min_members",
                    "min_police",
                    "is_required",
                )
                rows = []
                for period in periods.order_by("pk"):
                    chosen = calendar.get(period[1], ())[-days:]
                    shortest = min(shortest, len(chosen))
                    for day in chosen:
                        if (period[1], day) not in logged:
                            row = _log_row(rng, period, day, share[period[2]])
                            if row is not None:
                                rows.append(row)
                logs += write_rows(DutyLog, SYNTHESIZED_FIELDS, rows)
                # Recounted for the whole window, the seeded days included, by
                # the rule refresh_daily_coverage() applies to each log.
                DailyCoverage.objects.filter(school_id__in=batch, date__range=window).delete()
                coverage += write_rows(
                    DailyCoverage, COVERAGE_FIELDS, daily_coverage(batch, *window)
                )
        note = "" if shortest == days else f" (some schools have only {shortest} in the calendar)"
        self.stdout.write(
            f"Synthesized {logs} duty logs over the last {days} school days{note} and "
            f"{coverage} days of coverage in {time.perf_counter() - started:.1f} s."
        )

    def measure(self, today, users, repeat, statistics_note):
        yesterday = today - datetime.timedelta(days=1)
        first = DailyCoverage.objects.order_by("date").values_list("date", flat=True).first()
        whole_start = max(
            first or yesterday, yesterday - datetime.timedelta(days=LONGEST_RANGE - 1)
        )
        month_start = yesterday - datetime.timedelta(days=MONTH - 1)
        whole = {"start": whole_start.isoformat(), "end": yesterday.isoformat()}
        month = {"start": month_start.isoformat(), "end": yesterday.isoformat()}
        month_logs = {"date_after": month["start"], "date_before": month["end"]}

        requests = []
        for span, dates in (("whole range", whole), ("one month", month)):
            for group in ("school", "district", "city", "day"):
                params = {**dates, "group_by": group, "page_size": 100}
                floor = partial(coverage_floor, params=params) if group == "school" else None
                requests.append(
                    Request(f"coverage by {group}, {span}", "/api/v1/coverage/", params, floor)
                )
        # Missed days: the first page, and the page from the middle of the range on (a
        # cursor after the last school of the day before), which must cost what the first
        # does.
        middle = whole_start + datetime.timedelta(days=(yesterday - whole_start).days // 2)
        deep = {"cursor": keyset_cursor((middle - datetime.timedelta(days=1), MAX_ID))}
        requests += [
            Request(
                f"missed days, {span}",
                "/api/v1/coverage/missed/",
                {**dates, **(deep if after else {})},
                partial(missed_floor, start=dates["start"], end=dates["end"], after=after),
            )
            for span, dates, after in (
                ("one month, first page", month, None),
                ("whole range, first page", whole, None),
                ("whole range, deep page", whole, middle),
            )
        ]
        requests += [
            Request(
                "understaffed logs, one month",
                "/api/v1/duty-logs/",
                {**month_logs, "understaffed": "true"},
            ),
            Request("duty logs, first page", "/api/v1/duty-logs/", {}),
        ]

        results = []
        for login in LOGINS:
            client = Client()
            client.force_login(users[login])
            for request in requests:
                result = self.time_request(client, login, request, repeat)
                if request.floor is not None:
                    floor = request.floor(users[login])
                    result.floor = timed(floor, repeat)[0]
                    result.view = timed(served(client, floor), repeat)[0]
                results.append(result)

        schools = School.objects.count()
        self.stdout.write(
            f"\nbench_coverage: {connection.vendor}, {schools} schools, "
            f"{DutyLog.objects.count()} duty logs, {DailyCoverage.objects.count()} days of "
            f"coverage; whole range {whole['start']} to {whole['end']}, one month "
            f"{month['start']} to {month['end']}; {statistics_note}; {repeat} timed runs "
            "after a warm-up\n"
        )
        self.print_table(results)

    def time_request(self, client, login, request, repeat) -> Result:
        client.get(request.path, request.params)
        timings = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(request.path, request.params)
                timings.append((time.perf_counter() - began) * 1000)
            queries = len(captured)
        rows = None
        if response.status_code == 200:
            # A cursor page (the duty logs) counts nothing: the rows it holds.
            body = response.json()
            rows = body.get("count", len(body.get("results", ())))
        return Result(login, request, response.status_code, rows, timings, queries)

    def print_table(self, results):
        header = (
            "login",
            "request",
            "rows",
            "min ms",
            "median ms",
            "max ms",
            "queries",
            *FLOOR_HEADER,
        )
        lines = []
        for result in results:
            if result.status != 200:
                cells = (f"HTTP {result.status}", "", "", "", "", "", "", "")
            else:
                cells = (
                    str(result.rows),
                    *figures(result.timings),
                    str(result.queries),
                    *(floor_cells(result) if result.floor else ("", "", "")),
                )
            lines.append((result.login, result.request.label, *cells))
        print_table(self.stdout, header, lines, left=2)


def floor_cells(result):
    """The SQL floor's ms, the served floor's ms and the ratio to the served floor."""
    return ratio(result.timings, result.floor)[0], *ratio(result.timings, result.view)


def coverage_floor(user, params):
    """The coverage-by-school page as one hand-written statement: the user's schools'
    daily coverage rows of the range added up per school, named, sorted by name and cut
    to the page (no school days, no API). A function that runs it."""
    scoped, scoped_params = School.objects.for_user(user).values("pk").query.sql_with_params()
    covered, partial = CoverageStatus.COVERED, CoverageStatus.PARTIAL
    sql = (
        "SELECT s.id, s.name, "
        f"SUM(CASE WHEN c.status = '{covered}' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN c.status = '{partial}' THEN 1 ELSE 0 END), SUM(c.logs), "
        "SUM(c.understaffed_logs), SUM(c.late_logs), SUM(c.present), SUM(c.qualified) "
        "FROM schools_school s LEFT JOIN posts_dailycoverage c ON c.school_id = s.id "
        " AND c.date >= %s AND c.date <= %s "
        f"WHERE s.id IN ({scoped}) GROUP BY s.id, s.name ORDER BY s.name, s.id LIMIT %s"
    )
    start = datetime.date.fromisoformat(params["start"])
    end = datetime.date.fromisoformat(params["end"])
    args = [
        connection.ops.adapt_datefield_value(start),
        connection.ops.adapt_datefield_value(end),
        *scoped_params,
        params.get("page_size", 100),
    ]

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            return cursor.fetchall()

    return run


def missed_floor(user, start, end, after=None):
    """A page of missed days as hand-written SQL: the user's schools' school days (the
    calendar's shared day lists, schools.calendar_sql, as the endpoint has them) from the
    range's start, or from the day `after`, that have no coverage row of every required
    period logged, by day and school, named and cut to the page (no periods named, no API).
    On PostgreSQL day by day, stopping once the page is full. A function that runs it."""
    schools = coverage_schools(user)
    start, end = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    logged = (
        "NOT EXISTS (SELECT 1 FROM posts_dailycoverage c WHERE c.school_id = {school} "
        f"AND c.date = {{day}} AND c.status <> '{CoverageStatus.MISSED}' "
        "AND c.logged >= c.required)"
    )
    first = connection.ops.adapt_datefield_value(after or start)
    size = api_settings.PAGE_SIZE
    if connection.vendor == "postgresql":
        statement = (
            "SELECT d.day, m.id, m.name FROM (SELECT DISTINCT day FROM school_day_gd "
            " WHERE day >= %s) d CROSS JOIN LATERAL (SELECT s.id, s.name FROM school_day_sg sg"
            " JOIN school_day_gd gd ON gd.grp = sg.grp AND gd.day = d.day"
            " JOIN schools_school s ON s.id = sg.school_id"
            f" WHERE {logged.format(school='sg.school_id', day='d.day')}"
            f" ORDER BY s.id LIMIT {size}) m ORDER BY d.day, m.id LIMIT {size}"
        )
    else:
        statement = (
            "SELECT sd.day, s.id, s.name FROM school_day sd"
            " JOIN schools_school s ON s.id = sd.school_id"
            f" WHERE sd.day >= %s AND {logged.format(school='sd.school_id', day='sd.day')}"
            f" ORDER BY sd.day, s.id LIMIT {size}"
        )

    def run():
        days_sql, days_params = school_days_sql(schools, start, end)
        if days_sql is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {days_sql} {statement}", [*days_params, first])
            return cursor.fetchall()

    return run


def _log_row(rng, period, day, share):
    """A plausible log of one post period: mostly staffed as required, now and then not."""
    pk, school_id, _city, name, start, end, minimum, police_minimum, required = period
    if rng.random() >= (0.93 if required else 0.65):
        return None
    present = max(1, minimum + rng.choice((-1, 0, 0, 1, 1, 1, 2)))
    police = min(present, max(0, police_minimum + rng.choice((-1, 0, 0, 0, 1))))
    qualified = min(present, max(police, math.ceil(share * present) + rng.choice((-1, 0, 0, 0))))
    staffing = Staffing(present, police, qualified, minimum, police_minimum, share)
    return (
        school_id,
        pk,
        day,
        name,
        start,
        end,
        rng.choice((0, 0, 0, 1, 1, 2, 3)),
        staffing.present,
        staffing.police,
        staffing.qualified,
        staffing.meets_staffing,
        staffing.meets_qualified_share,
    )
