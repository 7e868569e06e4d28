"""The posts panels on the home page: today's posts at the gate for school staff, and the
way to the coverage, the verification queue and the police board."""

from accounts.choices import Role
from accounts.scope import SCHOOL_STAFF
from campussafety.panels import Panel
from posts.views.today import todays_posts
from schools.models import School


def posts_today(section):
    # Today's posts with their one-tap "log as rostered" buttons, right on the home page.
    schools = School.objects.for_user(section.user, roles={section.role})
    return {"posts_today": todays_posts(section.user, schools, section.today)}


PANELS = [
    # Logging the morning post is the first thing done at the gate: before the school card.
    Panel(SCHOOL_STAFF, "posts/_home_today.html", posts_today, order=10),
    Panel(
        frozenset({Role.ADMIN, Role.CITY_STAFF, Role.DISTRICT_STAFF}),
        "posts/_home_bureau.html",
        order=20,
    ),
    Panel(frozenset({Role.POLICE_LIAISON}), "posts/_home_police.html", order=10),
]
