"""The inspections panel on the home page: a guard's latest rounds.

The guards page and the checkpoint codes (inspections:guards, inspections:qr-sheet)
are for the school's inspection board to link to; school staff get no second panel.
"""

from accounts.scope import GUARD
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


PANELS = [Panel(GUARD, "inspections/_home_guard.html", guard_rounds, order=10)]
