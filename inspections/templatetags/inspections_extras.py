"""Template helpers of the inspection pages: a window's status badge, and the navigation."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from schools.choices import WindowStatus

register = template.Library()


@register.inclusion_tag("inspections/_status.html")
def status_badge(status):
    return {"status": status, "label": WindowStatus(status).label}


@register.filter
def get_count(counts, key):
    return counts.get(key, 0)


@register.inclusion_tag("inspections/_nav.html", takes_context=True)
def inspections_nav(context):
    """The inspection pages the user's roles open, as navigation links (no query: cached scope)."""
    request = context.get("request")
    if request is None:
        return {"links": []}
    scope = Scope.of(request.user)
    links = []
    if scope.has_role(*SCHOOL_STAFF):
        links.append((reverse("inspections:board-choice"), _("Inspections")))
    if scope.is_admin or scope.has_role(*BUREAU):
        links.append((reverse("inspections:completion"), _("Inspection completion")))
    if scope.roles:
        links.append((reverse("inspections:templates"), _("Checklists")))
    if scope.roles - {Role.GUARD}:
        links.append((reverse("inspections:hazards"), _("Hazard ledger")))
    if scope.is_admin or scope.has_role(*BUREAU):
        links.append((reverse("inspections:hazard-overview"), _("Hazards by school")))
    return {"links": links, "path": request.path}
