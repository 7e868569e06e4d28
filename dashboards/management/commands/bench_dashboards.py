"""Time the nightly snapshot and the city and district dashboards' aggregates, beside raw SQL.

    manage.py seed_demo --reset --schools 3000 --days 10 --password bench-only
    manage.py bench_dashboards --repeat 5

First the nightly snapshot for every school (dashboards.snapshots.take: every
declared indicator's compute() once over all the schools, and the upsert),
with its queries: of the day before yesterday (cold: the first read of what
the indicators read), of yesterday (the next night, what the nightly task
costs), and of yesterday again (idempotent). Then,
signed in as `city` and `district1`, values() of every indicator as of
yesterday from the snapshots (by district for the city, by school for the
district), and the same through the API (/api/v1/indicator-values/: its first
page of 50 places, and every page of 500 following `next`); beside each, its
floor: the same rows (sums, names, parents, in the same order) as ONE
hand-written SQL query over the snapshots, timed in the same run, and the
ratio. Last, the live values of
today for the city (what the dashboard shows for "today"), without a floor.
It asserts nothing.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from campussafety.bench import (
    FLOOR_HEADER,
    compared,
    figures,
    print_table,
    requests_settings,
    timed,
)
from campussafety.bulk import refresh_statistics
from campussafety.indicators import declared_indicators
from dashboards.snapshots import ONE_DAY, take
from dashboards.values import values
from schools.bench import bureau_scope
from schools.models import School

LOGINS = {"city": "district", "district1": "school"}
KEYS = {"district": "s.district_id", "school": "s.id"}
NAMES = {"district": "d.name"}
PARENTS = {"district": "d.city_id"}
SCOPES = {"city": "d.city_id", "district": "s.district_id"}


def every_page(client, url, query):
    """GET the answer to `query` page by page, following `next`; the last page's response."""
    response = client.get(url, query)
    while response.status_code == 200 and (following := response.json()["next"]):
        response = client.get(following)
    return response


def snapshot_floor(day, group_by, scope):
    """The rows values() returns, as ONE hand-written SQL query over the snapshots: each
    place's sums with its name and parent, in the same order (by name). By school there
    is nothing to sum: a school has one row a day and indicator."""
    level, pk = scope
    if group_by == "school":
        sql = f"""
            SELECT i.code, i.date, s.id, s.name, s.district_id, i.numerator, i.denominator, 1
            FROM dashboards_indicatorsnapshot i
            JOIN schools_school s ON s.id = i.school_id
            JOIN schools_district d ON d.id = s.district_id
            WHERE i.date = %s AND {SCOPES[level]} = %s
            ORDER BY i.date, s.name, s.id
        """
    else:
        sql = f"""
            SELECT i.code, i.date, {KEYS[group_by]}, MAX({NAMES[group_by]}),
                   MAX({PARENTS[group_by]}), SUM(i.numerator), SUM(i.denominator), COUNT(*)
            FROM dashboards_indicatorsnapshot i
            JOIN schools_school s ON s.id = i.school_id
            JOIN schools_district d ON d.id = s.district_id
            WHERE i.date = %s AND {SCOPES[level]} = %s
            GROUP BY i.code, i.date, {KEYS[group_by]}
            ORDER BY i.date, 4, 3
        """
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, pk])
        return cursor.fetchall()


class Command(BaseCommand):
    help = "Time the nightly snapshot and the dashboards' aggregates (beside raw SQL)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs a figure (>= 1).")
        parser.add_argument(
            "--no-snapshot",
            action="store_true",
            help="Use the snapshot of yesterday already taken instead of timing a new one.",
        )

    def handle(self, *args, repeat, no_snapshot, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        users = {user.username: user for user in User.objects.filter(username__in=LOGINS)}
        if len(users) < len(LOGINS) or not School.objects.exists():
            raise CommandError("Run `manage.py seed_demo` first: no schools or demo logins.")
        yesterday = timezone.localdate() - ONE_DAY
        schools = School.objects.count()
        indicators = len(declared_indicators())
        note = refresh_statistics()
        self.stdout.write(
            f"\nbench_dashboards: {connection.vendor}, {schools} schools, "
            f"{indicators} indicators, as of {yesterday}; {note}; {repeat} timed runs after a "
            "warm-up\n"
        )
        if not no_snapshot:
            lines = []
            # The first night reads whatever has never been read (the obligation windows
            # are materialised on first use); a night after it adds one day, which is what
            # the nightly task does; taken again, the same day is rewritten as it was.
            nights = (
                ("snapshot of the day before (cold)", yesterday - ONE_DAY),
                ("the next night (yesterday)", yesterday),
                ("taken again (idempotent)", yesterday),
            )
            for label, day in nights:
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    rows = take(day)
                    seconds = time.perf_counter() - began
                lines.append((label, f"{seconds:.1f}", str(rows), str(len(captured))))
            print_table(self.stdout, ("figure", "seconds", "rows", "queries"), lines)
            self.stdout.write("")
            refresh_statistics()
        with requests_settings():
            lines = self.versus_floors(users, yesterday, repeat)
        print_table(
            self.stdout,
            ("figure (from snapshots)", "min ms", "median ms", "max ms", "queries", *FLOOR_HEADER),
            lines,
        )
        self.stdout.write("")
        city = School.objects.for_user(users["city"])
        timings, queries, _s = timed(lambda: values(city, group_by="district"), max(1, repeat // 2))
        print_table(
            self.stdout,
            ("figure (live)", "min ms", "median ms", "max ms", "queries"),
            [("city: all indicators today, by district", *figures(timings), str(queries))],
        )

    def versus_floors(self, users, yesterday, repeat):
        """values(), the API and the dashboard page of each login, beside the same SQL floor."""
        lines = []
        for login, group_by in LOGINS.items():
            user = users[login]
            scope = bureau_scope(user)
            scoped = School.objects.for_user(user)

            def floor(g=group_by, s=scope):
                return snapshot_floor(yesterday, g, s)

            client = Client()
            client.force_login(user)
            page = (
                reverse("dashboards:city")
                if scope[0] == "city"
                else reverse("dashboards:district", args=[scope[1]])
            )
            query = {"group_by": group_by, "as_of": yesterday.isoformat()}
            calls = (
                (
                    f"{login}: all indicators by {group_by}, {scoped.count()} schools",
                    lambda s=scoped, g=group_by: values(s, as_of=yesterday, group_by=g),
                    None,
                ),
                (
                    f"{login}: the API's first page",
                    lambda c=client, q=query: c.get(reverse("indicator-values"), q),
                    client,
                ),
                (
                    f"{login}: the API, every page of 500",
                    lambda c=client, q={**query, "page_size": 500}: every_page(
                        c, reverse("indicator-values"), q
                    ),
                    client,
                ),
                (f"{login}: the dashboard page", lambda c=client, u=page: c.get(u), client),
            )
            for label, call, through in calls:
                timings, queries, status, floors = compared(call, floor, repeat, through)
                if status not in (None, 200):
                    label = f"{label} (HTTP {status})"
                lines.append((label, *figures(timings), str(queries), *floors))
        return lines
