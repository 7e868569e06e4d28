"""The inspections panels on the home page: the board for school staff, completion for bureaus,
a guard's latest rounds for guards; the hazard ledger for all but guards (links, no query)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import GUARD, SCHOOL_STAFF
from campussafety.panels import (
    FILE_SECTION_TEMPLATE,
    SCHOOL_FILE,
    FileSection,
    ObjectPanel,
    Panel,
    TodayItem,
)
from inspections.choices import UNRECTIFIED_STATES
from inspections.models import Hazard, Round
from schools.models import ObligationWindow
from schools.obligation_rates import ensure_windows


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


def patrols_late(user, schools, now, limit):
    """Today's inspection windows past their due time with nothing done yet: three
    queries (the windows checked, the count, the page) whatever the number of schools."""
    today = timezone.localdate(now)
    ensure_windows(schools, today, today)
    late = ObligationWindow.objects.filter(
        school__in=schools.order_by().values("pk"),
        date=today,
        rule__domain="inspections",
        due_at__lt=now,
        satisfied_at__isnull=True,
        excused=False,
    )
    rows = [
        {
            "school": window.school.name,
            "what": window.rule.name,
            "when": timezone.localtime(window.due_at).strftime("%H:%M"),
            "url": reverse("inspections:board", args=[window.school_id]),
        }
        for window in late.select_related("school", "rule").order_by("due_at", "school__name")[
            :limit
        ]
    ]
    return late.count(), rows


def hazards_due_today(user, schools, now, limit):
    """Hazards still owed whose rectification deadline is today."""
    due = Hazard.objects.for_user(user).filter(
        school__in=schools.order_by().values("pk"),
        state__in=UNRECTIFIED_STATES,
        deadline=timezone.localdate(now),
    )
    rows = [
        {
            "school": hazard.school.name,
            "what": str(hazard),
            "when": None,
            "url": reverse("inspections:hazard", args=[hazard.pk]),
        }
        for hazard in due.select_related("school").order_by("school__name", "pk")[:limit]
    ]
    return due.count(), rows


TODAY = [
    TodayItem("inspections.patrols_late", _("Patrols late"), patrols_late, order=20),
    TodayItem("inspections.hazards_due", _("Hazards due today"), hazards_due_today, order=30),
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
