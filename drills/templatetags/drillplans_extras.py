"""Navigation to the emergency plan, training and drill record pages (no query: cached scope)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import SCHOOL_STAFF, Scope

register = template.Library()


@register.inclusion_tag("drills/plans/_nav.html", takes_context=True)
def drillplans_nav(context):
    """Plans and training for every role; the term's records of the user's school or district."""
    request = context.get("request")
    if request is None:
        return {"links": []}
    scope = Scope.of(request.user)
    if not scope.roles - {Role.GUARD}:
        return {"links": []}
    links = [
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
    return {"links": links, "path": request.path}
