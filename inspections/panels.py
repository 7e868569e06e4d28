"""The inspections panels on the home page: the board for school staff, completion for bureaus,
a guard's latest rounds for guards; the hazard ledger for all but guards (links, no query)."""

from accounts.choices import Role
from accounts.scope import GUARD, SCHOOL_STAFF
from campussafety.panels import Panel
from inspections.models import Round


def guard_rounds(section):
    # The guard's own rounds (for_user reaches no one else's), newest first.
    rounds = list(
        Round.objects.for_user(section.user, roles={section.role})
        .select_related("rule__obligation", "school")
        .order_by("-started_at")[:5]
    )
    return {"inspections_rounds": rounds}


PANELS = [
    Panel(SCHOOL_STAFF, "inspections/_home_school.html", order=15),
    Panel(
        frozenset({Role.ADMIN, Role.CITY_STAFF, Role.DISTRICT_STAFF}),
        "inspections/_home_bureau.html",
        order=25,
    ),
    Panel(GUARD, "inspections/_home_guard.html", guard_rounds, order=10),
    Panel(frozenset({Role.POLICE_LIAISON}), "inspections/_home_police.html", order=25),
]
