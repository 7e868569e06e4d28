"""The query layer the dashboard pages, the exports and the API share.

    values(schools, codes=None, as_of=None, group_by="school") -> list[ValueRow]
    trend(code, schools, start, end, group_by="city") -> list[ValueRow]
    rows_by_key(rows) -> {(code, key): ValueRow}

- `schools`: a School queryset already in the user's scope
  (School.objects.for_user(user), narrowed by any district or school filter).
  It is used as a subquery, never turned into a list of ids.
- `codes`: indicator codes (campussafety.indicators.declared_indicators()), None
  for all of them; FOUR_100 names the four national targets in order.
- `as_of`: a date, today when None. A past day that was snapshotted
  (dashboards.models.SnapshotDay) is read from the snapshots in ONE GROUP BY
  query (plus one to find the day); today, or a past day never snapshotted,
  is computed live by each indicator's compute() (a constant number of
  queries each).
- `group_by`: "school", "district" or "city". A district's or city's
  numerator and denominator are the sums of its schools' (never an average
  of shares), and `schools` counts the schools that had a value.

A ValueRow carries: code, date, group_by, key (the school, district or city
id), label (its name), parent (a school's district id, a district's city id,
None for a city), numerator, denominator (None for a count), schools, value
(per cent or count; None when nothing was due), meets_target (True, False, or
None for no data or no target); as_dict() (as_dicts() of many) gives it as the API does. Groups
or schools with no value for an indicator have no row: "no data", never a
made-up 0 or 100%.

`trend()` gives one row per day and group (the rows' `date`) over [start,
end] from the snapshots in ONE GROUP BY; today, when in the range, is
computed live and appended.

Rows come sorted by indicator (dashboard order), then date, then label.
"""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, IntegerField, Max, Sum, Value
from django.utils import timezone

from campussafety.indicators import (
    Measure,
    computing,
    declared_indicator,
    declared_indicators,
)
from dashboards.models import IndicatorSnapshot, SnapshotDay

GROUPINGS = ("school", "district", "city")
# The national "four 100%" (CHECKS.md §7), in their order.
FOUR_100 = "four100"

# The snapshot columns of each grouping: key, label, parent.
SNAPSHOT_GROUPS = {
    "school": ("school_id", "school__name", "school__district_id"),
    "district": ("school__district_id", "school__district__name", "school__district__city_id"),
    "city": ("school__district__city_id", "school__district__city__name", None),
}


@dataclass(slots=True)
class ValueRow:
    code: str
    date: datetime.date
    group_by: str
    key: int
    label: str
    parent: int | None
    numerator: int
    denominator: int | None
    schools: int = 1

    @property
    def measure(self) -> Measure:
        return Measure(self.numerator, self.denominator)

    @property
    def value(self) -> float | None:
        return self.measure.value

    @property
    def meets_target(self) -> bool | None:
        indicator = _by_code().get(self.code)
        return None if indicator is None else indicator.meets_target(self.measure)

    def as_dict(self) -> dict:
        """The row as the API and the exports give it."""
        return as_dicts([self])[0]


def as_dicts(rows) -> list[dict]:
    """Rows as the API and the exports give them; a district's table by school is twelve
    thousand, so each row's value is worked out once and each day's date written once."""
    indicators = _by_code()
    dates = {}
    found = []
    for row in rows:
        value = row.measure.value
        indicator = indicators.get(row.code)
        day = dates.get(row.date) or dates.setdefault(row.date, row.date.isoformat())
        found.append(
            {
                "indicator": row.code,
                "date": day,
                "group_by": row.group_by,
                "key": row.key,
                "label": row.label,
                "parent": row.parent,
                "numerator": row.numerator,
                "denominator": row.denominator,
                "schools": row.schools,
                "value": None if value is None else round(value, 2),
                "meets_target": None if indicator is None else indicator.value_meets_target(value),
            }
        )
    return found


@functools.cache
def _by_code() -> dict:
    return {indicator.code: indicator for indicator in declared_indicators()}


def resolve_codes(codes=None) -> list[str]:
    """Declared codes in dashboard order: all, the named ones, or FOUR_100's four.

    Unknown codes raise ValueError naming them (the API answers 400).
    """
    declared = declared_indicators()
    if codes is None:
        return [indicator.code for indicator in declared]
    codes = list(codes)
    if FOUR_100 in codes:
        four = sorted((i for i in declared if i.four_100), key=lambda i: i.four_100)
        codes = [c for c in codes if c != FOUR_100] + [i.code for i in four]
    known = {indicator.code for indicator in declared}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ValueError(unknown)
    wanted = set(codes)
    return [indicator.code for indicator in declared if indicator.code in wanted]


