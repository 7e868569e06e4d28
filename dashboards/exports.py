"""The dashboards' export: the grid as the page shows it, as .xlsx or CSV.

Through the shared export mechanism (reminders/exports.py, campussafety/exports.py):
the builder takes the user and the page's query (with `district` for a
district's dashboard), builds the same rows as the page and names the as-of date.
"""

from functools import partial

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

from campussafety.exports import Column, Table
from dashboards import grid
from dashboards.access import bureau_schools, district_of
from dashboards.forms import AsOfForm
from dashboards.models import IndicatorSnapshot


def cell_value(index, row):
    """A cell as a number (a share in per cent to one decimal, or a count), empty for no data."""
    measure = row.cells[index].measure
    if measure is None or measure.value is None:
        return ""
    return round(measure.value, 1)


def dashboard_table(user, query) -> Table:
    indicators = grid.dashboard_indicators()
    form = AsOfForm(query, indicators=indicators)
    if not form.is_valid():
        raise BadRequest("; ".join(str(e) for errors in form.errors.values() for e in errors))
    as_of = form.cleaned_data["as_of"]
    schools = bureau_schools(user)
    district = district_of(user, query.get("district"))
    if district is not None:
        schools = schools.filter(district=district)
        rows = grid.school_rows(indicators, schools, as_of, lambda pk: "")
        first, name = _("School"), f"dashboard-district-{district.code}"
        title = _("Campus safety dashboard · %(place)s") % {"place": district.name}
    else:
        rows = grid.district_rows(indicators, schools, as_of, lambda *a: "", lambda pk: "")
        first, name = _("District"), "dashboard"
        title = _("Campus safety dashboard")
    columns = [Column(first, lambda row: row.label)] + [
        Column(
            f"{indicator.name}{' (%)' if indicator.unit == 'percent' else ''}",
            partial(cell_value, index),
        )
        for index, indicator in enumerate(indicators)
    ]
    return Table(
        name=name, title=title, columns=columns, rows=rows, model=IndicatorSnapshot, as_of=as_of
    )
