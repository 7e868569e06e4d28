"""Time inspection completion, answering and the inspection sweeps at city scale.

    manage.py seed_demo --reset --schools 3000 --days 10 --password bench-only
    manage.py bench_inspections --synthesize --force --days 190
    manage.py bench_inspections --repeat 5

--synthesize writes a school year of rounds (inspections/management/synthesis.py):
five security-patrol windows a school day and a daily fire patrol at each
school, about 4.5 million rounds for 3,000 schools over 190 school days, with
their scans, answers, completions and window summaries. It refuses a database
that already has rounds unless --force says that is the benchmark's own;
--schools-limit and --days keep it small.

Then it signs in as `city` and `district1` and times (django.test.Client, in
process, over --repeat runs after an untimed warm-up) the completion API for a
month and a year and the completion page for a month, each beside its floor:
the same counts (windows due, done, late, done early, excused, with their
group's name) as ONE hand-written SQL query over the window rows, timed in the
same run, and their ratio. Before timing, every school's windows of the year
are materialised (schools/obligation_rates.py; what the first read of a range
does), and how long that took is printed. Then a
guard answering an item on an open round, with its query count, and every
inspections sweep of the reminders registry over all schools. It asserts
nothing: the figures are for comparing changes and databases.
"""

import datetime
import importlib.util
import random
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from campussafety.bulk import refresh_statistics
from inspections import services
from inspections.forms import month_bounds
from inspections.management.synthesis import inspection_rules, synthesize
from inspections.models import Answer, Round
from reminders.registry import KINDS
from schools.models import City, District, ObligationRule, ObligationWindow, School
from schools.obligation_rates import ensure_windows
from schools.obligations import _at

LOGINS = ("city", "district1")
YEAR = 365
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"
# Group columns of the floor query, as completion_rates groups.
GROUPS = {"school": "s.id", "district": "s.district_id", "city": "d.city_id"}
LABELS = {"school": "s.name", "district": "d.name", "city": "c.name"}


