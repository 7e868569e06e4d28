"""Template helpers of the drill pages: a period's status label, a requirement's terms in
words, and the navigation."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.choices import Role
from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from campussafety.forms import DaysField
from drills import requirements
from schools.choices import WindowStatus

register = template.Library()


@register.filter
def status_label(status):
    return WindowStatus(status).label


@register.filter
def clock(seconds):
    """Seconds as the stopwatch shows them, m:ss (static/js/drills.js writes the same)."""
    if seconds is None or seconds == "":
        return "0:00"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def listed(items) -> str:
    # "a, b" in English, "a、b" in Chinese.
    return pgettext("between the items of a list", ", ").join(items)


@register.filter
def applies_to(rule):
    """Which schools an obligation rule asks it of, as written: "Primary school, ..."."""
    return listed(requirements.applies_to(rule))


@register.filter
def drill_types(requirement):
    """The drill types that count towards a requirement ("" for any type)."""
    return listed(requirements.drill_type_labels(requirement))


@register.filter
def days(duration):
    """A duration as the requirement forms take it: a number of days."""
    return DaysField().prepare_value(duration)


@register.inclusion_tag("drills/_nav.html", takes_context=True)
def drills_nav(context):
    """One drills menu of the pages the user's roles open (no query: cached scope).

    School staff plan on the calendar, the bureaus follow compliance; every role
    but the guard reads the requirements, plans and training; the term's records are those of the
    user's school, else of their district.
    """
    request = context.get("request")
    if request is None:
        return {"links": []}
    scope = Scope.of(request.user)
    links = []
    if scope.has_role(*SCHOOL_STAFF):
        links.append((reverse("drills:calendar-choice"), _("Drill calendar")))
    if scope.is_admin or scope.has_role(*BUREAU):
        links.append((reverse("drills:compliance"), _("Drill compliance")))
    if scope.roles - {Role.GUARD}:
        links += [
            (reverse("drills:requirements"), _("Drill requirements")),
            (reverse("drillplans:plans"), _("Emergency plans")),
            (reverse("drillplans:training"), _("Training sessions")),
        ]
    school = next((g.school_id for g in scope.grants if g.role in SCHOOL_STAFF), None)
    district = next((g.district_id for g in scope.grants if g.role == Role.DISTRICT_STAFF), None)
    if school:
        links.append((reverse("drillplans:records-school", args=[school]), _("Drill records")))
    elif district:
        links.append(
            (reverse("drillplans:records-district", args=[district]), _("Drills of the term"))
        )
    return {
        "links": links,
        "path": request.path,
        "active": any(request.path == url for url, _label in links),
    }
