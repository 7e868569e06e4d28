"""Template helpers for the posts pages: personal data on display and the navigation."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from campussafety import personal
from posts.models import Member

register = template.Library()


@register.filter
def shown_phone(member):
    """The member's phone in full only when the queryset said the user may see it
    (MemberQuerySet.with_phone_visibility); masked otherwise."""
    if getattr(member, "phone_visible", False):
        return member.phone
    return personal.mask_phone(member.phone)


@register.filter
def masked(number):
    """A certificate or police number on a page: never in full (campussafety.personal)."""
    return personal.mask_number(number)


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
    # A guard's role reaches no posts data (only their rounds): no empty pages.
    if scope.roles - {Role.GUARD}:
        links.append((reverse("posts:roster"), _("Rosters")))
        links.append((reverse("posts:members"), _("Members")))
    if scope.can(Member, "verify"):
        links.append((reverse("posts:verify"), _("Verify members")))
    if scope.is_admin or scope.has_role(*BUREAU, Role.PRINCIPAL):
        links.append((reverse("posts:coverage"), _("Coverage")))
    return {"links": links, "path": request.path}
