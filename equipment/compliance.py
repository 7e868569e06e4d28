"""Kit compliance of many schools, by school, district or city, at a constant number of queries.

A school's required pieces are its standard's lines times its places of each
kind; its missing pieces are the sum of its shortfalls (services.shortfalls);
its overdue pieces are counted in the database. The numbers of a district or a
city are the sums of its schools'. Ten queries whatever the number of schools.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from equipment.models import Item, Location
from equipment.models.catalogue import STANDARD_KINDS
from equipment.services import requirements, shortfalls
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
    # Pieces required per place of each kind, per school.
    per_kind = {school_id: _per_kind(lines) for school_id, lines in needed.items()}
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
    for school_id, kind, count in places:
        rows[school_id].places += count
        rows[school_id].required += count * per_kind[school_id].get(kind, 0)
    short_places = defaultdict(set)
    for shortfall in shortfalls(school_ids, today):
        rows[shortfall.school_id].missing += shortfall.missing
        short_places[shortfall.school_id].add(shortfall.location_id)
    for school_id, locations in short_places.items():
        rows[school_id].short_places = len(locations)
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


def _per_kind(lines: dict) -> dict[str, int]:
    total = defaultdict(int)
    for (kind, _type_id), quantity in lines.items():
        total[kind] += quantity
    return total


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
