"""Time the term's drill compliance at city scale, beside one raw SQL query.

    manage.py seed_demo --reset --schools 3000 --days 10 --password bench-only
    manage.py bench_drills --repeat 5

The seed's drills step writes a term of drills for every school (drills/demo.py).
Signed in as `city` and `district1`, this times completion_rates() of the
drill requirements over the current term (the term containing today, else
the latest before it), by district and by school: the calendar's handful of
queries and ONE aggregate over the window summaries. Beside each, its floor:
the same counts of done, late and excused windows as ONE hand-written SQL
query over the window summaries, timed in the same run, and their ratio.
Then the district's term summary (the export's rows). It asserts nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from campussafety.bench import figures, print_table, ratio, timed
from campussafety.bulk import refresh_statistics
from drills.choices import TRAINING_RULE_CODES
from drills.exports import district_summary
from drills.models import Drill
from schools.models import District, ObligationRule, ObligationWindow, School, Term
from schools.obligations import completion_rates

LOGINS = ("city", "district1")
GROUPS = {"school": "s.id", "district": "s.district_id", "city": "d.city_id"}


class Command(BaseCommand):
    help = "Time the term's drill compliance (beside one raw SQL query) and the district summary."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs a figure (>= 1).")

    def handle(self, *args, repeat, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        users = {user.username: user for user in User.objects.filter(username__in=LOGINS)}
        missing = [name for name in LOGINS if name not in users]
        if missing or not School.objects.exists():
            raise CommandError("Run `manage.py seed_demo` first: no schools or demo logins.")
        today = timezone.localdate()
        term = (
            Term.objects.filter(start_date__lte=today)
            .order_by("-start_date")
            .values_list("start_date", "end_date")
            .first()
        )
        if term is None:
            raise CommandError("No term has begun: seed a calendar first.")
        start, end = term
        # The drill requirements (training has its own obligations in the same domain).
        rules = list(
            ObligationRule.objects.filter(domain="drills").exclude(
                code__in=TRAINING_RULE_CODES.values()
            )
        )
        rule_ids = [rule.pk for rule in rules]
        since = timezone.make_aware(datetime.datetime.combine(start, datetime.time(0)))
        note = refresh_statistics()
        lines = []
        for login in LOGINS:
            user = users[login]
            scope = _scope(user)
            for group in ("district", "school"):
                timings, queries, _status = timed(
                    lambda u=user, g=group: completion_rates(
                        u, start, end, group_by=g, rules=rules
                    ),
                    repeat,
                )
                floor, _q, _s = timed(
                    lambda g=group, s=scope: _floor(g, rule_ids, since, end, s), repeat
                )
                lines.append(
                    (
                        login,
                        f"term compliance by {group}",
                        *figures(timings),
                        str(queries),
                        *ratio(timings, floor),
                    )
                )
        district = District.objects.filter(pk=_scope(users["district1"])[1]).first()
        schools = list(School.objects.filter(district=district))
        timings, queries, _status = timed(
            lambda: district_summary(schools, min(today, end)), repeat
        )
        self.stdout.write(
            f"\nbench_drills: {connection.vendor}, {School.objects.count()} schools, "
            f"{Drill.objects.count()} drills, "
            f"{ObligationWindow.objects.filter(rule__domain='drills').count()} drill windows; "
            f"term {start} to {end}; {note}; {repeat} timed runs after a warm-up\n"
        )
        print_table(
            self.stdout,
            ("login", "figure", "min ms", "median ms", "max ms", "queries", "floor ms", "ratio"),
            lines,
            left=2,
        )
        self.stdout.write("")
        print_table(
            self.stdout,
            ("figure", "min ms", "median ms", "max ms", "queries"),
            [(f"district summary, {len(schools)} schools", *figures(timings), str(queries))],
        )


def _scope(user):
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


def _floor(group, rules, since, end, scope):
    """The done, late and excused windows of the term in scope, grouped, as one SQL query."""
    window = ObligationWindow._meta.db_table
    school = School._meta.db_table
    district = District._meta.db_table
    level, pk = scope
    scoped = "s.district_id = %s" if level == "district" else "d.city_id = %s"
    placeholders = ", ".join(["%s"] * len(rules)) or "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {GROUPS[group]},
                   SUM(CASE WHEN w.status = 'done' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.status = 'late' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN w.excused THEN 1 ELSE 0 END)
            FROM {window} w
            JOIN {school} s ON s.id = w.school_id
            JOIN {district} d ON d.id = s.district_id
            WHERE w.rule_id IN ({placeholders}) AND w.date <= %s AND w.window_end > %s
              AND {scoped}
            GROUP BY {GROUPS[group]}
            """,
            [*rules, end, since, pk],
        )
        return cursor.fetchall()
