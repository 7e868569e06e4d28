"""The school days of many schools as SQL rows (school_id, day), for work done in the database.

The calendar shares its days (schools.calendar.school_day_groups: a few day
lists per district and kind of school, three queries); they are sent as VALUES
and joined to the schools in the database, so a statement over a city's year
carries a few hundred dates, not half a million (school, day) pairs.
"""

import datetime

from django.db import connection

from schools.calendar import school_day_groups
from schools.choices import SchoolType
from schools.models import School


def school_days_sql(schools, start: datetime.date, end: datetime.date, name="school_day"):
    """Common table expressions ending in `name` (school_id, day): the school days of
    `schools` (a School queryset) in [start, end]; and their parameters. (None, None)
    when there is no school day at all. Used as `WITH {ctes} SELECT … FROM {name} …`
    (SQLite names a VALUES list's columns only in a CTE).

    Schools share day lists: `{name}_sg` (school_id, grp) gives each school its
    list and `{name}_gd` (grp, day) the lists' days, for work that counts days
    per list instead of per school.

    A day comes back as the database stores dates (SQLite: ISO text), so it compares
    with date columns on either side.
    """
    group_days, own_days = school_day_groups(schools, start, end)
    # Day lists are shared: many districts of a city keep the same calendar.
    numbers: dict[tuple, int] = {}
    for days in (*group_days.values(), *own_days.values()):
        numbers.setdefault(days, len(numbers))
    day_rows = [(number, day) for days, number in numbers.items() for day in days]
    if not day_rows:
        return None, None
    group_rows = [
        (district_id, int(is_kindergarten), numbers[days])
        for (district_id, is_kindergarten), days in group_days.items()
    ]
    # A row no school has, so the list is never empty.
    own_rows = [(school_id, numbers[days]) for school_id, days in own_days.items()] or [(0, 0)]
    scoped_sql, scoped_params = schools.order_by().values("pk").query.sql_with_params()
    values = ", ".join
    sql = (
        f"{name}_gd (grp, day) AS (VALUES {values(['(%s, %s)'] * len(day_rows))}), "
        f"{name}_gm (district_id, kg, grp) AS "
        f"(VALUES {values(['(%s, %s, %s)'] * len(group_rows))}), "
        f"{name}_so (school_id, grp) AS (VALUES {values(['(%s, %s)'] * len(own_rows))}), "
        f"{name}_sg (school_id, grp) AS ("
        f" SELECT s.id, COALESCE(so.grp, gm.grp)"
        f" FROM {School._meta.db_table} s"
        f" LEFT JOIN {name}_so so ON so.school_id = s.id"
        f" LEFT JOIN {name}_gm gm ON gm.district_id = s.district_id"
        "  AND gm.kg = CASE WHEN s.school_type = %s THEN 1 ELSE 0 END"
        f" WHERE s.id IN ({scoped_sql})), "
        f"{name} AS (SELECT sg.school_id AS school_id, gd.day AS day"
        f" FROM {name}_sg sg JOIN {name}_gd gd ON gd.grp = sg.grp)"
    )
    params = [
        *(value for number, day in day_rows for value in (number, date_param(day))),
        *(value for row in group_rows for value in row),
        *(value for row in own_rows for value in row),
        SchoolType.KINDERGARTEN,
        *scoped_params,
    ]
    return sql, params


def date_param(day: datetime.date):
    """A date as a query parameter the database compares with its date columns."""
    return connection.ops.adapt_datefield_value(day)
