"""The equipment panels on the home page: the board for school staff, compliance for bureaus."""

from accounts.choices import Role
from accounts.scope import SCHOOL_STAFF
from campussafety.panels import Panel

PANELS = [
    Panel(SCHOOL_STAFF, "equipment/_home_school.html", order=18),
    Panel(
        frozenset({Role.ADMIN, Role.CITY_STAFF, Role.DISTRICT_STAFF}),
        "equipment/_home_bureau.html",
        order=28,
    ),
]
