"""Template helpers of the equipment pages: the navigation links."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scope import BUREAU, SCHOOL_STAFF, Scope

register = template.Library()


@register.inclusion_tag("equipment/_nav.html", takes_context=True)
def equipment_nav(context):
    """The equipment pages the user's roles open (no query: the scope is cached)."""
    request = context.get("request")
    if request is None:
        return {"links": []}
    scope = Scope.of(request.user)
    links = []
    if scope.has_role(*SCHOOL_STAFF):
        links.append((reverse("equipment:board-choice"), _("Equipment")))
    if scope.is_admin or scope.has_role(*BUREAU):
        links.append((reverse("equipment:compliance"), _("Kit compliance")))
    return {"links": links, "path": request.path}
