"""Time duty-log POSTs through gunicorn, beside a floor served by the same server.

    manage.py seed_demo --reset --schools 3000 --days 10 --password bench-only
    manage.py bench_writes --requests 2000 --concurrency 16

The morning peak concentrates writes: most duty logs arrive within the same
hour (BRIEF.md). This starts gunicorn as the README recommends for production
(`gunicorn campussafety.wsgi`, GUNICORN_WORKERS sync workers, 3 by default,
the database and cache of the environment), with bench_settings adding the
floor's URL, and drives it from --concurrency threads, each request a
distinct log (post period and day) of one of --schools school accounts (a
safety officer each, with an API token), logged as rostered. Days are the
school days of the city's late-entry window up to today, so logs are today's
or late entries (补报); the chosen schools' logs of those days are deleted
first, as are the accounts of an earlier run: run it on the benchmark's own
database.

The floor is a bare Django view on the same server that inserts one row into
a table with the duty log's unique constraint (posts/management/benchserver.py),
driven the same way, with the same pairs. For each it prints writes/s,
latency p50/p95/p99, errors, and the CPU time gunicorn's workers spent per
write (from /proc; the database server's is not included), then the ratio
of the two rates. It asserts nothing.
"""

import datetime
import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from accounts.tokens import issue_token
from posts.management.benchserver import FLOOR_PATH, FLOOR_TABLE
from posts.models import DailyCoverage, DutyLog, PostPeriod
from schools.calendar import school_days
from schools.models import School

USER_PREFIX = "bench-writer-"
API_PATH = "/api/v1/duty-logs/"


@dataclass
class Run:
    label: str
    seconds: float
    latencies: list
    errors: dict
    cpu_seconds: float

    @property
    def done(self):
        return len(self.latencies)

    def line(self):
        ok = self.done - sum(self.errors.values())
        cuts = statistics.quantiles(self.latencies, n=100) if self.done > 1 else [0] * 99
        return (
            self.label,
            f"{ok / self.seconds:.0f}",
            f"{cuts[49] * 1000:.1f}",
            f"{cuts[94] * 1000:.1f}",
            f"{cuts[98] * 1000:.1f}",
            ", ".join(f"{k}×{v}" for k, v in sorted(self.errors.items())) or "0",
            f"{self.cpu_seconds / max(ok, 1) * 1000:.2f}",
        )


