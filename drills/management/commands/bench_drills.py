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

from accounts.models import User
from campussafety.bench import FLOOR_HEADER, compared, figures, print_table, timed
from campussafety.bulk import refresh_statistics
from drills.choices import TRAINING_RULE_CODES
from drills.exports import district_summary
from drills.models import Drill
from schools.bench import bureau_scope, window_floor
from schools.models import District, ObligationRule, ObligationWindow, School, Term
from schools.obligation_rates import completion_rates

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
            scope = bureau_scope(user)
            for group in ("district", "school"):
                timings, queries, _status, floor = compared(
                    lambda u=user, g=group: completion_rates(
                        u, start, end, group_by=g, rules=rules
                    ),
                    lambda g=group, s=scope: window_floor(g, rule_ids, since, end, s),
                    repeat,
                )
                lines.append(
                    (login, f"term compliance by {group}", *figures(timings), str(queries), *floor)
                )
        district = District.objects.filter(pk=bureau_scope(users["district1"])[1]).first()
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
            ("login", "figure", "min ms", "median ms", "max ms", "queries", *FLOOR_HEADER),
            lines,
            left=2,
        )
        self.stdout.write("")
        print_table(
            self.stdout,
            ("figure", "min ms", "median ms", "max ms", "queries"),
            [(f"district summary, {len(schools)} schools", *figures(timings), str(queries))],
        )
