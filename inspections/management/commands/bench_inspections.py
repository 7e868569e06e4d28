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
group's name) as ONE hand-written SQL query over the window rows
(schools/bench.py), timed in the same run, and their ratio. Before timing, every
school's windows of the year are materialised (schools/obligation_rates.py; what
the first read of a range does), and how long that took is printed. Then a
guard answering an item on an open round, with its query count, and every
inspections sweep of the reminders registry over all schools. It asserts
nothing: the figures are for comparing changes and databases.
"""

import datetime
import importlib.util
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
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
from inspections import services
from inspections.forms import month_bounds
from inspections.management.synthesis import inspection_rules, synthesize
from inspections.models import Answer, Round
from reminders.registry import KINDS
from schools.bench import bureau_scope, window_floor
from schools.models import ObligationRule, ObligationWindow, School
from schools.obligation_rates import ensure_windows

LOGINS = ("city", "district1")
YEAR = 365


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
        note = refresh_statistics()
        with requests_settings():
            self.materialise()
            self.measure(users, repeat, note)

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
            scope = bureau_scope(users[login])
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
                            client,
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
                    client,
                )
            )
        self.stdout.write(
            f"\nbench_inspections: {connection.vendor}, {School.objects.count()} schools, "
            f"{Round.objects.count()} rounds, {Answer.objects.count()} answers, "
            f"{ObligationWindow.objects.count()} windows; one month {month} to {yesterday}; "
            f"{note}; {repeat} timed runs after a warm-up\n"
        )
        self.print_table(
            ("login", "request", "min ms", "median ms", "max ms", "queries", *FLOOR_HEADER),
            lines,
        )
        self.stdout.write("")
        self.print_table(
            ("request", "min ms", "median ms", "max ms", "queries"),
            [self.time_answer(repeat), *self.time_sweeps(repeat)],
        )

    def versus_floor(self, login, label, request, floor_args, repeat, client):
        group, rule_ids, start, end, scope = floor_args
        # The windows completion_rates() counts: those overlapping [start, end].
        since = timezone.make_aware(datetime.datetime.combine(start, datetime.time(0)))
        timings, queries, status, floor = compared(
            request, lambda: window_floor(group, rule_ids, since, end, scope), repeat, client
        )
        if status != 200:
            return (login, label, f"HTTP {status}", "", "", "", "", "", "")
        return (login, label, *figures(timings), str(queries), *floor)

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
            timings, queries, status = timed(
                lambda: client.post(path, data, content_type="application/json"), repeat
            )
        finally:
            services.delete_round(round_)
        if status != 200:
            return (label, f"HTTP {status}", "", "", "")
        return (label, *figures(timings), str(queries))

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

            timings, queries, _status = timed(sweep, repeat)
            lines.append((f"sweep {kind.name}, all schools", *figures(timings), str(queries)))
        return lines

    def print_table(self, header, lines):
        print_table(self.stdout, header, lines, left=2 if header[0] == "login" else 1)