class Command(BaseCommand):
    help = "Time duty-log POSTs through gunicorn beside a bare insert on the same server."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=2000, help="Writes per run (bound).")
        parser.add_argument("--concurrency", type=int, default=16, help="Client threads.")
        parser.add_argument("--schools", type=int, default=300, help="School accounts writing.")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("GUNICORN_WORKERS", "3")),
            help="gunicorn workers (the README's production default: GUNICORN_WORKERS, 3).",
        )

    def handle(self, *args, requests, concurrency, schools, port, workers, **options):
        if requests < 1 or concurrency < 1 or schools < 1:
            raise CommandError("--requests, --concurrency and --schools must be at least 1.")
        pairs, tokens = self.prepare(schools)
        pairs = pairs[:requests]
        self.stdout.write(
            f"{len(pairs)} distinct logs of {len({p[0] for p in pairs})} schools' post periods, "
            f"{concurrency} client threads, gunicorn with {workers} sync workers "
            f"({connection.vendor})"
        )
        self.create_floor_table()
        server = self.start_server(port, workers)
        try:
            floor = self.drive(
                "floor: bare insert",
                port,
                server,
                concurrency,
                [(FLOOR_PATH, None, {"post_period": pp, "date": day}) for _, pp, day in pairs],
            )
            logs = self.drive(
                "duty-log POST",
                port,
                server,
                concurrency,
                [
                    (API_PATH, tokens[school], {"post_period": pp, "date": day})
                    for school, pp, day in pairs
                ],
            )
        finally:
            server.terminate()
            server.wait(30)
            self.drop_floor_table()
        self.print_table([floor.line(), logs.line()])
        ratio = (logs.done - sum(logs.errors.values())) / logs.seconds
        ratio /= max(floor.done - sum(floor.errors.values()), 1) / floor.seconds
        self.stdout.write(f"duty-log POSTs run at {ratio:.2f}× the floor's rate")

    def prepare(self, limit):
        """(school, post period, day) pairs to log, and a token per school account."""
        today = timezone.localdate()
        chosen = list(
            School.objects.filter(posts__is_active=True)
            .distinct()
            .order_by("pk")
            .values_list("pk", "district__city__late_entry_days")[:limit]
        )
        if not chosen:
            raise CommandError("No school with an active post: run seed_demo first.")
        # Each school's city says how far back its staff may still log.
        window = dict(chosen)
        days_of = school_days(
            list(window), today - datetime.timedelta(days=max(window.values())), today
        )
        periods = {}
        for pk, school_id in PostPeriod.objects.filter(
            post__school_id__in=days_of, post__is_active=True
        ).values_list("pk", "post__school_id"):
            periods.setdefault(school_id, []).append(pk)
        # Newest day first, school by school, so a bound keeps many schools.
        pairs = sorted(
            (
                (school_id, pp, day.isoformat())
                for school_id, days in days_of.items()
                for day in days
                if day >= today - datetime.timedelta(days=window[school_id])
                for pp in periods.get(school_id, ())
            ),
            key=lambda pair: (pair[2], pair[0], pair[1]),
            reverse=True,
        )
        if not pairs:
            raise CommandError(
                "No school day in the late-entry window up to today (a holiday?): nothing to log."
            )
        school_ids = sorted({pair[0] for pair in pairs})
        logged = DutyLog.objects.filter(
            school_id__in=school_ids, date__in={pair[2] for pair in pairs}
        )
        DailyCoverage.objects.filter(
            school_id__in=school_ids, date__in={pair[2] for pair in pairs}
        ).delete()
        logged.delete()
        User.objects.filter(username__startswith=USER_PREFIX).delete()
        User.objects.bulk_create(
            User(username=f"{USER_PREFIX}{pk}", password="!") for pk in school_ids
        )
        users = {u.username: u for u in User.objects.filter(username__startswith=USER_PREFIX)}
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=users[f"{USER_PREFIX}{pk}"], role=Role.SAFETY_OFFICER, school_id=pk)
            for pk in school_ids
        )
        tokens = {pk: issue_token(users[f"{USER_PREFIX}{pk}"])[1] for pk in school_ids}
        return pairs, tokens

    def create_floor_table(self):
        self.drop_floor_table()
        key = "BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {FLOOR_TABLE} (id {key} PRIMARY KEY, post_period_id BIGINT NOT NULL,"
                " date DATE NOT NULL, created TIMESTAMP NOT NULL, UNIQUE (post_period_id, date))"
            )

    def drop_floor_table(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")

    def start_server(self, port, workers):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "posts.management.bench_settings",
            "PYTHONPATH": str(settings.BASE_DIR),
        }
        command = [
            *(sys.executable, "-m", "gunicorn", "campussafety.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            "--log-level=warning",
        ]
        server = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise CommandError("gunicorn did not start.") from None
                time.sleep(0.2)
        else:
            server.terminate()
            raise CommandError("gunicorn did not answer within 60 s.")
        # Every worker imports the site and connects before the clock starts.
        for _ in range(workers * 10):
            _request(port, "GET", "/" + FLOOR_PATH, None, None)
            _request(port, "GET", "/health/", None, None)
        return server

    def drive(self, label, port, server, concurrency, work):
        jobs = queue.SimpleQueue()
        for item in work:
            jobs.put(item)
        latencies, errors, lock = [], {}, threading.Lock()

        def client():
            while True:
                try:
                    path, token, body = jobs.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                status = _request(port, "POST", "/" + path.lstrip("/"), token, body)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if status != 201:
                        errors[status] = errors.get(status, 0) + 1

        cpu_before = _cpu_seconds(server.pid)
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        return Run(label, seconds, latencies, errors, _cpu_seconds(server.pid) - cpu_before)

    def print_table(self, lines):
        header = ("request", "writes/s", "p50 ms", "p95 ms", "p99 ms", "errors", "CPU ms/write")
        widths = [max(len(str(row[i])) for row in (header, *lines)) for i in range(len(header))]
        for row in (header, *lines):
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))


def _request(port, method, path, token, body):
    """One request on its own connection (gunicorn's sync workers close each one)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, json.dumps(body) if body else None, headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError as error:
        return type(error).__name__
    finally:
        conn.close()


def _cpu_seconds(pid) -> float:
    """User and system CPU of gunicorn's workers (children of `pid`), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in (pid, *map(int, children)):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total
