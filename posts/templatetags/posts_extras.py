"""Template helpers for the posts pages: personal data on display, rates, and the navigation."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from campussafety import personal
from posts.models import Member

register = template.Library()

# A coverage rate at or above this is shown green, at or above WARNING amber, else red.
GOOD_RATE = 0.95
WARNING_RATE = 0.8


@register.filter
def shown_phone(member):
    """The member's phone in full only when the queryset said the user may see it
    (MemberQuerySet.with_phone_visibility); masked otherwise."""
    if getattr(member, "phone_visible", False):
        return member.phone
    return personal.mask_phone(member.phone)


@register.filter
def percent(value):
    """0.8 → 80%; no value (no school days, nobody present) → —."""
    if value is None:
        return "—"
    return f"{value * 100:.0f}%"


@register.filter
def bar_width(value):
    """A rate as a CSS width, 0 to 100."""
    return 0 if value is None else round(min(max(value, 0), 1) * 100)


@register.filter
def rate_colour(value):
    """The Bootstrap colour of a rate: success, warning or danger."""
    if value is None:
        return "secondary"
    if value >= GOOD_RATE:
        return "success"
    if value >= WARNING_RATE:
        return "warning"
    return "danger"


@register.inclusion_tag("posts/_nav.html", takes_context=True)
def posts_nav(context):
    """The posts pages the user's roles open, as navigation links.

    The scope is the one the page's view built (cached on the user), so this
    adds no query.
    """
    request = context.get("request")
    if request is None:
        # The server error page renders without a request.
        return {"links": []}
    scope = Scope.of(request.user)
    links = []
    if scope.has_role(*SCHOOL_STAFF):
        links.append((reverse("posts:today"), _("Today's posts")))
    if scope.has_role(Role.POLICE_LIAISON):
        links.append((reverse("posts:police"), _("My schools today")))
    if scope.roles:
        links.append((reverse("posts:roster"), _("Rosters")))
        links.append((reverse("posts:members"), _("Members")))
    if scope.can(Member, "verify"):
        links.append((reverse("posts:verify"), _("Verify members")))
    if scope.is_admin or scope.has_role(*BUREAU, Role.PRINCIPAL):
        links.append((reverse("posts:coverage"), _("Coverage")))
    return {"links": links, "path": request.path}
