"""The dashboards' grid: a row per district (or school), a column per declared indicator.

Each indicator computes every school's measure in a constant number of queries
(campussafety.indicators); a district's cell adds up its schools' numerators and
denominators (a share is never an average of shares). So the grid costs one
query for the schools' districts plus each indicator's own, whatever the
number of schools. The "four 100%" come first, then the rest in their declared order.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from campussafety import indicators as declarations
from campussafety.indicators import Indicator, Measure


def dashboard_indicators() -> list[Indicator]:
    """The declared indicators in dashboard order: the four 100% (1 to 4) first."""
    return sorted(
        declarations.declared_indicators(),
        key=lambda item: (item.four_100 is None, item.four_100 or 0, item.order, item.code),
    )


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
    """The sum of some schools' measures; None when none has data."""
    measures = [measure for measure in measures if measure is not None]
    if not measures:
        return None
    if any(measure.denominator is None for measure in measures):
        return Measure(sum(measure.numerator for measure in measures))
    return Measure(
        sum(measure.numerator for measure in measures),
        sum(measure.denominator for measure in measures),
    )


def school_values(indicators, schools, as_of: datetime.date) -> dict[str, dict[int, Measure]]:
    """{indicator code: {school id: Measure}}: each indicator's own few queries."""
    return {indicator.code: indicator.compute(schools, as_of) for indicator in indicators}


def grouped(values, places: dict[int, int]) -> dict[str, dict[int, Measure | None]]:
    """The schools' values added up by place ({school id: place id})."""
    result = {}
    for code, by_school in values.items():
        by_place = defaultdict(list)
        for school_id, measure in by_school.items():
            if school_id in places:
                by_place[places[school_id]].append(measure)
        result[code] = {place: add_up(measures) for place, measures in by_place.items()}
    return result


def district_rows(indicators, schools, as_of, cell_url, row_url) -> list[Row]:
    """A row per district of `schools` (a scoped queryset): one query for the districts."""
    info = list(
        schools.order_by("district__code", "district_id").values_list(
            "pk", "district_id", "district__name"
        )
    )
    places = {pk: district_id for pk, district_id, _name in info}
    names = {district_id: name for _pk, district_id, name in info}
    values = grouped(school_values(indicators, schools, as_of), places)
    return [
        Row(
            district_id,
            name,
            [
                Cell(
                    indicator,
                    values[indicator.code].get(district_id),
                    cell_url(indicator, district_id),
                )
                for indicator in indicators
            ],
            row_url(district_id),
        )
        for district_id, name in names.items()
    ]


def school_rows(indicators, schools, as_of, row_url) -> list[Row]:
    """A row per school of `schools`, each cell linking to the school's evidence."""
    info = list(schools.order_by("name", "pk").values_list("pk", "name"))
    values = school_values(indicators, schools, as_of)
    return [
        Row(
            pk,
            name,
            [
                Cell(
                    indicator,
                    values[indicator.code].get(pk),
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


def failing_schools(indicator, schools, as_of):
    """The schools of `schools` not meeting `indicator`, then those without data: the proof
    behind a red cell, each with its evidence URL. One query beside the indicator's."""
    values = indicator.compute(schools, as_of)
    failing, missing = [], []
    for pk, name in schools.order_by("name", "pk").values_list("pk", "name"):
        measure = values.get(pk)
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
