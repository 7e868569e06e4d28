"""Kit compliance of many schools, by school, district or city, at a constant number of queries.

What each school must hold comes from its standards (services.requirements),
which depend on the school's city, district and size band only. So the
requirements are worked out per (district, band) "profile", not per school:
a city has a few dozen. The profiles are handed to ONE SQL query as VALUES
lists, and the schools as a subquery (their band worked out in SQL by
schools.obligations.size_band_expression, from the same floors); the database
joins them with every place and its balance, sums per school the pieces
required, the pieces missing (fewer usable than required, counting neither
faulty pieces nor pieces past their scrap date, as services.shortfalls does),
the places short and the pieces overdue, and rolls the schools up to their
district or city. Three queries whatever the number of schools: the
districts in the selection, the standards' lines, the sums.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from equipment.choices import ItemStatus
from equipment.models import Item, Location, StockBalance
from equipment.models.catalogue import STANDARD_KINDS
from equipment.services import Shortfall, requirements
from schools.choices import SizeBand
from schools.models import School
from schools.obligations import size_band_expression

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
    selected = _selected(schools)
    profiles = _profiles(selected)
    result = [_row(group_by, values) for values in _sums(selected, profiles, group_by, today)]
    return sorted(result, key=lambda row: (row.rate if row.rate is not None else 2, row.name))


def _selected(schools):
    """`schools` (a queryset, or schools or ids) as a queryset to read as a subquery."""
    if not isinstance(schools, QuerySet):
        schools = School.objects.filter(pk__in=[getattr(s, "pk", s) for s in schools])
    return School.objects.filter(pk__in=schools.order_by().values("pk"))


@dataclass(frozen=True)
class _Profile:
    """What services.requirements reads of a school, for a (district, band) profile."""

    pk: tuple
    district_id: int
    city_id: int
    size_band: str


def _profiles(selected) -> dict[frozenset, list[tuple[int, str]]]:
    """The standard's lines → the (district, band) pairs they apply to. Two queries."""
    districts = selected.order_by().values_list("district_id", "district__city_id").distinct()
    facts = [
        _Profile((district_id, band), district_id, city_id, band)
        for district_id, city_id in districts
        for band in SizeBand.values
    ]
    profiles: dict[frozenset, list[tuple[int, str]]] = {}
    for key, lines in requirements(facts).items():
        if lines:
            profiles.setdefault(frozenset(lines.items()), []).append(key)
    return profiles


def _judged(selected, profiles, today):
    """The WITH clause both statements share, and its parameters: `judged` holds each
    required (place, type) of the selected schools, with the pieces usable there."""
    integer = "CAST(%s AS INTEGER)"
    lines, followers = [], []
    for number, (key, pairs) in enumerate(profiles.items(), start=1):
        lines += [(number, kind, type_id, quantity) for (kind, type_id), quantity in key]
        followers += [(district_id, band, number) for district_id, band in pairs]
    # An empty VALUES list is not SQL: a line no place matches stands in.
    lines = lines or [(0, "", 0, 0)]
    followers = followers or [(0, "", 0)]
    line_values = ", ".join([f"({integer}, %s, {integer}, {integer})"] * len(lines))
    follower_values = ", ".join([f"({integer}, %s, {integer})"] * len(followers))
    school_sql, school_params = (
        selected.order_by()
        .annotate(band=size_band_expression())
        .values_list(
            "pk",
            "name",
            "district_id",
            "district__name",
            "district__city_id",
            "district__city__name",
            "band",
        )
        .query.sql_with_params()
    )
    location, balance, item = (
        Location._meta.db_table,
        StockBalance._meta.db_table,
        Item._meta.db_table,
    )
    sql = f"""
        WITH line (profile, kind, type_id, quantity) AS (VALUES {line_values}),
        follower (district_id, band, profile) AS (VALUES {follower_values}),
        selected (id, name, district_id, district_name, city_id, city_name, band)
            AS ({school_sql}),
        school AS (
            SELECT s.id, s.name, s.district_id, s.district_name, s.city_id, s.city_name, f.profile
            FROM selected s
            LEFT JOIN follower f ON f.district_id = s.district_id AND f.band = s.band
        ),
        expired AS (
            SELECT i.location_id, i.equipment_type_id, COUNT(*) AS pieces
            FROM {item} i
            WHERE i.school_id IN (SELECT id FROM selected) AND i.status = %s AND i.scrap_on <= %s
            GROUP BY i.location_id, i.equipment_type_id
        ),
        judged AS (
            SELECT l.school_id, l.id AS location_id, l.kind, line.type_id,
                line.quantity AS required,
                COALESCE(b.held, 0) - COALESCE(b.faulty, 0) - COALESCE(e.pieces, 0) AS usable
            FROM {location} l
            JOIN school s ON s.id = l.school_id
            JOIN line ON line.profile = s.profile AND line.kind = l.kind
            LEFT JOIN {balance} b ON b.location_id = l.id AND b.equipment_type_id = line.type_id
            LEFT JOIN expired e ON e.location_id = l.id AND e.equipment_type_id = line.type_id
            WHERE l.is_active
        )
    """
    params = [value for line in lines for value in line]
    params += [value for follower in followers for value in follower]
    params += [*school_params, ItemStatus.IN_SERVICE, today]
    return sql, params


