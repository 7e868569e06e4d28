"""`{% dashboards_nav %}`: the dashboards in the navigation, for bureau staff (no query: the
scope the page's view built is cached on the user)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scope import BUREAU, Scope

register = template.Library()


@register.inclusion_tag("includes/nav_links.html", takes_context=True)
def dashboards_nav(context):
    request = context.get("request")
    if request is None:
        return {"links": []}
    scope = Scope.of(request.user)
    links = []
    if scope.is_admin or scope.has_role(*BUREAU):
        links.append((reverse("dashboards:city"), _("Dashboard")))
        links.append((reverse("dashboards:today"), _("Today's board")))
    return {"links": links, "path": request.path}


@register.filter
def shown(cell):
    """A cell's value as the grid shows it: 96% for a share, 3 for a count, — for no data."""
    measure = cell.measure
    if measure is None or measure.value is None:
        return "—"
    if measure.denominator is None:
        return f"{measure.numerator}"
    return f"{measure.value:.0f}%"


@register.filter
def detail(cell):
    """A share's numerator and denominator (12/13), for the cell's title and the printed page."""
    measure = cell.measure
    if measure is None:
        return _("no data")
    if measure.denominator is None:
        return f"{measure.numerator}"
    return f"{measure.numerator}/{measure.denominator}"
