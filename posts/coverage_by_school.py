"""Coverage by school, sorted and paged in the database.

A city's coverage by school is thousands of rows of which a page shows a
hundred. The schools in scope are a subquery, never a list of ids; their
school days are joined from the calendar's shared day lists
(schools.calendar_sql), their DailyCoverage rows added up per school, and the
database sorts and cuts the page: count() is one query and a page another
(plus the calendar's three), whatever the number of schools.

The figures are coverage()'s (posts/coverage.py) for group_by="school", and
the order sort_rows()'s: days to come do not count, today only once the
school has logged something; a school without school days has no rate and
goes last, whichever way the rows are sorted.
"""

from django.db import connection, connections
from django.utils import timezone

from posts.choices import CoverageStatus
from posts.coverage import ORDERINGS, CoverageRow
from posts.models import DailyCoverage
from schools.calendar_sql import date_param, school_days_sql
from schools.models import School

# How each ordering sorts, in SQL ("rated" puts the rows without a rate last).
# Names compare by code point, as sort_rows() compares them in Python.
_ORDER_BY = {
    "label": "r.sname{c}, r.sid",
    "coverage_rate": "r.rated DESC, r.rate, r.sname{c}, r.sid",
    "-coverage_rate": "r.rated DESC, r.rate DESC, r.sname{c} DESC, r.sid DESC",
    "missed": "r.missed, r.sname{c}, r.sid",
    "-missed": "r.missed DESC, r.sname{c} DESC, r.sid DESC",
}
assert set(_ORDER_BY) == set(ORDERINGS)
# SQLite compares text by code point already.
_CODE_POINT = {"postgresql": ' COLLATE "C"'}

_FIGURES = (
    "school_days",
    "covered",
    "partial",
    "logs",
    "understaffed_logs",
    "late_logs",
    "present",
    "qualified",
)


class SqlPages:
    """A sequence a Paginator pages, one query a page: count() once, then each slice as
    `{select} ORDER BY … LIMIT … OFFSET …` in the database.

    A subclass gives _total(), _select() ((sql, params); sql None when there is
    nothing to read), _order_by() and _row() (a result row as the object listed).
    """

    _count = None
    _sql = None

    def _cursor(self):
        # The schools' database: the replica in a view that reads from it
        # (campussafety/replica.py), as the ORM's queries there do.
        return connections[self.schools.db].cursor()

    def count(self) -> int:
        if self._count is None:
            self._count = self._total()
        return self._count

    def __len__(self):
        return self.count()

    def _query(self):
        if self._sql is None:
            self._sql = self._select()
        return self._sql

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None or index.stop is None:
            raise TypeError(f"{type(self).__name__} is read a page (a slice) at a time.")
        first, stop = int(index.start or 0), int(index.stop)
        sql, params = self._query()
        if sql is None or stop <= first:
            return []
        with self._cursor() as cursor:
            cursor.execute(
                f"{sql} ORDER BY {self._order_by()} LIMIT {stop - first} OFFSET {first}", params
            )
            return [self._row(row) for row in cursor.fetchall()]


class CoverageBySchool(SqlPages):
    """The coverage rows of `schools` over [start, end], as a sequence a Paginator pages."""

    def __init__(self, schools, start, end, ordering="label", today=None):
        if ordering not in _ORDER_BY:
            raise ValueError(ordering)
        self.schools, self.start, self.end = schools, start, end
        self.ordering = ordering
        self.today = today or timezone.localdate()

    def _select(self):
        return _rows_sql(self.schools, self.start, self.end, self.today)

    def _total(self) -> int:
        return self.schools.order_by().count()

    def _order_by(self):
        return _ORDER_BY[self.ordering].format(c=_CODE_POINT.get(connection.vendor, ""))

    def _row(self, row):
        key, label, *figures = row
        return CoverageRow(key, label, **dict(zip(_FIGURES, figures, strict=True)))


def _rows_sql(schools, start, end, today):
    """The SELECT of (school id, name, *_FIGURES) per school, over a row `r` that also has
    its rate, missed days and whether it is rated; and its parameters."""
    scoped_sql, scoped_params = schools.order_by().values("pk").query.sql_with_params()
    days_sql, days_params = school_days_sql(schools, start, min(end, today))
    daily = DailyCoverage._meta.db_table
    missed = CoverageStatus.MISSED
    if days_sql is None:
        # No school day at all: every school has none.
        days_with, days_join, days_params = "", "", []
        days_column = "0"
    else:
        # Today counts once the school has logged something.
        # Counted per shared day list, not per school and day (a city's year is half a
        # million of those): the list's days before today, and today once the school
        # has logged something.
        days_with = (
            f"WITH {days_sql}, listed (grp, days, today) AS ("
            "SELECT grp, SUM(CASE WHEN day < %s THEN 1 ELSE 0 END), "
            " MAX(CASE WHEN day = %s THEN 1 ELSE 0 END) FROM school_day_gd GROUP BY grp), "
            "counted (school_id, days) AS ("
            "SELECT sg.school_id, l.days + CASE WHEN l.today = 1 AND EXISTS (SELECT 1 "
            f" FROM {daily} t WHERE t.school_id = sg.school_id AND t.date = %s"
            f" AND t.status <> '{missed}') THEN 1 ELSE 0 END "
            "FROM school_day_sg sg JOIN listed l ON l.grp = sg.grp) "
        )
        days_params = [*days_params, *[date_param(today)] * 3]
        days_join = "LEFT JOIN counted d ON d.school_id = s.id "
        days_column = "COALESCE(d.days, 0)"
    covered, partial = CoverageStatus.COVERED, CoverageStatus.PARTIAL
    sums = ", ".join(
        f"COALESCE(SUM(c.{name}), 0) AS {name}"
        for name in ("logs", "understaffed_logs", "late_logs", "present", "qualified")
    )
    # Each school's coverage rows of the range joined to it (the (school, date) index),
    # not the range's rows of the whole city filtered by school.
    rows = (
        f"SELECT s.id AS sid, s.name AS sname, MIN({days_column}) AS school_days, "
        f"SUM(CASE WHEN c.status = '{covered}' THEN 1 ELSE 0 END) AS covered, "
        f"SUM(CASE WHEN c.status = '{partial}' THEN 1 ELSE 0 END) AS partial, {sums} "
        f"FROM {School._meta.db_table} s {days_join}"
        f"LEFT JOIN {daily} c ON c.school_id = s.id AND c.date >= %s AND c.date <= %s "
        f"WHERE s.id IN ({scoped_sql}) GROUP BY s.id, s.name"
    )
    sql = (
        f"{days_with}SELECT r.sid, r.sname, "
        f"{', '.join(f'r.{name}' for name in _FIGURES)} FROM ("
        "SELECT x.*, CASE WHEN x.school_days > 0 THEN 1 ELSE 0 END AS rated, "
        " CASE WHEN x.school_days > 0 THEN ROUND(x.covered * 1.0 / x.school_days, 4) END AS rate,"
        " CASE WHEN x.school_days - x.covered - x.partial > 0"
        "  THEN x.school_days - x.covered - x.partial ELSE 0 END AS missed "
        f"FROM ({rows}) x) r"
    )
    params = [*days_params, date_param(start), date_param(end), *scoped_params]
    return sql, params