def _sums(selected, profiles, group_by, today):
    """The sums per school, district or city from one SQL query (see the module's docstring)."""
    judged, params = _judged(selected, profiles, today)
    location, item = Location._meta.db_table, Item._meta.db_table
    kinds = ", ".join(["%s"] * len(STANDARD_KINDS))
    key, name = {
        "school": ("s.id", "s.name"),
        "district": ("s.district_id", "s.district_name"),
        "city": ("s.city_id", "s.city_name"),
    }[group_by]
    sql = f"""
        {judged},
        kit AS (
            SELECT school_id, SUM(required) AS required,
                SUM(CASE WHEN usable < required THEN required - usable ELSE 0 END) AS missing,
                COUNT(DISTINCT CASE WHEN usable < required THEN location_id END) AS short
            FROM judged GROUP BY school_id
        ),
        places AS (
            SELECT school_id, COUNT(*) AS places FROM {location}
            WHERE school_id IN (SELECT id FROM selected) AND is_active AND kind IN ({kinds})
            GROUP BY school_id
        ),
        overdue AS (
            -- Served by the indexes on (school, service_due_on) and (school, scrap_on).
            SELECT school_id,
                SUM(CASE WHEN service_due_on <= %s THEN 1 ELSE 0 END) AS service,
                SUM(CASE WHEN scrap_on <= %s THEN 1 ELSE 0 END) AS scrap
            FROM {item}
            WHERE school_id IN (SELECT id FROM selected) AND status NOT IN (%s, %s)
                AND (service_due_on <= %s OR scrap_on <= %s)
            GROUP BY school_id
        )
        SELECT {key}, MIN({name}), MIN(s.district_id), MIN(s.district_name), MIN(s.city_id),
            MIN(s.city_name), COUNT(*), COALESCE(SUM(p.places), 0), COALESCE(SUM(k.required), 0),
            COALESCE(SUM(k.missing), 0), COALESCE(SUM(k.short), 0),
            COALESCE(SUM(o.service), 0), COALESCE(SUM(o.scrap), 0)
        FROM school s
        LEFT JOIN kit k ON k.school_id = s.id
        LEFT JOIN places p ON p.school_id = s.id
        LEFT JOIN overdue o ON o.school_id = s.id
        GROUP BY {key}
    """
    params += [*STANDARD_KINDS, today, today, ItemStatus.LOST, ItemStatus.SCRAPPED, today, today]
    return _fetch(sql, params)


def shortfall_rows(schools, today: datetime.date | None = None) -> list[Shortfall]:
    """services.shortfalls() worked out by the database: the same rows (tested), from ONE
    statement plus the two that find the profiles, with only the short places coming
    back. What the sweeps use; a city's 300,000 balances never reach Python."""
    today = today or timezone.localdate()
    selected = _selected(schools)
    judged, params = _judged(selected, _profiles(selected), today)
    sql = f"""
        {judged}
        SELECT school_id, location_id, kind, type_id, required, usable FROM judged
        WHERE usable < required
        ORDER BY school_id, location_id, type_id
    """
    return [
        Shortfall(school_id, location_id, kind, type_id, required, have)
        for school_id, location_id, kind, type_id, required, have in _fetch(sql, params)
    ]


def _fetch(sql, params):
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # PostgreSQL guesses the join of the schools' profiles with the VALUES lists at a
    # hundredth of its rows, and so walks the places school by school and looks their
    # balances up one at a time (nested loops): at 3,000 schools 2.5 s where hash joins
    # take 1.3 s (README, "Kit compliance"). For this statement's transaction only.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _row(level, values) -> ComplianceRow:
    key, name, district_id, district, city_id, city, *counts = values
    parents = {}
    if level == "school":
        parents = {"district": (district_id, district), "city": (city_id, city)}
    elif level == "district":
        parents = {"city": (city_id, city)}
    schools, places, required, missing, short, service, scrap = (int(n) for n in counts)
    return ComplianceRow(
        level,
        key,
        name,
        schools=schools,
        places=places,
        required=required,
        missing=missing,
        short_places=short,
        service_overdue=service,
        scrap_overdue=scrap,
        parents=parents,
    )
