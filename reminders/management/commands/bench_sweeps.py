"""Time every reminder sweep over the data in the database, and count its queries.

Run it on a seeded city (`seed_demo --schools 3000 --days 10`): each sweep is
timed computing what is due and recording it, inside a transaction that is
rolled back, so the benchmark leaves no notifications behind. The day's
obligation windows and the day before's are written first, as the nightly
task leaves them: the sweeps are timed in their steady state.

Beside each sweep, its floor: writing the same number of items in one
set-based INSERT (what a sweep cannot do without), in the same run. With
--parts, a sweep that fans out over Celery is also timed district by
district: its slowest part is what it takes with a worker per district.
With --workers N, the whole fan-out is also timed on N processes at once,
each taking the next district's part (largest first) as a Celery worker's
pool would: the morning's wall time with N workers on this machine.
--save writes the medians to a file; --against reads one saved at another
size (3,000 schools against 30,000) and prints the growth.
"""

import datetime
import json
import multiprocessing
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections, reset_queries, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campussafety.bench import figures, print_table, ratio
from reminders.delivery import record
from reminders.recording_sql import unpacked_items
from reminders.registry import KINDS
from schools.models import District, School
from schools.obligation_rates import ensure_windows

# A moment of the school day at which each sweep has work to do.
MOMENTS = {
    "roster_digest": (6, 30),
    "missing_log": (8, 30),
    "missing_log_escalation": (9, 30),
    "roster_gaps": (15, 0),
    "missed_summary": (20, 0),
    "certificate_expiry": (8, 0),
    "pending_verification": (8, 0),
    "inspection_missed": (19, 30),
    "inspection_missed_district": (8, 0),
    "fire_check": (7, 0),
    "alarm_test_missed": (7, 30),
}


def _rolled_back(call, *args):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Foreign keys are checked at commit (Django makes them deferred); a
            # rolled-back sweep would skip that work, so it is done as each row goes in.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        result = call(*args)
        transaction.set_rollback(True)
    return result


def _floor(dues) -> float:
    """Milliseconds to write `dues` as rows in one INSERT … SELECT from one JSON parameter."""
    rows = json.dumps(
        [[d.user_id, d.member_id, d.school_id, d.subject, d.due, d.params, ""] for d in dues],
        ensure_ascii=False,
    )

    def write():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_floor (user_id bigint, member_id bigint, "
                "subject varchar(100), due varchar(40), params text)"
            )
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO bench_floor SELECT d.user_id, d.member_id, d.subject, d.due, "
                f"CAST(d.params AS text) FROM ({unpacked_items(connection.vendor)}) d",
                [rows],
            )
            return (time.perf_counter() - started) * 1000

    return _rolled_back(write)


