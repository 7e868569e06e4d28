"""Seed a demo city: districts, police stations, schools, gates, terms and logins.

    manage.py seed_demo --schools 300 --days 30 --seed 1 --password demo-pass-2026

The same seed gives the same organisation and names on every run; dates are
counted back from today. Each app declares its steps in its demo.py
(campussafety/demo.py).
"""

import resource
import sys
import time

from auditlog.context import disable_auditlog
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from accounts.models import User
from campussafety.bulk import foreign_keys_checked_once
from campussafety.demo import ordered_steps
from schools.management.seeding import (
    DEMO_USERNAMES,
    DemoContext,
    max_school_count,
    organisation_exists,
)


class Command(BaseCommand):
    help = "Seed a demo city with schools, calendars and demo logins (deterministic per --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=200, help="How many schools (>= 1).")
        parser.add_argument(
            "--days",
            type=int,
            default=30,
            help="How many days of history before today to cover (>= 0).",
        )
        parser.add_argument("--seed", type=int, default=1, help="The random seed.")
        parser.add_argument("--password", default="", help="The password of every demo login.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Delete ALL organisation data (cities, districts, police stations, schools, "
                "gates, terms, calendar exceptions and what hangs off them) and the demo "
                "logins first."
            ),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when organisation data already exists.",
        )

    def handle(self, *args, schools, days, seed, password, reset, if_empty, **options):
        if schools < 1 or schools > max_school_count():
            raise CommandError(f"--schools must be between 1 and {max_school_count()}.")
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        if not password.strip():
            raise CommandError("--password is required: every demo login gets it.")
        if reset and if_empty:
            raise CommandError("--reset and --if-empty contradict each other; give one.")

        existing = organisation_exists()
        taken = sorted(
            User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
        )
        if existing and if_empty:
            self.stdout.write("Organisation data already present; not seeding demo data.")
            return
        if (existing or taken) and not reset:
            found = []
            if existing:
                counts = ", ".join(f"{name}: {count}" for name, count in existing.items())
                found.append(f"organisation data ({counts})")
            if taken:
                found.append(f"demo logins ({', '.join(taken)})")
            raise CommandError(
                f"The database already has {' and '.join(found)}. Run with --reset to delete "
                "all organisation data and the demo logins, then seed afresh."
            )

        ctx = DemoContext(
            seed=seed,
            school_count=schools,
            days=days,
            password=password,
            today=timezone.localdate(),
        )
        started = time.perf_counter()
        summary = []
        # One transaction: a failed step leaves the database as it was,
        # including what --reset would have deleted.
        steps = ordered_steps()
        with transaction.atomic():
            # The demo's rows are written without audit entries (in bulk) and deleted
            # without them: an entry and two queries for each of a province's 600,000
            # members made --reset take hours.
            with disable_auditlog():
                if reset:
                    for step in reversed(steps):
                        step_started = time.perf_counter()
                        try:
                            step.reset()
                        except (ProtectedError, RestrictedError) as exc:
                            objects = (
                                getattr(exc, "protected_objects", None) or exc.restricted_objects
                            )
                            blocking = sorted({str(o._meta.verbose_name_plural) for o in objects})
                            raise CommandError(
                                f"--reset cannot delete the {step.name} data: "
                                f"{', '.join(blocking)} still refer to it. The app that made them "
                                "needs a demo step with a reset in its demo.py. "
                                "Nothing was deleted."
                            ) from exc
                        elapsed = time.perf_counter() - step_started
                        summary.append(f"  {'reset ' + step.name:<20} {elapsed:6.2f} s")
            # The steps write millions of rows: their foreign keys are checked once
            # per table at the end (campussafety.bulk.foreign_keys_checked_once).
            with foreign_keys_checked_once(apps.get_models()):
                for step in steps:
                    step_started = time.perf_counter()
                    line = step.seed(ctx)
                    elapsed = time.perf_counter() - step_started
                    summary.append(
                        f"  {step.name:<20} {elapsed:6.2f} s  {_peak_mb():6.0f} MB  {line}"
                    )
                checks_started = time.perf_counter()
            elapsed = time.perf_counter() - checks_started
            summary.append(
                f"  {'foreign keys':<20} {elapsed:6.2f} s  {_peak_mb():6.0f} MB  checked"
            )
        total = time.perf_counter() - started

        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded demo data (seed {seed}) in {total:.2f} s, "
                f"peak memory {_peak_mb():.0f} MB (after each step: the peak so far):"
            )
        )
        self.stdout.write("\n".join(summary))
        self.stdout.write(f"\nDemo logins, all with the password {password!r}:")
        width = max(len(username) for username, _ in ctx.logins)
        for username, reach in ctx.logins:
            self.stdout.write(f"  {username:<{width}}  {reach}")


def _peak_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux counts KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
