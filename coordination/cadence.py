"""The city's and each district's security meetings: due per period, held, missed.

A MeetingCadence row (coordination/models_cadence.py) says how often a unit meets. Its
periods are schools.obligations.periods() and period_span(), its statuses
schools.obligations.window_status(): the arithmetic of a school's monthly meeting
obligation, not a copy of it. What differs is the unit: a district or a city is not a
school, so its periods are not materialised as obligation rows; they are few (a dozen
a year per unit) and worked out on the fly.

The meetings held are counted in the database, in ONE grouped query whatever the number
of units and meetings: each meeting is keyed by its unit and by the period it falls in
(a CASE over the same periods), and counted per key.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Case, Count, DateField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import BUREAU
from coordination.choices import Level
from coordination.models import Meeting, MeetingCadence
from coordination.models_cadence import UNIT_LEVELS
from schools.choices import WindowStatus
from schools.models import City, District
from schools.obligations import SATISFIED, period_span, periods, window_status

# What a window's status counts as, in a unit's summary.
COUNTED = (*SATISFIED, WindowStatus.MISSED)
# A period's status in the words of meetings (the obligations' words are about windows).
PERIOD_LABELS = {
    WindowStatus.DONE: _("Meetings held"),
    WindowStatus.MISSED: _("Meetings missed"),
}


@dataclass(frozen=True)
class Unit:
    """The city or a district, as a unit that holds meetings."""

    level: str
    pk: int
    name: str
    city_id: int


@dataclass
class UnitWindow:
    """One period of a unit's cadence: the meetings it needs, those held, its status."""

    first: datetime.date
    last: datetime.date
    start: datetime.datetime
    end: datetime.datetime
    due: datetime.datetime
    required: int
    held: int = 0
    status: str = ""
    # window_status() reads it: a unit's period is never excused.
    excused: bool = False

    @property
    def quarter(self) -> int:
        return (self.first.month - 1) // 3 + 1

    @property
    def status_label(self) -> str:
        return PERIOD_LABELS.get(self.status) or WindowStatus(self.status).label


@dataclass
class UnitCadence:
    """A unit, the cadence it follows (None: none applies) and its windows in the range."""

    unit: Unit
    cadence: MeetingCadence | None
    windows: list[UnitWindow] = field(default_factory=list)

    @property
    def due(self) -> int:
        """Periods that asked for their meetings by now: past their due time, or held early."""
        return sum(window.status in COUNTED for window in self.windows)

    @property
    def held(self) -> int:
        return sum(window.status in SATISFIED for window in self.windows)

    @property
    def missed(self) -> int:
        return sum(window.status == WindowStatus.MISSED for window in self.windows)

    @property
    def meetings(self) -> int:
        return sum(window.held for window in self.windows)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def cadences_for(city_ids) -> dict[tuple[int, str], MeetingCadence]:
    """{(city id, level): the active cadence}: the city's own row, else the national one.

    One query.
    """
    rows = MeetingCadence.objects.filter(
        Q(city__isnull=True) | Q(city_id__in=set(city_ids)), is_active=True
    ).order_by("pk")
    national, own = {}, {}
    for row in rows:
        if row.city_id is None:
            national.setdefault(row.level, row)
        else:
            own[(row.city_id, row.level)] = row
    return {
        (city_id, level): own.get((city_id, level)) or national.get(level)
        for city_id in set(city_ids)
        for level in UNIT_LEVELS
        if own.get((city_id, level)) or national.get(level)
    }


