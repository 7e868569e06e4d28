"""The inspections panels on the home page: the board for school staff, completion for bureaus,
a guard's latest rounds for guards; the hazard ledger for all but guards (links, no query)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import GUARD, SCHOOL_STAFF
from campussafety.panels import Panel, TodayItem
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
