"""The floor the completion benchmarks compare against (bench_inspections, bench_drills).

One hand-written SQL query over the materialised window rows counting what
completion_rates() counts for the windows overlapping a range in one bureau's
scope: those due by now, done, late, done before being due and excused, grouped
by school, district or city with the group's name.
"""

from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment
from schools.models import City, District, ObligationWindow, School

GROUPS = {"school": "s.id", "district": "s.district_id", "city": "d.city_id"}
LABELS = {"school": "s.name", "district": "d.name", "city": "c.name"}


def bureau_scope(user):
    """(level, id) of the user's bureau scope: the floor filters by it as the scope does."""
    assignment = (
        RoleAssignment.objects.filter(user=user, role__in=(Role.CITY_STAFF, Role.DISTRICT_STAFF))
        .order_by("role")
        .first()
    )
    if assignment is None:
        raise CommandError(f"{user.username} is not education bureau staff.")
    if assignment.district_id:
        return ("district", assignment.district_id)
    return ("city", assignment.city_id)


def window_floor(group, rule_ids, since, end, scope):
    """The windows of `rule_ids` dated up to `end` and ending after `since` (an aware
    datetime), in `scope`, grouped with their names: due by now, done, late, done
    early and excused. One SQL query."""
    window = ObligationWindow._meta.db_table
    school = School._meta.db_table
    district = District._meta.db_table
    city = City._meta.db_table
    level, pk = scope
    scoped = "s.district_id = %s" if level == "district" else "d.city_id = %s"
    placeholders = ", ".join(["%s"] * len(rule_ids)) or "NULL"
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {GROUPS[group]}, {LABELS[group]},
                   SUM(CASE WHEN w.due_at <= %s THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.status = 'done' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.status = 'late' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.status IN ('done', 'late') AND w.due_at > %s
                       THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.excused AND w.status NOT IN ('done', 'late')
                       AND w.due_at <= %s THEN 1 ELSE 0 END)
            FROM {window} w
            JOIN {school} s ON s.id = w.school_id
            JOIN {district} d ON d.id = s.district_id
            JOIN {city} c ON c.id = d.city_id
            WHERE w.planned AND w.rule_id IN ({placeholders}) AND w.date <= %s
              AND w.window_end > %s AND {scoped}
            GROUP BY {GROUPS[group]}, {LABELS[group]}
            ORDER BY {LABELS[group]}, {GROUPS[group]}
            """,
            [now, now, now, *rule_ids, end, since, pk],
        )
        return cursor.fetchall()
