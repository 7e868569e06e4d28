"""Time the hazard ledger's bureau list, its ageing aggregates and the hazard sweeps at city scale.

    manage.py seed_demo --reset --schools 3000 --days 10 --password bench-only
    manage.py bench_hazards --synthesize --force
    manage.py bench_hazards --repeat 5

--synthesize writes --per-school hazards (on average) at every school, found
over --years years, with their events and supervision orders
(inspections/management/hazard_synthesis.py): about 600,000 hazards and three
million events for 3,000 schools. It refuses a database that already has
hazards unless --force says they are the benchmark's own (the seeded demo's).

Then it signs in as `city` and `district1` and times (django.test.Client, in
process, over --repeat runs after an untimed warm-up) the ledger page of open
hazards (its first keyset page), the API list of open hazards (a numbered page,
with the count) and the overview by district or school (its first page, with
the whole level's totals), each beside its floor: the same rows or counts as
ONE hand-written SQL query, run alone and served by the bare floor view in the
same run, and the ratio to the served one. Then every hazard reminder sweep over
all schools, rolled back. It asserts nothing: the figures are for comparing
changes and databases.
"""

import random
import time

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from campussafety.bench import FLOOR_HEADER, compared, figures, requests_settings, timed
from campussafety.bulk import refresh_statistics
from campussafety.keyset import keyset_page
from inspections.choices import OPEN_STATES, UNRECTIFIED_STATES
from inspections.management import hazard_synthesis
from inspections.management.commands.bench_inspections import Command as InspectionsBench
from inspections.management.hazard_synthesis import People
from inspections.models import Checkpoint, Hazard, HazardEvent
from inspections.views.hazards import LEDGER_ORDER, ledger_page_rows
from inspections.views.hazards_bureau import bucket_bounds
from reminders.registry import KINDS
from schools.bench import bureau_scope as _scope
from schools.models import District, School

LOGINS = ("city", "district1")
PAGE = 50


