"""`{% date_presets "start" "end" %}`: the preset ranges beside a date-range filter.

Every date-range filter (coverage, missed days, duty logs, drill compliance,
dashboards) shows the same presets, computed in one place
(campussafety.dates.range_presets) with the terms of the user's calendar
(schools.calendar.current_terms). Each preset is a plain link to the same page
with the range replaced, so it works without JavaScript and keeps the other filters.
"""

from django import template
from django.utils import timezone

from campussafety.dates import range_presets
from schools.calendar import current_terms

register = template.Library()


@register.inclusion_tag("includes/date_presets.html", takes_context=True)
def date_presets(context, start_name="start", end_name="end"):
    request = context["request"]
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    chosen = (query.get(start_name), query.get(end_name))
    links = []
    for key, label, (start, end) in range_presets(today, current_terms(request.user, today)):
        query[start_name], query[end_name] = start.isoformat(), end.isoformat()
        links.append(
            {
                "key": key,
                "label": label,
                "query": query.urlencode(),
                "active": chosen == (start.isoformat(), end.isoformat()),
            }
        )
    return {"links": links}