def reads_snapshots(as_of: datetime.date, snapshotted: bool | None = None) -> bool:
    """Whether values as of `as_of` come from snapshots (a past day that was taken);
    `snapshotted` says whether it was taken when the caller has read it already."""
    if as_of >= timezone.localdate():
        return False
    if snapshotted is None:
        snapshotted = SnapshotDay.objects.filter(date=as_of).exists()
    return snapshotted


def values(schools, codes=None, as_of=None, group_by="school", snapshotted=None) -> list[ValueRow]:
    """Each indicator's value per school, district or city as of a day (see the module);
    `snapshotted`: whether as_of's snapshot was taken, when the caller knows (one query less)."""
    if group_by not in GROUPINGS:
        raise ValueError(group_by)
    codes = resolve_codes(codes)
    as_of = as_of or timezone.localdate()
    if reads_snapshots(as_of, snapshotted):
        return _from_snapshots(schools, codes, as_of, as_of, group_by)
    return _live(schools, codes, as_of, group_by)


def trend(code, schools, start, end, group_by="city") -> list[ValueRow]:
    """One indicator per day over [start, end] per group (see the module)."""
    if group_by not in GROUPINGS:
        raise ValueError(group_by)
    [code] = resolve_codes([code])
    today = timezone.localdate()
    rows = _from_snapshots(
        schools, [code], start, min(end, today - datetime.timedelta(1)), group_by
    )
    if start <= today <= end:
        rows += _live(schools, [code], today, group_by)
    return rows


def rows_by_key(rows) -> dict:
    """{(code, key): row} of rows of one day: a table's cells."""
    return {(row.code, row.key): row for row in rows}


def _from_snapshots(schools, codes, start, end, group_by) -> list[ValueRow]:
    """The snapshots of [start, end] in ONE query: grouped by district or city; by school
    the rows themselves, as a school has one row a day and indicator (the table's
    unique constraint), so there is nothing to group (a district's table is twelve
    thousand rows, and grouping them cost a third of the statement)."""
    if start > end:
        return []
    key, label, parent = SNAPSHOT_GROUPS[group_by]
    rows = IndicatorSnapshot.objects.filter(
        date__gte=start,
        date__lte=end,
        code__in=codes,
        school__in=schools.order_by().values("pk"),
    )
    parent_of = F(parent) if parent else Value(None, output_field=IntegerField())
    if group_by == "school":
        rows = rows.annotate(
            label=F(label),
            parent=parent_of,
            total_numerator=F("numerator"),
            total_denominator=F("denominator"),
            schools=Value(1),
        )
    else:
        rows = rows.values("code", "date", key).annotate(
            label=Max(label),
            parent=Max(parent) if parent else parent_of,
            total_numerator=Sum("numerator"),
            total_denominator=Sum("denominator"),
            schools=Count("school_id"),
        )
    rows = rows.order_by("date", "label", key).values_list(
        "code", "date", key, "label", "parent", "total_numerator", "total_denominator", "schools"
    )
    # Sorted by the database and read as plain tuples: Django's per-row converters and a
    # sort in Python cost more than the query (the sums are integers, the dates dates, on
    # every backend but SQLite, whose text dates are converted below, all of them or none).
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    dates = datetime.date.fromisoformat if fetched and isinstance(fetched[0][1], str) else None
    buckets = {code: [] for code in codes}
    for c, d, k, lab, par, n, den, count in fetched:
        day = dates(d) if dates else d
        buckets[c].append(ValueRow(c, day, group_by, k, lab, par, n, den, count))
    return [row for code in codes for row in buckets[code]]


def _order(codes):
    position = {code: index for index, code in enumerate(codes)}
    return lambda row: (position[row.code], row.date, row.label, row.key)


def _live(schools, codes, as_of, group_by) -> list[ValueRow]:
    """Each indicator's compute() over the schools, added up by group in Python (one addition
    per school and indicator; the schools' names and groups are one query)."""
    groups = {
        pk: {
            "school": (pk, name, district_id),
            "district": (district_id, district, city_id),
            "city": (city_id, city, None),
        }[group_by]
        for pk, name, district_id, district, city_id, city in schools.order_by().values_list(
            "pk",
            "name",
            "district_id",
            "district__name",
            "district__city_id",
            "district__city__name",
        )
    }
    rows = []
    with computing():
        computed = {code: declared_indicator(code).compute(schools, as_of) for code in codes}
    for code in codes:
        sums = defaultdict(lambda: [0, None, 0])
        for school_id, measure in computed[code].items():
            group = groups.get(school_id)
            if group is None:
                continue
            total = sums[group]
            total[0] += measure.numerator
            if measure.denominator is not None:
                total[1] = (total[1] or 0) + measure.denominator
            total[2] += 1
        rows += [
            ValueRow(code, as_of, group_by, key, label, parent, num, den, count)
            for (key, label, parent), (num, den, count) in sums.items()
        ]
    return sorted(rows, key=_order(codes))