class Command(BaseCommand):
    help = "Time each reminder sweep over the whole database (nothing is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The school day to sweep (default: today).")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--kind", action="append", choices=sorted(KINDS))
        parser.add_argument(
            "--parts", action="store_true", help="Also time each district's part of a fan-out."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="Also time each fan-out run on this many processes at once.",
        )
        parser.add_argument("--save", help="Write the medians (JSON) to this file.")
        parser.add_argument("--against", help="Medians saved at another size, to compare with.")

    def handle(self, *args, date=None, repeat=3, kind=None, parts=False, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        workers = options["workers"]
        if workers < 0:
            raise CommandError("--workers must be 0 (no parallel timing) or more.")
        if workers and connection.in_atomic_block:
            # The forked workers read committed data only, on connections of their own.
            raise CommandError("--workers cannot time inside a transaction.")
        if workers and connection.vendor == "sqlite":
            # Parts writing at once would wait on SQLite's single writer, or fail.
            self.stderr.write("--workers: SQLite has one writer at a time; not timed in parallel.")
            workers = 0
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {date!r} is not a date (YYYY-MM-DD).") from None
        against = {}
        if options["against"]:
            try:
                with open(options["against"]) as saved:
                    against = json.load(saved)
            except (OSError, ValueError) as exc:
                raise CommandError(f"--against: {exc}") from None
        schools = School.objects.count()
        self.stdout.write(f"{schools} schools, sweeping {day} ({connection.vendor})")
        # The steady state: the day's windows as the nightly task writes them
        # (schools.tasks.materialise_windows), and the day before's, else the first
        # sweep of the run would pay for writing them (86 s at 30,000 schools).
        started = time.perf_counter()
        ensure_windows(School.objects.all(), day - datetime.timedelta(days=1), day)
        self.stdout.write(
            f"obligation windows of {day} and the day before written first: "
            f"{time.perf_counter() - started:.1f} s (the nightly task's work)\n"
        )
        header = ["sweep", "due", "queries", "min ms", "median", "max", "floor", "ratio"]
        if parts:
            header += ["parts", "slowest part"]
        if workers:
            header += [f"{workers} workers", "ratio"]
        if against:
            header += [f"at {against.get('schools', '?')}", "growth"]
        lines, medians = [], {"schools": schools}
        # Largest first, as a pool fed the biggest parts first finishes soonest.
        districts = list(
            District.objects.annotate(size=Count("schools"))
            .order_by("-size", "pk")
            .values_list("pk", flat=True)
        )
        for name in kind or sorted(KINDS):
            reminder = KINDS[name]
            hour, minute = MOMENTS.get(name, (12, 0))
            moment = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(hour, minute))
            )
            timings, floors, dues, queries = [], [], [], 0
            try:
                for _ in range(repeat):
                    # The log keeps the last 9,000 queries: once full, a capture counts 0.
                    reset_queries()
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        dues = _rolled_back(self._sweep, reminder, moment)
                        timings.append((time.perf_counter() - started) * 1000)
                    # Not counting _rolled_back's SET CONSTRAINTS: the sweep's own queries.
                    queries = len(captured) - (connection.vendor == "postgresql")
                    floors.append(_floor(dues))
            except DatabaseError as exc:
                # A sweep the database refuses is reported, and the others still timed.
                self.stderr.write(f"{name}: {exc}".strip())
                lines.append([name, "error", *[""] * (len(header) - 2)])
                continue
            median = statistics.median(timings)
            medians[name] = median
            line = [name, str(len(dues)), str(queries), *figures(timings), *ratio(timings, floors)]
            if parts:
                line += self._parts(reminder, moment, districts)
            if workers:
                line += self._in_parallel(reminder, moment, districts, workers, median)
            if against:
                before = against.get(name)
                line += [
                    f"{before:.1f}" if before else "",
                    f"{median / before:.1f}x" if before else "",
                ]
            lines.append(line)
        print_table(self.stdout, header, lines)
        if options["save"]:
            with open(options["save"], "w") as out:
                json.dump(medians, out)

    @staticmethod
    def _sweep(reminder, moment, districts=None):
        dues = (
            reminder.sweep(moment)
            if districts is None
            else reminder.sweep_districts(moment, districts)
        )
        record(dues, moment, None if districts is None else districts[0])
        return dues

    def _parts(self, reminder, moment, districts):
        """How many parts a fan-out makes, and its slowest (once each, rolled back)."""
        if not reminder.fans_out:
            return ["", ""]
        slowest = 0.0
        for pk in districts:
            started = time.perf_counter()
            _rolled_back(self._sweep, reminder, moment, [pk])
            slowest = max(slowest, (time.perf_counter() - started) * 1000)
        return [str(len(districts)), f"{slowest:.1f}"]

    def _in_parallel(self, reminder, moment, districts, workers, serial):
        """The fan-out's wall time on `workers` processes (each part rolled back)."""
        if not reminder.fans_out:
            return ["", ""]
        # Forked children must not share the parent's connection: each opens its own.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            started = time.perf_counter()
            for _ in pool.imap_unordered(
                _part, [(reminder.name, moment, pk) for pk in districts], chunksize=1
            ):
                pass
            wall = (time.perf_counter() - started) * 1000
        return [f"{wall:.1f}", f"{wall / serial:.2f}x"]


def _part(args):
    name, moment, district = args
    try:
        _rolled_back(Command._sweep, KINDS[name], moment, [district])
    finally:
        connections.close_all()
