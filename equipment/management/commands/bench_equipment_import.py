"""Time importing a 5,000-row equipment spreadsheet through the ledger, beside its floor.

    manage.py bench_equipment_import --rows 5000

Builds a school of its own (created once, under codes no demo uses) and a
.csv of --rows rows: four in five are extinguishers tracked one by one with
their asset tags, on a hundred new floors; the rest are counts of untracked
kit at new gatehouses. It times reading and planning the file (the dry run),
committing it (every row through services.receive, in one transaction), and
importing the same file again (nothing to do). The floor is the same rows
written with three bulk inserts (pieces, movements, balances), timed in the
same run. Everything is rolled back at the end, so the command can be run
again. It asserts nothing: the figures are for comparing changes and
databases (issue 11 §6 asks for under 30 s on the embedded default).
"""

import datetime
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from equipment import imports
from equipment.models import EquipmentType, Item, Location, Movement, StockBalance
from schools.models import City, District, PoliceStation, School

COUNTED = ("steel-fork", "shield", "helmet", "stab-vest", "cut-gloves", "torch", "rubber-baton")


class Rollback(Exception):
    """Undo everything the benchmark wrote."""


class Command(BaseCommand):
    help = "Time a spreadsheet import through the ledger beside bulk inserts of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=5000)

    def handle(self, *args, rows, **options):
        try:
            with transaction.atomic():
                self.run(rows)
                raise Rollback
        except Rollback:
            pass

    def run(self, count):
        school, user = self.world()
        text = self.sheet(count)
        started = time.perf_counter()
        table = imports.read_table("bench.csv", text.encode())
        plan = imports.plan(user, school, table)
        planned = time.perf_counter() - started
        assert plan.is_valid, plan.errors[:3]
        started = time.perf_counter()
        counts = imports.commit(user, school, plan)
        committed = time.perf_counter() - started
        started = time.perf_counter()
        again = imports.plan(user, school, imports.read_table("bench.csv", text.encode()))
        imports.commit(user, school, again)
        repeated = time.perf_counter() - started
        floor = self.floor(school, user, plan)
        total = planned + committed
        self.stdout.write(f"rows: {count} ({counts})")
        self.stdout.write(f"dry run (read + plan): {planned:.2f} s")
        self.stdout.write(f"commit through the ledger: {committed:.2f} s")
        self.stdout.write(
            f"import total: {total:.2f} s; floor (bulk inserts): {floor:.2f} s; "
            f"ratio {total / floor:.1f}x"
        )
        self.stdout.write(f"the same file again: {repeated:.2f} s ({again.counts()})")

    def world(self):
        city, _ = City.objects.get_or_create(code="BENCH-IMPORT", defaults={"name": "导入基准市"})
        district, _ = District.objects.get_or_create(
            code="BENCH-IMPORT", defaults={"city": city, "name": "导入基准区"}
        )
        station, _ = PoliceStation.objects.get_or_create(district=district, name="导入基准派出所")
        school, _ = School.objects.get_or_create(
            code="BENCH-IMPORT",
            defaults={"district": district, "police_station": station, "name": "导入基准学校"},
        )
        user, created = User.objects.get_or_create(username="bench-import")
        if created:
            RoleAssignment.objects.create(user=user, role=Role.SAFETY_OFFICER, school=school)
        return school, user

    def sheet(self, count):
        pieces = count * 4 // 5
        lines = [",".join(str(label) for label in imports.headers()[:7])]
        made = (timezone.localdate() - datetime.timedelta(days=700)).isoformat()
        for n in range(pieces):
            lines.append(f"MHQ-{n:06d},extinguisher-dry-powder,{n % 100 + 1}层,floor,1,,{made}")
        for n in range(count - pieces):
            code = COUNTED[n % len(COUNTED)]
            lines.append(f",{code},门卫室{n // len(COUNTED) + 1},gatehouse,{n % 3 + 1},,")
        return "\n".join(lines) + "\n"

    def floor(self, school, user, plan):
        """The same pieces, movements and balances as three bulk inserts, rolled back."""
        types = {t.code: t for t in EquipmentType.objects.filter(city=None)}
        started = time.perf_counter()
        try:
            with transaction.atomic():
                places = Location.objects.bulk_create(
                    Location(school=school, kind=kind, name=f"floor-{name}")
                    for name, kind in plan.new_locations.items()
                )
                by_name = {place.name.removeprefix("floor-"): place for place in places}
                items, movements, balances = [], [], {}
                for row in plan.rows:
                    place = by_name[str(row.values["location"])]
                    equipment_type = types[str(row.values["type"])]
                    if equipment_type.is_serialised:
                        items.append(
                            Item(
                                school=school,
                                equipment_type=equipment_type,
                                location=place,
                                asset_tag=f"floor-{row.values['asset_tag']}",
                            )
                        )
                    movements.append(
                        Movement(
                            school=school,
                            kind="received",
                            equipment_type=equipment_type,
                            quantity=row.quantity,
                            location=place,
                            held_delta=row.quantity,
                            recorded_by=user,
                        )
                    )
                    key = (place.pk, equipment_type.pk)
                    balances[key] = balances.get(key, 0) + row.quantity
                Item.objects.bulk_create(items, batch_size=1000)
                Movement.objects.bulk_create(movements, batch_size=1000)
                StockBalance.objects.bulk_create(
                    [
                        StockBalance(
                            school=school, location_id=loc, equipment_type_id=type_id, held=held
                        )
                        for (loc, type_id), held in balances.items()
                    ],
                    batch_size=1000,
                )
                raise Rollback
        except Rollback:
            pass
        return time.perf_counter() - started
