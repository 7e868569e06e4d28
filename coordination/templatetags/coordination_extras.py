"""`{% coordination_nav %}`: meetings, the instability register and legal vice-presidents in
the navigation, each for the roles that use it (no query: the scope the page's view built
is cached on the user). `window_badge`: the colour of a meeting period's status."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from schools.choices import WindowStatus

register = template.Library()

BADGES = {
    WindowStatus.DONE: "text-bg-success",
    WindowStatus.LATE: "text-bg-success",
    WindowStatus.MISSED: "text-bg-danger",
    WindowStatus.OPEN: "text-bg-primary",
}


@register.filter
def window_badge(status):
    """The Bootstrap badge class of a period's status; upcoming ones stay plain."""
    return BADGES.get(status, "text-bg-light border")


@register.inclusion_tag("includes/nav_links.html", takes_context=True)
def coordination_nav(context):
    request = context.get("request")
    if request is None:
        return {"links": []}
    scope = Scope.of(request.user)
    links = []
    if scope.is_admin or scope.has_role(*BUREAU, *SCHOOL_STAFF, Role.POLICE_LIAISON):
        links.append((reverse("coordination:meetings"), _("Security meetings")))
    if scope.is_admin or scope.has_role(*BUREAU, Role.POLICE_LIAISON):
        links.append((reverse("coordination:factors"), _("Instability register")))
    elif scope.has_role(*SCHOOL_STAFF):
        links.append((reverse("coordination:factor-report"), _("Report a factor")))
    if scope.is_admin or scope.has_role(*BUREAU):
        links.append((reverse("coordination:cadence"), _("Meeting cadence")))
        links.append((reverse("coordination:legal"), _("Legal vice-presidents")))
    return {"links": links, "path": request.path}
