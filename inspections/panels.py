"""The inspections panels on the home page: the board for school staff, completion for bureaus."""

from accounts.choices import Role
from accounts.scope import SCHOOL_STAFF
from campussafety.panels import Panel

PANELS = [
    Panel(SCHOOL_STAFF, "inspections/_home_school.html", order=15),
    Panel(
        frozenset({Role.ADMIN, Role.CITY_STAFF, Role.DISTRICT_STAFF}),
        "inspections/_home_bureau.html",
        order=25,
    ),
]
