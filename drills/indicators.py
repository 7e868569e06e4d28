"""What the drills app lets a bureau measure: drills held against the requirements.

The term's windows of the drill requirements (obligations of the "drills"
domain) counted by schools.obligation_rates.school_rates, as on the bureau's
compliance page: one aggregate whatever the number of schools.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campussafety.indicators import Indicator, Measure, Unit, moment, page_url
from drills.views.calendar import half_year
from schools.obligation_rates import school_rates

DOMAIN = "drills"


def term_bounds(as_of):
    """The half-year (term) around as_of, up to as_of."""
    start, end = half_year(as_of)
    return start, min(end, as_of)


def drill_measures(schools, as_of):
    """Requirement windows of the term done (or done late), of those due by as_of."""
    start, end = term_bounds(as_of)
    rows = school_rates(schools, start, end, domain=DOMAIN, now=moment(as_of))
    return {pk: Measure(row.done + row.late, row.counted) for pk, row in rows.items()}


def _compliance(school_id, as_of):
    start, end = half_year(as_of)
    return page_url(reverse("drills:compliance"), school=school_id, start=start, end=end)


INDICATORS = [
    Indicator(
        code="drills.done",
        name=_("Drills done against requirements"),
        unit=Unit.PERCENT,
        rule=_("Drills the term's requirements ask for, held by their deadlines (term to date)."),
        source="中小学幼儿园应急疏散演练指南 (教育部 2014): 每月至少一次疏散演练; CHECKS.md §4",
        compute=drill_measures,
        evidence=_compliance,
        target=100.0,
        order=50,
    ),
]
