"""The inspections panels on the home page: the board for school staff, completion for bureaus,
a guard's latest rounds for guards; the hazard ledger for all but guards (links, no query)."""

from accounts.choices import Role
from accounts.scope import GUARD, SCHOOL_STAFF
from campussafety.panels import FILE_SECTION_TEMPLATE, SCHOOL_FILE, FileSection, ObjectPanel, Panel
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


def file_hazards(user, school):
    """The school file's open hazards, soonest deadline first: one query."""
    from django.utils.translation import gettext_lazy as _

    from inspections.choices import OPEN_STATES
    from inspections.models import Hazard

    hazards = (
        Hazard.objects.for_user(user)
        .filter(school=school, state__in=OPEN_STATES)
        .select_related("checkpoint")
        .order_by("deadline", "pk")
    )
    return FileSection(
        title=_("Open hazards"),
        header=[_("Ledger number"), _("Description"), _("Level"), _("Deadline"), _("Status")],
        rows=[
            [
                h.ledger_number,
                h.description,
                h.get_level_display(),
                h.deadline or "",
                h.get_state_display(),
            ]
            for h in hazards
        ],
        empty=_("No open hazard."),
    ).as_context()


OBJECT_PANELS = [ObjectPanel(SCHOOL_FILE, FILE_SECTION_TEMPLATE, file_hazards, order=20)]