def units_for(user) -> list[Unit]:
    """The units whose cadence `user` oversees: the cities they are city staff of, and the
    districts they are bureau staff over (not those they reach through a school role).

    Two queries.
    """
    cities = (
        City.objects.for_user(user, roles={Role.CITY_STAFF})
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    districts = (
        District.objects.for_user(user, roles=BUREAU)
        .order_by("city__name", "name", "pk")
        .values_list("pk", "name", "city_id")
    )
    return [Unit(Level.CITY, pk, name, pk) for pk, name in cities] + [
        Unit(Level.DISTRICT, pk, name, city_id) for pk, name, city_id in districts
    ]


def all_units() -> list[Unit]:
    """Every city and district, for the reminder sweep. One query."""
    rows = District.objects.order_by("city_id", "pk").values_list(
        "pk", "name", "city_id", "city__name"
    )
    units, cities = [], {}
    for pk, name, city_id, city_name in rows:
        cities.setdefault(city_id, city_name)
        units.append(Unit(Level.DISTRICT, pk, name, city_id))
    return [Unit(Level.CITY, pk, name, pk) for pk, name in cities.items()] + units


def _windows(cadence: MeetingCadence, start, end) -> list[tuple]:
    """(first, last, opens, closes) of the cadence's periods overlapping [start, end] that it
    counts (those starting on or after its `starts_on`)."""
    found = []
    for first, last in periods(cadence.basis, start, end):
        if first >= cadence.starts_on:
            _day, opens, closes = period_span(first, last)
            found.append((first, last, opens, closes))
    return found


def held_counts(meetings, plans: list[UnitCadence], start, end) -> dict[tuple, int]:
    """{(level, unit id, first day of the period): meetings held} for the units of `plans`.

    ONE grouped query over `meetings` (a scoped Meeting queryset, or all of them for a
    sweep). Each meeting's period is a CASE over the periods of [start, end] of the
    basis its unit follows: first which basis (by city and level), then the first of
    that basis's periods, in order, whose last day is not before the meeting. The
    statement grows with the cities and bases in play, never with the units or meetings.
    """
    cities_by_basis = defaultdict(lambda: defaultdict(set))
    for plan in plans:
        if plan.windows:
            cities_by_basis[plan.cadence.basis][plan.unit.level].add(plan.unit.city_id)
    if not cities_by_basis:
        return {}
    by_basis, low, high = [], end, start
    for basis, levels in sorted(cities_by_basis.items()):
        who = reduce(
            or_,
            (Q(level=level, city_id__in=sorted(ids)) for level, ids in sorted(levels.items())),
        )
        spans = periods(basis, start, end)
        in_period = [When(held_on__lt=spans[0][0], then=Value(None, output_field=DateField()))]
        in_period += [When(held_on__lte=last, then=Value(first)) for first, last in spans]
        by_basis.append((who, Case(*in_period, output_field=DateField())))
        low, high = min(low, spans[0][0]), max(high, spans[-1][1])
    rows = (
        meetings.filter(reduce(or_, (who for who, _period in by_basis)))
        .filter(held_on__gte=low, held_on__lte=high)
        .annotate(
            period=Case(
                *(When(who, then=period) for who, period in by_basis), output_field=DateField()
            )
        )
        .order_by()
        .values("level", "city_id", "district_id", "period")
        .annotate(held=Count("pk"))
    )
    counts = {}
    for row in rows:
        unit_id = row["city_id"] if row["level"] == Level.CITY else row["district_id"]
        counts[(row["level"], unit_id, row["period"])] = row["held"]
    return counts


def unit_cadences(units, start, end, now, meetings=None, cadences=None) -> list[UnitCadence]:
    """Each unit with its cadence's windows overlapping [start, end], their meetings held
    and their status at `now`.

    `meetings` is where held meetings are counted: the user's scoped queryset on a page,
    every meeting in a sweep. Queries: the cadences (one, unless given) and held_counts()
    (one).
    """
    if cadences is None:
        cadences = cadences_for({unit.city_id for unit in units})
    spans = {}
    plans = []
    for unit in units:
        cadence = cadences.get((unit.city_id, unit.level))
        plan = UnitCadence(unit, cadence)
        if cadence is not None:
            if cadence.pk not in spans:
                spans[cadence.pk] = _windows(cadence, start, end)
            grace, required = cadence.grace, cadence.required_count
            plan.windows = [
                UnitWindow(first, last, opens, closes, closes + grace, required)
                for first, last, opens, closes in spans[cadence.pk]
            ]
        plans.append(plan)
    counts = held_counts(Meeting.objects.all() if meetings is None else meetings, plans, start, end)
    for plan in plans:
        for window in plan.windows:
            window.held = counts.get((plan.unit.level, plan.unit.pk, window.first), 0)
            stored = WindowStatus.DONE if window.held >= window.required else None
            window.status = window_status(window, stored, now)
    return plans
