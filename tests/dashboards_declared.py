"""Indicators declared for the dashboard tests, computed from the test world's schools.

Real queries on the schools (one per indicator, whatever their number), so the
grid, the proof and the query counts are tested without depending on which
domain apps have declared their indicators yet.
"""

from contextlib import ExitStack
from unittest import mock

from django.urls import reverse

from campussafety.indicators import Indicator, Measure, Unit
from schools.models import School


def police_room(schools, as_of):
    rows = School.objects.filter(pk__in=schools.order_by().values("pk")).values_list(
        "pk", "has_police_room"
    )
    return {pk: Measure(int(has), 1) for pk, has in rows}


def booths_missing(schools, as_of):
    rows = School.objects.filter(pk__in=schools.order_by().values("pk")).values_list(
        "pk", "has_protection_booth"
    )
    return {pk: Measure(int(not has)) for pk, has in rows}


def evidence(pk, as_of):
    return reverse("schools:detail", args=[pk])


ROOM = Indicator(
    code="test.police_room",
    name="警务室",
    unit=Unit.PERCENT,
    rule="学校设警务室",
    source="测试",
    compute=police_room,
    evidence=evidence,
    target=100.0,
    four_100=2,
    order=50,
)
BOOTHS = Indicator(
    code="test.booths_missing",
    name="缺岗亭",
    unit=Unit.COUNT,
    rule="学校设护学岗亭",
    source="测试",
    compute=booths_missing,
    evidence=evidence,
    target=0.0,
    higher_is_better=False,
    order=10,
)
# A composite naming an app that is not installed: no data, never a made-up 100%.
NO_DATA = Indicator(
    code="test.no_data",
    name="无数据",
    unit=Unit.PERCENT,
    rule="—",
    source="测试",
    compute=lambda schools, as_of: {},
    target=100.0,
    four_100=1,
)
DECLARED = (BOOTHS, ROOM, NO_DATA)


def declaring(indicators=DECLARED) -> ExitStack:
    """The dashboards, their values layer and campussafety.indicators see `indicators` as
    the declared ones until the returned stack is closed (or its `with` block ends)."""
    stack = ExitStack()
    for module in ("campussafety.indicators", "dashboards.values"):
        stack.enter_context(mock.patch(f"{module}.declared_indicators", return_value=indicators))
    return stack
