"""Kit compliance of many schools, by school, district or city, at a constant number of queries.

What each school must hold comes from its standards (services.requirements),
worked out per distinct standard, not per school: the schools of a city share
a handful of "profiles" (the city's standard, a district's additions, a size
band). The profiles and which school follows which are handed to ONE SQL
query as VALUES lists; the database joins them with every place and its
balance, and sums per school the pieces required, the pieces missing (fewer
usable than required, counting neither faulty pieces nor pieces past their
scrap date, as services.shortfalls does) and the places short. The numbers of
a district or a city are the sums of its schools'. Six queries whatever the
number of schools.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from equipment.choices import ItemStatus
from equipment.models import Item, Location
from equipment.models.catalogue import STANDARD_KINDS
from equipment.services import requirements
from schools.models import School
from schools.obligations import school_facts

GROUPS = ("school", "district", "city")


@dataclass
class ComplianceRow:
    """The kit of one school, district or city against its standard."""

    level: str
    key: int
    name: str
    schools: int = 0
    places: int = 0
    required: int = 0
    missing: int = 0
    short_places: int = 0
    service_overdue: int = 0
    scrap_overdue: int = 0
    # The district and city the row belongs to, for the drill-down's breadcrumbs.
    parents: dict = field(default_factory=dict)

    @property
    def present(self) -> int:
        return self.required - self.missing

    @property
    def rate(self) -> float | None:
        """The share of the required pieces held and usable; None when nothing is required."""
        return self.present / self.required if self.required else None

    @property
    def is_compliant(self) -> bool:
        return not self.missing and not self.service_overdue and not self.scrap_overdue


def compliance(schools, group_by: str = "school", today: datetime.date | None = None):
    """[ComplianceRow] of `schools` (a queryset or ids) grouped by school, district or city.

    Sorted by the share held, worst first, then by name: the bureau reads the
    schools to chase first.
    """
    if group_by not in GROUPS:
        raise ValueError(group_by)
    today = today or timezone.localdate()
    facts = school_facts(schools)
    school_ids = [school.pk for school in facts]
    needed = requirements(facts)
    rows: dict[int, ComplianceRow] = {}
    names = School.objects.filter(pk__in=school_ids).values_list(
        "pk", "name", "district_id", "district__name", "district__city_id", "district__city__name"
    )
    for pk, name, district_id, district, city_id, city in names:
        rows[pk] = ComplianceRow(
            "school",
            pk,
            name,
            schools=1,
            parents={"district": (district_id, district), "city": (city_id, city)},
        )
    places = (
        Location.objects.filter(school_id__in=school_ids, is_active=True, kind__in=STANDARD_KINDS)
        .order_by()
        .values_list("school_id", "kind")
        .annotate(count=Count("pk"))
    )
    for school_id, _kind, count in places:
        rows[school_id].places += count
    for school_id, required, missing, short in _kit_sums(needed, today):
        row = rows[school_id]
        row.required, row.missing, row.short_places = required, missing, short
    # Served by the indexes on (school, service_due_on) and (school, scrap_on).
    overdue = (
        Item.objects.held()
        .filter(school_id__in=school_ids)
        .filter(Q(service_due_on__lte=today) | Q(scrap_on__lte=today))
        .order_by()
        .values_list("school_id")
        .annotate(
            service=Count("pk", filter=Q(service_due_on__lte=today)),
            scrap=Count("pk", filter=Q(scrap_on__lte=today)),
        )
    )
    for school_id, service, scrap in overdue:
        rows[school_id].service_overdue = service
        rows[school_id].scrap_overdue = scrap
    result = list(rows.values()) if group_by == "school" else _roll_up(rows.values(), group_by)
    return sorted(result, key=lambda row: (row.rate if row.rate is not None else 2, row.name))


def _kit_sums(needed: dict, today: datetime.date):
    """(school, pieces required, pieces missing, places short) from one SQL query."""
    profiles: dict[frozenset, int] = {}
    followers = []
    for school_id, lines in needed.items():
        if lines:
            profile = profiles.setdefault(frozenset(lines.items()), len(profiles) + 1)
            followers.append((school_id, profile))
    if not followers:
        return []
    lines = [
        (profile, kind, type_id, quantity)
        for key, profile in profiles.items()
        for (kind, type_id), quantity in key
    ]
    integer = "CAST(%s AS INTEGER)"
    line_values = ", ".join([f"({integer}, %s, {integer}, {integer})"] * len(lines))
    follower_values = ", ".join([f"({integer}, {integer})"] * len(followers))
    sql = f"""
        WITH line (profile, kind, type_id, quantity) AS (VALUES {line_values}),
        follower (school_id, profile) AS (VALUES {follower_values}),
        expired AS (
            SELECT i.location_id, i.equipment_type_id, COUNT(*) AS pieces
            FROM equipment_item i JOIN follower f ON f.school_id = i.school_id
            WHERE i.status = %s AND i.scrap_on <= %s
            GROUP BY i.location_id, i.equipment_type_id
        ),
        judged AS (
            SELECT l.school_id, l.id AS location_id, line.quantity AS required,
                COALESCE(b.held, 0) - COALESCE(b.faulty, 0) - COALESCE(e.pieces, 0) AS usable
            FROM equipment_location l
            JOIN follower f ON f.school_id = l.school_id
            JOIN line ON line.profile = f.profile AND line.kind = l.kind
            LEFT JOIN equipment_stockbalance b
                ON b.location_id = l.id AND b.equipment_type_id = line.type_id
            LEFT JOIN expired e ON e.location_id = l.id AND e.equipment_type_id = line.type_id
            WHERE l.is_active
        )
        SELECT school_id, SUM(required),
            SUM(CASE WHEN usable < required THEN required - usable ELSE 0 END),
            COUNT(DISTINCT CASE WHEN usable < required THEN location_id END)
        FROM judged GROUP BY school_id
    """
    params = [value for line in lines for value in line]
    params += [value for follower in followers for value in follower]
    params += [ItemStatus.IN_SERVICE, today]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _roll_up(school_rows, level: str) -> list[ComplianceRow]:
    groups: dict[int, ComplianceRow] = {}
    for row in school_rows:
        key, name = row.parents[level]
        group = groups.get(key)
        if group is None:
            parents = {"city": row.parents["city"]} if level == "district" else {}
            group = groups[key] = ComplianceRow(level, key, name, parents=parents)
        for counted in (
            "schools",
            "places",
            "required",
            "missing",
            "short_places",
            "service_overdue",
            "scrap_overdue",
        ):
            setattr(group, counted, getattr(group, counted) + getattr(row, counted))
    return list(groups.values())
