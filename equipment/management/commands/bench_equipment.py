"""Time kit compliance for the whole city and an item's long history, each beside its floor.

    manage.py seed_demo --reset --schools 3000 --days 10 --password bench-only
    manage.py bench_equipment --synthesize --force
    manage.py bench_equipment --repeat 5

--synthesize replaces the seeded stock with a bigger one (equipment/seeding.py,
--floors building floors a school, about 100 pieces a school with the default
16) and gives one piece a long history (--history monthly checks). It refuses
a database that already has equipment unless --force says it is the
benchmark's own.

Then it times, over --repeat runs after an untimed warm-up: kit compliance of
every school by district and by school (equipment.compliance.compliance), the
newest 50 movements of the piece with the longest history, and that piece's
page as the city's bureau opens it; each beside its floor, the same rows read
by hand-written SQL in the same run, and their ratio. The floor of compliance
reads what the computation reads (the schools' facts, the standard's lines,
the places, the balances and the expired pieces) without working anything
out, so the ratio is the cost of the ORM and of the arithmetic in Python. The
page's floor is its rows served by the bare view (campussafety.bench.served)
through the same client. It asserts nothing.
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from campussafety.bench import (
    FLOOR_HEADER,
    compared,
    figures,
    print_table,
    requests_settings,
)
from campussafety.bulk import refresh_statistics
from equipment.choices import MovementKind
from equipment.compliance import compliance
from equipment.models import Item, Location, Movement, StockBalance
from equipment.seeding import reset_stock, schools_with_gates, seed_stock
from schools.models import School

CHUNK = 250
HISTORY_SHOWN = 50


class Command(BaseCommand):
    help = "Time kit compliance for the city and an item's history, each beside raw SQL."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs (>= 1).")
        parser.add_argument("--synthesize", action="store_true", help="First write the stock.")
        parser.add_argument("--force", action="store_true", help="Replace existing equipment.")
        parser.add_argument("--floors", type=int, default=16, help="Building floors a school.")
        parser.add_argument("--history", type=int, default=5000, help="Movements of one piece.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed of --synthesize.")

    def handle(self, *args, repeat, synthesize, force, floors, history, seed, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        if floors < 1 or history < 0:
            raise CommandError("--floors must be at least 1 and --history not negative.")
        if not School.objects.exists():
            raise CommandError("There are no schools: run `manage.py seed_demo` first.")
        if synthesize:
            if Item.objects.exists() and not force:
                raise CommandError(
                    "This database already has equipment: --synthesize replaces it. Run it on "
                    "the benchmark's own database, with --force."
                )
            self.synthesize(floors, history, seed)
        if not Item.objects.exists():
            raise CommandError("There is no equipment: run with --synthesize.")
        note = refresh_statistics()
        self.measure(repeat, note)

    def synthesize(self, floors, history, seed):
        started = time.perf_counter()
        user = User.objects.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError("No administrator to record the stock: run `seed_demo` first.")
        reset_stock()
        rng = random.Random(f"{seed}:bench_equipment")
        today = timezone.localdate()
        ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
        totals = {"places": 0, "pieces": 0, "movements": 0}
        for start in range(0, len(ids), CHUNK):
            counts = seed_stock(
                schools_with_gates(ids[start : start + CHUNK]),
                user=user,
                rng=rng,
                today=today,
                floors=floors,
            )
            for key, value in counts.items():
                totals[key] += value
        piece = Item.objects.order_by("pk").first()
        checks = [
            Movement(
                school_id=piece.school_id,
                kind=MovementKind.CHECKED,
                equipment_type_id=piece.equipment_type_id,
                item=piece,
                location_id=piece.location_id,
                happened_at=timezone.now() - datetime.timedelta(days=n),
                recorded_by=user,
            )
            for n in range(1, history + 1)
        ]
        Movement.objects.bulk_create(checks, batch_size=2000)
        self.stdout.write(
            f"Synthesized {totals['places']} places, {totals['pieces']} pieces and "
            f"{totals['movements'] + history} movements for {len(ids)} schools in "
            f"{time.perf_counter() - started:.1f} s."
        )

    def measure(self, repeat, note):
        schools = School.objects.all()
        longest = (
            Movement.objects.filter(item__isnull=False)
            .values("item_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        piece = longest["item_id"]
        lines = [
            self.versus_floor(
                "kit compliance of the city by district",
                lambda: compliance(schools, "district"),
                _compliance_floor,
                repeat,
            ),
            self.versus_floor(
                "kit compliance of the city by school",
                lambda: compliance(schools, "school"),
                _compliance_floor,
                repeat,
            ),
            self.versus_floor(
                f"item history, newest {HISTORY_SHOWN} of {longest['n']}",
                lambda: item_history(piece, HISTORY_SHOWN),
                lambda: _history_floor(piece),
                repeat,
            ),
        ]
        # The piece's page as the city's bureau opens it (the widest scope), against
        # its rows (the piece, the newest page of its history) served by the bare view.
        client = Client()
        client.force_login(User.objects.get(username="city"))
        with requests_settings():
            lines.append(
                self.versus_floor(
                    "the piece's page, as the city",
                    lambda: client.get(reverse("equipment:item", args=[piece])),
                    lambda: _page_floor(piece),
                    repeat,
                    client,
                )
            )
        self.stdout.write(
            f"\nbench_equipment: {connection.vendor}, {schools.count()} schools, "
            f"{Location.objects.count()} places, {Item.objects.count()} pieces, "
            f"{Movement.objects.count()} movements, {StockBalance.objects.count()} balances; "
            f"{note}; {repeat} timed runs after a warm-up\n"
        )
        header = ("request", "min ms", "median ms", "max ms", "queries", *FLOOR_HEADER)
        print_table(self.stdout, header, lines)

    def versus_floor(self, label, call, floor, repeat, client=None):
        timings, queries, status, floors = compared(call, floor, repeat, client)
        if status not in (None, 200):
            label = f"{label} (HTTP {status})"
        return (label, *figures(timings), str(queries), *floors)


HISTORY_FIELDS = (
    "pk",
    "kind",
    "happened_at",
    "held_delta",
    "faulty_delta",
    "reason",
    "recorded_by__username",
    "location__name",
    "to_location__name",
)


def item_history(item_id: int, limit: int = HISTORY_SHOWN) -> list[dict]:
    """The newest `limit` movements of a piece, as an item page lists them (one query).

    Served by the (item, -happened_at) index, however long the history.
    """
    return list(
        Movement.objects.filter(item_id=item_id)
        .order_by("-happened_at", "-pk")
        .values(*HISTORY_FIELDS)[:limit]
    )


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _compliance_floor():
    """The rows kit compliance reads, by hand-written SQL, with nothing worked out."""
    today = timezone.localdate()
    _rows(
        "SELECT s.id, s.school_type, s.enrolment, s.staff_count, s.district_id, d.city_id "
        "FROM schools_school s JOIN schools_district d ON d.id = s.district_id"
    )
    _rows(
        "SELECT ks.city_id, ks.district_id, kl.location_kind, kl.equipment_type_id, "
        "kl.quantity, kl.size_bands FROM equipment_kitline kl "
        "JOIN equipment_kitstandard ks ON ks.id = kl.standard_id WHERE ks.is_active"
    )
    _rows(
        "SELECT id, school_id, kind FROM equipment_location WHERE is_active AND kind IN "
        "('gatehouse', 'protection_booth', 'police_room', 'guard', 'floor')"
    )
    _rows("SELECT location_id, equipment_type_id, held, faulty FROM equipment_stockbalance")
    _rows(
        "SELECT location_id, equipment_type_id, COUNT(*) FROM equipment_item "
        "WHERE status = 'in_service' AND scrap_on <= %s GROUP BY location_id, equipment_type_id",
        [today],
    )


def _history_floor(item_id):
    return _rows(
        "SELECT m.id, m.kind, m.happened_at, m.held_delta, m.faulty_delta, m.reason, "
        "u.username, l.name, t.name FROM equipment_movement m "
        "JOIN accounts_user u ON u.id = m.recorded_by_id "
        "JOIN equipment_location l ON l.id = m.location_id "
        "LEFT JOIN equipment_location t ON t.id = m.to_location_id "
        "WHERE m.item_id = %s ORDER BY m.happened_at DESC, m.id DESC LIMIT %s",
        [item_id, HISTORY_SHOWN],
    )


def _page_floor(item_id):
    """The piece's page's rows: the piece with its type, place and school, and its history."""
    piece = _rows(
        "SELECT i.*, t.name, l.name, s.name FROM equipment_item i "
        "JOIN equipment_equipmenttype t ON t.id = i.equipment_type_id "
        "LEFT JOIN equipment_location l ON l.id = i.location_id "
        "JOIN schools_school s ON s.id = i.school_id WHERE i.id = %s",
        [item_id],
    )
    return [piece, _history_floor(item_id)]