class Command(InspectionsBench):
    """The same tables and timing as bench_inspections (its print_table), other requests."""

    help = (
        "Time the hazard ledger's bureau list and ageing aggregates (beside one raw SQL query) "
        "and the hazard sweeps, optionally writing years of hazards first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs a request (>= 1).")
        parser.add_argument(
            "--synthesize", action="store_true", help="First write hazards at every school."
        )
        parser.add_argument("--per-school", type=int, default=200, help="Hazards a school.")
        parser.add_argument("--years", type=int, default=5, help="Years they were found over.")
        parser.add_argument(
            "--schools-limit", type=int, default=None, help="Synthesize for the first N schools."
        )
        parser.add_argument(
            "--force", action="store_true", help="Synthesize though the database has hazards."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed of --synthesize.")

    def handle(self, *args, repeat, synthesize, per_school, years, schools_limit, force, seed, **o):
        if repeat < 1 or per_school < 1 or years < 1:
            raise CommandError("--repeat, --per-school and --years must be at least 1.")
        if schools_limit is not None and schools_limit < 1:
            raise CommandError("--schools-limit must be at least 1.")
        users = {user.username: user for user in User.objects.filter(username__in=LOGINS)}
        missing = [name for name in LOGINS if name not in users]
        if missing or not School.objects.exists():
            raise CommandError("No schools or demo logins: run `manage.py seed_demo` first.")
        if synthesize:
            if Hazard.objects.exists() and not force:
                raise CommandError(
                    "This database already has hazards: --synthesize adds years of them. Run it "
                    "on the benchmark's own database, with --force if they are the demo's."
                )
            self.synthesize(per_school, years, schools_limit, seed)
        note = refresh_statistics()
        with requests_settings():
            self.measure(users, repeat, note)

    def synthesize(self, per_school, years, schools_limit, seed):
        started = time.perf_counter()
        school_ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
        school_ids = school_ids[:schools_limit] if schools_limit else school_ids
        schools = {pk: [] for pk in school_ids}
        for school_id, pk in (
            Checkpoint.objects.filter(school_id__in=school_ids)
            .order_by("pk")
            .values_list("school_id", "pk")
        ):
            schools[school_id].append(pk)
        counts = hazard_synthesis.synthesize(
            random.Random(f"{seed}:bench_hazards"),
            schools,
            timezone.localdate(),
            years * 365,
            lambda rng, _school: rng.randint(per_school // 2, per_school * 3 // 2),
            lambda _school: People(),
        )
        self.stdout.write(
            f"Synthesized {counts.get('hazards', 0)} hazards, {counts.get('events', 0)} events, "
            f"{counts.get('orders', 0)} supervision orders for {len(school_ids)} schools over "
            f"{years} years in {time.perf_counter() - started:.1f} s."
        )

    def measure(self, users, repeat, note):
        today = timezone.localdate()
        lines = []
        for login in LOGINS:
            client = Client()
            client.force_login(users[login])
            scope = _scope(users[login])
            lines.append(
                self.versus_floor(
                    login,
                    "ledger rows, open hazards (first page)",
                    lambda u=users[login]: _ledger_rows(u),
                    lambda s=scope: _list_floor(s, counted=False),
                    repeat,
                    None,
                )
            )
            lines.append(
                self.versus_floor(
                    login,
                    "ledger page, open hazards",
                    lambda c=client: c.get(reverse("inspections:hazards"), {"state": "open"}),
                    lambda s=scope: _list_floor(s, counted=False),
                    repeat,
                    client,
                )
            )
            lines.append(
                self.versus_floor(
                    login,
                    "API hazards, open",
                    lambda c=client: c.get(
                        reverse("hazard-list"), {"open": "true", "page_size": PAGE}
                    ),
                    lambda s=scope: _list_floor(s),
                    repeat,
                    client,
                )
            )
            group = "school" if scope[0] == "district" else "district"
            lines.append(
                self.versus_floor(
                    login,
                    f"overview by {group} with ageing",
                    lambda c=client: c.get(reverse("inspections:hazard-overview")),
                    lambda s=scope, g=group: _overview_floor(s, g, today),
                    repeat,
                    client,
                )
            )
        self.stdout.write(
            f"\nbench_hazards: {connection.vendor}, {School.objects.count()} schools, "
            f"{Hazard.objects.count()} hazards ({Hazard.objects.open().count()} open), "
            f"{HazardEvent.objects.count()} events; {note}; {repeat} timed runs after a warm-up\n"
        )
        header = ("login", "request", "min ms", "median ms", "max ms", "queries")
        self.print_table((*header, *FLOOR_HEADER), lines)
        self.stdout.write("")
        self.print_table(
            ("request", "min ms", "median ms", "max ms", "queries"), self.time_sweeps(repeat)
        )

    def versus_floor(self, login, label, request, floor, repeat, client):
        timings, queries, status, floors = compared(request, floor, repeat, client)
        if status not in (None, 200):
            return (login, label, f"HTTP {status}", "", "", "", "", "", "")
        return (login, label, *figures(timings), str(queries), *floors)

    def time_sweeps(self, repeat):
        """Each hazard reminder kind sweeping now over all schools, rolled back."""
        kinds = [kind for name, kind in sorted(KINDS.items()) if name.startswith("hazard_")]
        if not kinds:
            return [("hazard sweeps", "skipped: no hazard reminders registered", "", "", "")]
        lines = []
        for kind in kinds:

            def sweep(kind=kind):
                with transaction.atomic():
                    kind.sweep(timezone.now())
                    transaction.set_rollback(True)

            timings, queries, _status = timed(sweep, repeat)
            lines.append((f"sweep {kind.name}, all schools", *figures(timings), str(queries)))
        return lines


def _ledger_rows(user):
    """The ledger's first page of open hazards as the page reads it (its queryset, its
    columns, its keyset page), without the request and the template."""
    _filters, hazards = ledger_page_rows(user, {"state": "open"})
    return keyset_page(hazards, LEDGER_ORDER, None, PAGE)


def _tables():
    return Hazard._meta.db_table, School._meta.db_table, District._meta.db_table


def _scoped(scope):
    level, pk = scope
    return ("s.district_id = %s" if level == "district" else "d.city_id = %s"), [pk]


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


def _list_floor(scope, counted=True):
    """The first page of open hazards in scope, newest first, with their count (the API's
    page) or without (the ledger page's, paged by keyset): one query."""
    hazard, school, district = _tables()
    checkpoint = Checkpoint._meta.db_table
    where, params = _scoped(scope)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT h.id, h.year, h.number, h.description, h.state, h.level, h.found_at,
                   h.deadline, s.name, c.name{", COUNT(*) OVER ()" if counted else ""}
            FROM {hazard} h
            JOIN {school} s ON s.id = h.school_id
            JOIN {district} d ON d.id = s.district_id
            LEFT JOIN {checkpoint} c ON c.id = h.checkpoint_id
            WHERE {where} AND h.state IN ({_placeholders(OPEN_STATES)})
            ORDER BY h.found_at DESC, h.id DESC
            LIMIT {PAGE}
            """,
            [*params, *OPEN_STATES],
        )
        return cursor.fetchall()


def _overview_floor(scope, group, today):
    """The first page of the overview: open, overdue, supervised, recurring and ageing
    counts by district or school, most overdue first, with the whole table's totals and
    its number of rows: one query."""
    hazard, school, district = _tables()
    where, params = _scoped(scope)
    key = "s.district_id" if group == "district" else "h.school_id"
    name = "d.name" if group == "district" else "s.name"
    year = today.year
    opened = f"h.state IN ({_placeholders(OPEN_STATES)})"
    buckets, bucket_params = [], []
    # The same bucket bounds as the page's (bucket_bounds).
    for before, since in bucket_bounds(today).values():
        parts, part_params = [opened, "h.found_at < %s"], [*OPEN_STATES, before]
        if since is not None:
            parts.append("h.found_at >= %s")
            part_params.append(since)
        buckets.append(f"SUM(CASE WHEN {' AND '.join(parts)} THEN 1 ELSE 0 END)")
        bucket_params += part_params
    unrectified = _placeholders(UNRECTIFIED_STATES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT g.*, COUNT(*) OVER (), {", ".join(f"SUM(g.c{i}) OVER ()" for i in range(8))}
            FROM (
            SELECT {key} AS key, {name} AS name,
                   SUM(CASE WHEN {opened} THEN 1 ELSE 0 END) AS c0,
                   SUM(CASE WHEN h.state IN ({unrectified}) AND h.deadline < %s THEN 1 ELSE 0 END)
                   AS c1,
                   SUM(CASE WHEN {opened} AND h.supervised THEN 1 ELSE 0 END) AS c2,
                   SUM(CASE WHEN h.recurrence_of_id IS NOT NULL AND h.year = %s THEN 1 ELSE 0 END)
                   AS c3,
                   {", ".join(f"{bucket} AS c{4 + i}" for i, bucket in enumerate(buckets))}
            FROM {hazard} h
            JOIN {school} s ON s.id = h.school_id
            JOIN {district} d ON d.id = s.district_id
            WHERE {where}
              AND ({opened} OR (h.recurrence_of_id IS NOT NULL AND h.year = %s))
            GROUP BY {key}, {name}
            ) g
            ORDER BY g.c1 DESC, g.c0 DESC, g.name, g.key
            LIMIT {PAGE}
            """,
            [
                *OPEN_STATES,
                *UNRECTIFIED_STATES,
                today,
                *OPEN_STATES,
                year,
                *bucket_params,
                *params,
                *OPEN_STATES,
                year,
            ],
        )
        return cursor.fetchall()
