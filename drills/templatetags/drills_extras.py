"""Template helpers of the drill pages: a period's status label, and the navigation."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
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


@register.inclusion_tag("drills/_nav.html", takes_context=True)
def drills_nav(context):
    """The drill pages the user's roles open, as navigation links (no query: cached scope)."""
    request = context.get("request")
    if request is None:
        return {"links": []}
    scope = Scope.of(request.user)
    links = []
    if scope.has_role(*SCHOOL_STAFF):
        links.append((reverse("drills:calendar-choice"), _("Drills")))
    if scope.is_admin or scope.has_role(*BUREAU):
        links.append((reverse("drills:compliance"), _("Drill compliance")))
    return {"links": links, "path": request.path}
