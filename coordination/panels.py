"""What coordination shows on the home page (campussafety/panels.py): each owner's open
action items, and on the police home the count of their schools' active factors by risk
(counts only: a factor's content is read on its page, where the read is logged)."""

from django.db.models import Count

from accounts.choices import Role
from campussafety.panels import Panel
from coordination.choices import RiskLevel
from coordination.models import ActionItem, Factor

# The items listed on the home page; the list page has them all.
LISTED = 8
OWNERS = frozenset({Role.CITY_STAFF, Role.DISTRICT_STAFF, Role.PRINCIPAL, Role.SAFETY_OFFICER})


def my_action_items(section):
    """One query: the open items the user or their unit owns, overdue computed, soonest first."""
    items = list(
        ActionItem.objects.for_user(section.user)
        .owned_by(section.user)
        .open()
        .with_overdue(section.today)
        .select_related("meeting")
        .order_by("due_on", "pk")[: LISTED + 1]
    )
    return {"coordination_items": items[:LISTED], "coordination_more": len(items) > LISTED}


def police_factors(section):
    """One query: the station's schools' active factors counted by risk, highest first."""
    counts = dict(
        Factor.objects.for_user(section.user, roles={Role.POLICE_LIAISON})
        .active()
        .order_by()
        .values_list("risk")
        .annotate(n=Count("pk"))
    )
    return {
        "coordination_factor_counts": [
            (level.label, counts.get(level.value, 0)) for level in reversed(RiskLevel)
        ]
    }


PANELS = [
    Panel(OWNERS, "coordination/_home_items.html", my_action_items, order=40),
    Panel(
        frozenset({Role.POLICE_LIAISON}), "coordination/_home_police.html", police_factors, order=40
    ),
]
