"""`{% chart some_chart %}`: a campussafety.charts.Chart drawn as SVG beside a table of its numbers.

Loaded as `{% load charts %}` (registered in settings' TEMPLATES libraries), so
every app draws a chart the same way without loading another app's tags.
"""

from django import template

register = template.Library()


@register.inclusion_tag("includes/chart.html")
def chart(chart):
    return {"chart": chart}
