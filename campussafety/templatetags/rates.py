"""Rates on any page (coverage, inspection completion): as a percentage, a bar and a colour.

Loaded as `{% load rates %}` (registered in settings' TEMPLATES libraries), so
every app shows a rate the same way without loading another app's tags.
"""

from django import template

register = template.Library()

# A coverage rate at or above this is shown green, at or above WARNING amber, else red.
GOOD_RATE = 0.95
WARNING_RATE = 0.8


def _number(value):
    # A row without a rate (nothing due yet) reaches the template as None, or as
    # the empty string when the rate itself is missing: both show as no rate.
    return value if isinstance(value, int | float) else None


@register.filter
def percent(value):
    """0.8 → 80%; no value (no school days, nobody present) → —."""
    value = _number(value)
    if value is None:
        return "—"
    return f"{value * 100:.0f}%"


@register.filter
def bar_width(value):
    """A rate as a CSS width, 0 to 100."""
    value = _number(value)
    return 0 if value is None else round(min(max(value, 0), 1) * 100)


@register.filter
def rate_colour(value):
    """The Bootstrap colour of a rate: success, warning or danger."""
    value = _number(value)
    if value is None:
        return "secondary"
    if value >= GOOD_RATE:
        return "success"
    if value >= WARNING_RATE:
        return "warning"
    return "danger"
