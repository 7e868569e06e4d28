"""Composites of other apps' indicators: the dashboards' own declarations.

Only codes are named here, never an app: a part whose app has not landed
makes the composite "no data" (campussafety.indicators.all_of).
"""

from django.utils.translation import gettext_lazy as _

from campussafety.indicators import all_of

INDICATORS = [
    all_of(
        "four100.closed_campus",
        parts=("inspections.perimeter_passed", "posts.gate_staffed"),
        name=_("Closed campus"),
        rule=_(
            "The latest perimeter inspection passed and the gates staffed on the latest school day."
        ),
        source="中小学幼儿园安全防范建设三年行动计划 (2019–2021): 封闭化管理率; CHECKS.md §7 (2)",
        four_100=2,
        order=2,
    ),
]