class Command(BaseCommand):
    help = (
        "Time inspection completion (beside one raw SQL query), answering and the inspection "
        "sweeps, optionally writing a school year of rounds first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs a request (>= 1).")
        parser.add_argument(
            "--synthesize",
            action="store_true",
            help="First write patrol and fire-patrol rounds over --days school days before today.",
        )
        parser.add_argument("--days", type=int, default=190, help="School days to synthesize.")
        parser.add_argument(
            "--schools-limit",
            type=int,
            default=None,
            help="Synthesize for the first N schools only (all when not given).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Synthesize even though the database has rounds: windows that have a "
            "completion are left as they are.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed of --synthesize.")

    def handle(self, *args, repeat, synthesize, days, schools_limit, force, seed, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if schools_limit is not None and schools_limit < 1:
            raise CommandError("--schools-limit must be at least 1.")
        if not School.objects.exists():
            raise CommandError("There are no schools: run `manage.py seed_demo` first.")
        users = {user.username: user for user in User.objects.filter(username__in=LOGINS)}
        missing = [name for name in LOGINS if name not in users]
        if missing:
            raise CommandError(
                f"The demo logins {', '.join(missing)} are missing: "
                "run `manage.py seed_demo` first."
            )
        if synthesize:
            if Round.objects.exists() and not force:
                raise CommandError(
                    "This database already has rounds: --synthesize adds a school year of them. "
                    "Run it on the benchmark's own database, with --force if the rounds there "
                    "are the seeded demo's."
                )
            self.synthesize(days, schools_limit, seed)
        self.materialise()
        note = refresh_statistics()
        # Pages name their static files; the benchmark's database has no
        # collectstatic manifest, and the page is timed, not served.
        storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
        with override_settings(STORAGES=storages):
            self.measure(users, repeat, note)

    def synthesize(self, days, schools_limit, seed):
        started = time.perf_counter()
        school_ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
        school_ids = school_ids[:schools_limit] if schools_limit else school_ids
        counts = synthesize(
            school_ids, timezone.localdate(), days, random.Random(f"{seed}:bench_inspections")
        )
        written = ", ".join(
            f"{counts.get(kind, 0)} {kind}"
            for kind in ("rounds", "scans", "answers", "completions", "windows")
        )
        self.stdout.write(
            f"Synthesized {written} for {len(school_ids)} schools over the last {days} school "
            f"days in {time.perf_counter() - started:.1f} s."
        )

    def materialise(self):
        """Every school's windows of the timed year and month get their rows, once, untimed below.

        What the first completion read of a range does (and a later one
        skips): schools.obligation_rates.ensure_windows().
        """
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        first = yesterday - datetime.timedelta(days=YEAR - 1)
        last = month_bounds(yesterday.replace(day=1))[1]
        before = ObligationWindow.objects.count()
        started = time.perf_counter()
        ensure_windows(School.objects.all(), first, last)
        self.stdout.write(
            f"Materialised {ObligationWindow.objects.count() - before} more windows "
            f"({first} to {last}) in {time.perf_counter() - started:.1f} s."
        )

    def measure(self, users, repeat, note):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        month = yesterday.replace(day=1)
        spans = {
            "one month": (month, yesterday),
            "one year": (yesterday - datetime.timedelta(days=YEAR - 1), yesterday),
        }
        obligations = [rule.obligation_id for rule in inspection_rules()] or list(
            ObligationRule.objects.filter(domain="inspections").values_list("pk", flat=True)
        )
        lines = []
        for login in LOGINS:
            client = Client()
            client.force_login(users[login])
            scope = _scope(users[login])
            for span, (start, end) in spans.items():
                for group in ("district", "school"):
                    params = {"start": start, "end": end, "group_by": group, "page_size": 100}
                    lines.append(
                        self.versus_floor(
                            login,
                            f"API completion by {group}, {span}",
                            lambda c=client, p=params: c.get(reverse("inspection-completion"), p),
                            (group, obligations, start, end, scope),
                            repeat,
                        )
                    )
            # A city's staff land on its districts, a district's on its schools.
            level = "school" if scope[0] == "district" else "district"
            lines.append(
                self.versus_floor(
                    login,
                    "page completion by " + level + ", one month",
                    lambda c=client: c.get(
                        reverse("inspections:completion"), {"month": f"{month:%Y-%m}"}
                    ),
                    (level, obligations, month, month_bounds(month)[1], scope),
                    repeat,
                )
            )
        self.stdout.write(
            f"\nbench_inspections: {connection.vendor}, {School.objects.count()} schools, "
            f"{Round.objects.count()} rounds, {Answer.objects.count()} answers, "
            f"{ObligationWindow.objects.count()} windows; one month {month} to {yesterday}; "
            f"{note}; {repeat} timed runs after a warm-up\n"
        )
        self.print_table(
            ("login", "request", "min ms", "median ms", "max ms", "queries", "floor ms", "ratio"),
            lines,
        )
        self.stdout.write("")
        self.print_table(
            ("request", "min ms", "median ms", "max ms", "queries"),
            [self.time_answer(repeat), *self.time_sweeps(repeat)],
        )

    def versus_floor(self, login, label, request, floor_args, repeat):
        timings, queries, status = _timed(request, repeat)
        floor, _q, _s = _timed(lambda: _floor(*floor_args), repeat)
        if status != 200:
            return (login, label, f"HTTP {status}", "", "", "", "", "")
        median, floor_median = statistics.median(timings), statistics.median(floor)
        return (
            login,
            label,
            *_figures(timings),
            str(queries),
            f"{floor_median:.1f}",
            f"{median / floor_median:.1f}x" if floor_median else "",
        )

    def time_answer(self, repeat):
        """A guard answers one item of an open round, again and again (it replaces itself)."""
        label = "API answer on an open round"
        guard = (
            User.objects.filter(role_assignments__role=Role.GUARD, is_active=True)
            .order_by("username")
            .first()
        )
        rule = next(iter(inspection_rules()), None)
        if guard is None or rule is None or rule.template.current_version is None:
            return (label, "skipped: no guard or no patrol rule", "", "", "")
        school = guard.role_assignments.filter(role=Role.GUARD).first().school
        left_open = services.open_round(guard, school)
        if left_open is not None:
            services.delete_round(left_open)
        round_ = services.start_round(guard, school, rule)
        try:
            item = round_.version.items.order_by("position").first()
            checkpoint = None
            if item.checkpoint_kinds:
                checkpoint = (
                    services.expected_checkpoints(round_)
                    .filter(kind__in=item.checkpoint_kinds)
                    .first()
                )
                if checkpoint is None:
                    return (label, "skipped: no checkpoint to answer at", "", "", "")
                services.scan(round_, checkpoint)
            client = Client()
            client.force_login(guard)
            path = reverse("round-answer", args=[round_.pk])
            data = {"item": item.pk, "passed": True}
            if checkpoint is not None:
                data["checkpoint"] = checkpoint.pk
            timings, queries, status = _timed(
                lambda: client.post(path, data, content_type="application/json"), repeat
            )
        finally:
            services.delete_round(round_)
        if status != 200:
            return (label, f"HTTP {status}", "", "", "")
        return (label, *_figures(timings), str(queries))

    def time_sweeps(self, repeat):
        """Each reminder kind declared in inspections/reminders.py sweeping now, rolled back."""
        kinds = [
            kind
            for name, kind in sorted(KINDS.items())
            if type(kind).__module__.startswith("inspections.")
        ]
        if importlib.util.find_spec("inspections.reminders") is None or not kinds:
            return [
                ("inspections sweeps", "skipped: no inspections reminders registered", "", "", "")
            ]
        lines = []
        for kind in kinds:

            def sweep(kind=kind):
                with transaction.atomic():
                    kind.sweep(timezone.now())
                    transaction.set_rollback(True)

            timings, queries, _status = _timed(sweep, repeat)
            lines.append((f"sweep {kind.name}, all schools", *_figures(timings), str(queries)))
        return lines

    def print_table(self, header, lines):
        widths = [max(len(line[i]) for line in (header, *lines)) for i in range(len(header))]
        left = 2 if header[0] == "login" else 1

        def format_line(line):
            cells = [cell.ljust(width) for cell, width in zip(line[:left], widths, strict=False)]
            cells += [
                cell.rjust(width) for cell, width in zip(line[left:], widths[left:], strict=True)
            ]
            return "  ".join(cells).rstrip()

        self.stdout.write(format_line(header))
        self.stdout.write("  ".join("-" * width for width in widths))
        for line in lines:
            self.stdout.write(format_line(line))


def _timed(call, repeat):
    """Milliseconds of `repeat` calls after a warm-up; the last call's queries and status."""
    call()
    timings, queries, status = [], 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            result = call()
            timings.append((time.perf_counter() - began) * 1000)
        queries = len(captured)
        status = getattr(result, "status_code", None)
    return timings, queries, status


def _figures(timings):
    return (
        f"{min(timings):.1f}",
        f"{statistics.median(timings):.1f}",
        f"{max(timings):.1f}",
    )


def _scope(user):
    """(level, id) of the user's bureau scope: the floor filters by it as the scope does."""
    assignment = (
        RoleAssignment.objects.filter(user=user, role__in=(Role.CITY_STAFF, Role.DISTRICT_STAFF))
        .order_by("role")
        .first()
    )
    if assignment is None:
        raise CommandError(f"{user.username} is not education bureau staff.")
    if assignment.district_id:
        return ("district", assignment.district_id)
    return ("city", assignment.city_id)


def _floor(group, obligations, start, end, scope):
    """What completion_rates() counts, as one hand-written SQL query over the window rows.

    For the windows of [start, end] in scope, grouped with their names: those
    due by now, done, late, done before being due and excused.
    """
    window = ObligationWindow._meta.db_table
    school = School._meta.db_table
    district = District._meta.db_table
    city = City._meta.db_table
    level, pk = scope
    scoped = "s.district_id = %s" if level == "district" else "d.city_id = %s"
    rules = ", ".join(["%s"] * len(obligations)) or "NULL"
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {GROUPS[group]}, {LABELS[group]},
                   SUM(CASE WHEN w.due_at <= %s THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.status = 'done' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.status = 'late' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.status IN ('done', 'late') AND w.due_at > %s
                       THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.excused AND w.status NOT IN ('done', 'late')
                       AND w.due_at <= %s THEN 1 ELSE 0 END)
            FROM {window} w
            JOIN {school} s ON s.id = w.school_id
            JOIN {district} d ON d.id = s.district_id
            JOIN {city} c ON c.id = d.city_id
            WHERE w.planned AND w.rule_id IN ({rules}) AND w.date <= %s AND w.window_end > %s
              AND {scoped}
            GROUP BY {GROUPS[group]}, {LABELS[group]}
            ORDER BY {LABELS[group]}, {GROUPS[group]}
            """,
            [now, now, now, *obligations, end, _at(start), pk],
        )
        return cursor.fetchall()
