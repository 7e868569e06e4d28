"""The dashboards' exports: the grid as the page shows it, and the proof behind a cell, as
.xlsx or CSV.

Through the shared export mechanism (campussafety/export_views.py, campussafety/exports.py):
each builder takes the user and the page's query (with `district` for a
district's dashboard), builds the same rows as the page and names the as-of
date, in the first column's header too: a CSV has no title rows to carry it.
"""

from functools import partial

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.translation import gettext as _

from campussafety.exports import PLACE_HEADERS, Column, Table
from campussafety.indicators import declared_indicator
from dashboards import grid
from dashboards.access import bureau_schools, district_of
from dashboards.forms import AsOfForm
from dashboards.models import IndicatorSnapshot


def cell_value(index, row):
    """A cell as a number (a share in per cent to one decimal, or a count), empty for no data."""
    return measure_value(row.cells[index].measure)


def measure_value(measure):
    if measure is None or measure.value is None:
        return ""
    return round(measure.value, 1)


def as_of_date(query, indicators):
    """The as-of date the page's form reads from `query`; a 400 saying why when it is not one."""
    form = AsOfForm(query, indicators=indicators)
    if not form.is_valid():
        raise BadRequest("; ".join(str(e) for errors in form.errors.values() for e in errors))
    return form.cleaned_data["as_of"]


def dated(header, as_of):
    return _("%(header)s (as of %(date)s)") % {"header": header, "date": as_of.isoformat()}


def dashboard_table(user, query) -> Table:
    indicators = grid.dashboard_indicators()
    as_of = as_of_date(query, indicators)
    schools = bureau_schools(user)
    district = district_of(user, query.get("district"))
    if district is not None:
        schools = schools.filter(district=district)
        rows = grid.school_rows(indicators, schools, as_of, lambda pk: "")
        first, name = PLACE_HEADERS["school"], f"dashboard-district-{district.code}"
        title = _("Campus safety dashboard · %(place)s") % {"place": district.name}
    else:
        rows = grid.district_rows(indicators, schools, as_of, lambda *a: "", lambda pk: "")
        first, name = PLACE_HEADERS["district"], "dashboard"
        title = _("Campus safety dashboard")
    columns = [Column(dated(first, as_of), lambda row: row.label)] + [
        Column(
            f"{indicator.name}{' (%)' if indicator.unit == 'percent' else ''}",
            partial(cell_value, index),
        )
        for index, indicator in enumerate(indicators)
    ]
    return Table(
        name=name, title=title, columns=columns, rows=rows, model=IndicatorSnapshot, as_of=as_of
    )


def proof_table(user, query) -> Table:
    """The proof page's schools (?code= the indicator, ?district=): those below the target,
    then those without data, each with its measure."""
    indicator = declared_indicator(query.get("code") or "")
    if indicator is None:
        raise Http404
    schools = bureau_schools(user)
    district = district_of(user, query.get("district"))
    if district is not None:
        schools = schools.filter(district=district)
    as_of = as_of_date(query, [indicator])
    failing, missing = grid.failing_schools(indicator, schools, as_of)
    below, no_data = _("Below the target"), _("No data")
    rows = [(school, below) for school in failing] + [(school, no_data) for school in missing]

    def part(name):
        return lambda row: getattr(row[0]["measure"], name, None)

    return Table(
        name=f"proof-{indicator.code}",
        title=indicator.name if district is None else f"{indicator.name} · {district.name}",
        model=IndicatorSnapshot,
        as_of=as_of,
        rows=rows,
        columns=[
            Column(dated(PLACE_HEADERS["school"], as_of), lambda row: row[0]["name"]),
            Column(_("State"), lambda row: row[1]),
            Column(_("Value"), lambda row: measure_value(row[0]["measure"])),
            Column(_("Counted"), part("numerator")),
            Column(_("Out of"), part("denominator")),
        ],
    )
