"""The dashboards' grid: a row per district (or school), a column per declared indicator.

The values come from dashboards/values.py, the layer the API and the exports
share: a past day from the nightly snapshots in one GROUP BY, today (or a day
never snapshotted) from each indicator's compute(). A district's cell adds up
its schools' numerators and denominators there (a share is never an average of
shares). So the grid costs a query for its rows' names plus the values' own,
whatever the number of schools. The "four 100%" come first, then the rest in
their declared order.
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse

from campussafety import indicators as declarations
from campussafety.indicators import Indicator, Measure
from dashboards import values as indicator_values


def dashboard_indicators() -> list[Indicator]:
    """The declared indicators in dashboard order: the four 100% (1 to 4) first."""
    return sorted(
        declarations.declared_indicators(),
        key=lambda item: (item.four_100 is None, item.four_100 or 0, item.order, item.code),
    )


def rule_pages(indicators) -> list[tuple[str, str]]:
    """(indicator name, URL) of the pages keeping the indicators' rules as data (a city's
    guard rule), linked beside the grid so a bureau sees, and city staff change, the rule."""
    return [
        (indicator.name, reverse(indicator.rule_page))
        for indicator in indicators
        if indicator.rule_page
    ]


@dataclass
class Cell:
    indicator: Indicator
    measure: Measure | None
    # The proof: the records (one school) or the schools making it red (a district).
    url: str = ""

    @property
    def met(self) -> bool | None:
        return self.indicator.meets_target(self.measure)

    @property
    def colour(self) -> str:
        """The Bootstrap colour of the cell: green met, red not met, grey no data."""
        return {True: "success", False: "danger"}.get(self.met, "secondary")


@dataclass
class Row:
    key: int
    label: str
    cells: list[Cell]
    # The school's page (its file, or its row) or the district's dashboard.
    url: str = ""


def add_up(measures) -> Measure | None:
    """The sum of some places' measures; None when none has data."""
    measures = [measure for measure in measures if measure is not None]
    if not measures:
        return None
    if any(measure.denominator is None for measure in measures):
        return Measure(sum(measure.numerator for measure in measures))
    return Measure(
        sum(measure.numerator for measure in measures),
        sum(measure.denominator for measure in measures),
    )


def measures_by_place(indicators, schools, as_of, group_by) -> dict:
    """{(code, place id): Measure} from the shared values layer."""
    codes = [indicator.code for indicator in indicators]
    if not codes:
        return {}
    rows = indicator_values.values(schools, codes, as_of, group_by)
    return {key: row.measure for key, row in indicator_values.rows_by_key(rows).items()}


def district_rows(indicators, schools, as_of, cell_url, row_url) -> list[Row]:
    """A row per district of `schools` (a scoped queryset), even one without data."""
    places = list(
        schools.order_by("district__code", "district_id")
        .values_list("district_id", "district__name")
        .distinct()
    )
    measures = measures_by_place(indicators, schools, as_of, "district")
    return [
        Row(
            district_id,
            name,
            [
                Cell(
                    indicator,
                    measures.get((indicator.code, district_id)),
                    cell_url(indicator, district_id),
                )
                for indicator in indicators
            ],
            row_url(district_id),
        )
        for district_id, name in places
    ]


def school_rows(indicators, schools, as_of, row_url, places=None) -> list[Row]:
    """A row per school of `schools`, each cell linking to the school's evidence.

    `places`: (pk, name) of the schools to show, a page of them; all of them
    when None. The values are read for those schools alone.
    """
    if places is None:
        info = list(schools.order_by("name", "pk").values_list("pk", "name"))
        shown = schools
    else:
        info = list(places)
        shown = schools.filter(pk__in=[pk for pk, _name in info])
    measures = measures_by_place(indicators, shown, as_of, "school")
    return [
        Row(
            pk,
            name,
            [
                Cell(
                    indicator,
                    measures.get((indicator.code, pk)),
                    indicator.evidence(pk, as_of) if indicator.evidence else "",
                )
                for indicator in indicators
            ],
            row_url(pk),
        )
        for pk, name in info
    ]


def totals(indicators, rows: list[Row]) -> list[Cell]:
    """The whole area's cells: its rows' measures added up."""
    return [
        Cell(indicator, add_up(row.cells[index].measure for row in rows))
        for index, indicator in enumerate(indicators)
    ]


def area_totals(indicators, schools, as_of) -> list[Cell]:
    """The cells of all of `schools` together (one city's or district's), from the values
    layer grouped by city: the total of a paged table, whose rows are a page."""
    measures = measures_by_place(indicators, schools, as_of, "city")
    by_code = {}
    for (code, _city), measure in measures.items():
        by_code.setdefault(code, []).append(measure)
    return [Cell(indicator, add_up(by_code.get(indicator.code, ()))) for indicator in indicators]


def failing_schools(indicator, schools, as_of):
    """The schools of `schools` not meeting `indicator`, then those without data: the proof
    behind a red cell, each with its evidence URL."""
    measures = measures_by_place([indicator], schools, as_of, "school")
    failing, missing = [], []
    for pk, name in schools.order_by("name", "pk").values_list("pk", "name"):
        measure = measures.get((indicator.code, pk))
        met = indicator.meets_target(measure)
        if met:
            continue
        entry = {
            "pk": pk,
            "name": name,
            "measure": measure,
            "url": indicator.evidence(pk, as_of) if indicator.evidence else "",
        }
        (missing if met is None else failing).append(entry)
    return failing, missing


def trend_series(indicator, schools, as_of, group_by, days=30):
    """(day labels, [(place name, [value per day])]) of `indicator` over the `days` days
    ending on `as_of`, from the snapshots (one GROUP BY)."""
    start = as_of - datetime.timedelta(days=days - 1)
    rows = indicator_values.trend(indicator.code, schools, start, as_of, group_by)
    dates = [start + datetime.timedelta(days=n) for n in range(days)]
    names, series = {}, {}
    for row in rows:
        names[row.key] = row.label
        series.setdefault(row.key, {})[row.date] = row.value
    return (
        [day.strftime("%m-%d") for day in dates],
        [(names[key], [by_day.get(day) for day in dates]) for key, by_day in series.items()],
    )
