"""Time the meeting cadence beside one raw SQL query, and weigh the meeting form.

    manage.py seed_demo --reset --schools 3000 --days 10 --password bench-only
    manage.py bench_coordination --repeat 5

The seed's coordination step gives its city a cadence (the city quarterly, the districts
monthly) and a year of meetings (coordination/demo.py). Signed in as `city` and
`district1`, this times the cadence page's figures (coordination.cadence.unit_cadences()
over the year, in the user's scope: the cadences and ONE grouped count), and the
reminder sweep over every unit. Beside each, its floor: the meetings of the units
counted by unit in ONE hand-written SQL query, timed in the same run, and their ratio.
Last, the meeting form's page as `city` serves it: its bytes and queries, which do not
grow with the schools (the schools are searched, not listed). It asserts nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from campussafety.bench import figures, print_table, ratio, timed
from coordination import cadence
from coordination.models import Meeting
from reminders.registry import KINDS
from schools.models import District, School

LOGINS = ("city", "district1")


def floor(start, end):
    """The city and district meetings of the year counted by unit: no periods, no scope."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT level, city_id, district_id, COUNT(*) FROM coordination_meeting"
            " WHERE level IN ('city', 'district') AND held_on BETWEEN %s AND %s"
            " GROUP BY level, city_id, district_id",
            [start, end],
        )
        return cursor.fetchall()


class Command(BaseCommand):
    help = "Time the meeting cadence (beside one raw SQL query) and weigh the meeting form."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs a figure (>= 1).")

    def handle(self, *args, repeat, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        users = {user.username: user for user in User.objects.filter(username__in=LOGINS)}
        if len(users) < len(LOGINS) or not School.objects.exists():
            raise CommandError("Run `manage.py seed_demo` first: no schools or demo logins.")
        now = timezone.now()
        start, end = cadence.year_bounds(timezone.localdate(now).year)
        floor_timings, _q, _s = timed(lambda: floor(start, end), repeat)
        lines = []
        for login in LOGINS:
            user = users[login]

            def overview(user=user):
                return cadence.unit_cadences(
                    cadence.units_for(user), start, end, now, Meeting.objects.for_user(user)
                )

            timings, queries, _status = timed(overview, repeat)
            lines.append(
                (login, "cadence of the year", *figures(timings), str(queries))
                + ratio(timings, floor_timings)
            )
        sweep = KINDS["coordination_meeting_missed"]
        timings, queries, _status = timed(lambda: sweep.sweep(now), repeat)
        lines.append(
            ("(beat)", "missed-meeting sweep", *figures(timings), str(queries))
            + ratio(timings, floor_timings)
        )
        client = Client()
        client.force_login(users["city"])
        timings, queries, _status = timed(
            lambda: client.get(reverse("coordination:meeting-add")), repeat
        )
        weight = len(client.get(reverse("coordination:meeting-add")).content)
        self.stdout.write(
            f"\nbench_coordination: {connection.vendor}, {School.objects.count()} schools, "
            f"{District.objects.count()} districts, {Meeting.objects.count()} meetings; "
            f"{start.year}; {repeat} timed runs after a warm-up\n"
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
            ("figure", "min ms", "median ms", "max ms", "queries", "bytes"),
            [("meeting form (city)", *figures(timings), str(queries), str(weight))],
        )
