"""What the inspections app lets a bureau measure: patrols, fire checks, the hazard ledger, and
the perimeter inspection half of the "closed campus" 100% (dashboards/indicators.py).

Patrol and fire-check completion are the obligation windows' rates
(schools.obligation_rates.school_rates: one aggregate); the hazard counts are
one GROUP BY over the ledger; the perimeter is one query of correlated
subqueries on the schools. A count is given for every school, zero included,
so a school with a clean ledger reads 0, not "no data".
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campussafety.indicators import Indicator, Measure, Unit, moment, page_url, shared, trailing
from inspections.choices import OPEN_STATES, RoundStatus
from inspections.models import Answer, Round
from inspections.models_hazards import overdue_condition
from schools.obligation_rates import school_rates

PATROLS = ("security-patrol", "dormitory-night-patrol")
FIRE_CHECKS = ("fire-patrol", "fire-check")
PERIMETER = "perimeter-inspection"
# Recurrences are counted over the year to as_of: a hazard back within the year.
RECURRENCE_DAYS = 365


def _rates(codes):
    def compute(schools, as_of):
        start, end = trailing(as_of)
        rows = school_rates(schools, start, end, codes=codes, now=moment(as_of))
        return {pk: Measure(row.done + row.late, row.counted) for pk, row in rows.items()}

    return compute


@shared
def hazard_counts(schools, as_of) -> dict[int, dict[str, int]]:
    """{school: {open, overdue, supervised, recurring}} in one GROUP BY, zeros included.

    The ledger keeps each hazard's current state: a value as of a past day
    counts the hazards found by then in their state now; the daily snapshot is
    what keeps the state of each day.
    """
    found = Q(hazards__found_at__lt=moment(as_of))
    open_ = found & Q(hazards__state__in=OPEN_STATES)
    # The ledger's one definition of overdue, read through the schools' hazards.
    overdue = Q(**{f"hazards__{key}": value for key, value in overdue_condition(as_of).children})
    since = moment(as_of) - datetime.timedelta(days=RECURRENCE_DAYS)
    rows = (
        schools.order_by()
        .annotate(
            open=Count("hazards", filter=open_),
            overdue=Count("hazards", filter=found & overdue),
            supervised=Count("hazards", filter=open_ & Q(hazards__supervised=True)),
            recurring=Count(
                "hazards",
                filter=found
                & Q(hazards__found_at__gte=since, hazards__recurrence_of__isnull=False),
            ),
        )
        .values_list("pk", "open", "overdue", "supervised", "recurring")
    )
    return {
        pk: {"open": o, "overdue": d, "supervised": s, "recurring": r} for pk, o, d, s, r in rows
    }


def _count(key):
    def compute(schools, as_of):
        return {pk: Measure(counts[key]) for pk, counts in hazard_counts(schools, as_of).items()}

    return compute


@shared
def perimeter_measures(schools, as_of):
    """Met where the latest finished perimeter inspection up to as_of was complete and passed
    (no item failed and left uncorrected); a school never inspected is not met."""
    latest = Round.objects.filter(
        school=OuterRef("pk"),
        rule__obligation__code=PERIMETER,
        finished_at__isnull=False,
        finished_at__lt=moment(as_of),
    ).order_by("-finished_at", "-pk")
    failed = Answer.objects.filter(
        round_id=OuterRef("latest"), passed=False, corrected_on_spot=False
    )
    rows = (
        schools.order_by()
        .annotate(
            latest=Subquery(latest.values("pk")[:1]),
            status=Subquery(latest.values("status")[:1]),
        )
        .annotate(failed=Exists(failed))
        .values_list("pk", "latest", "status", "failed")
    )
    return {
        pk: Measure(int(latest is not None and status == RoundStatus.COMPLETE and not failed), 1)
        for pk, latest, status, failed in rows
    }


def _board(school_id, as_of):
    return reverse("inspections:board", args=[school_id])


def _hazards(**query):
    def url(school_id, as_of):
        return page_url(reverse("inspections:hazards"), school=school_id, **query)

    return url


SOURCE_PATROLS = "中小学幼儿园安全管理办法 (2006) 第二十条; 本市巡查制度"
SOURCE_FIRE = "学校消防安全管理规定 / 机关、团体、企业、事业单位消防安全管理规定 (公安部令第61号)"
SOURCE_HAZARDS = "中小学校安全隐患排查整改 (销号) 制度; CHECKS.md §3"

INDICATORS = [
    Indicator(
        code="inspections.patrols",
        name=_("Patrol completion"),
        unit=Unit.PERCENT,
        rule=_("Security and dormitory patrol windows done (or done late), last 30 days."),
        source=SOURCE_PATROLS,
        compute=_rates(PATROLS),
        evidence=_board,
        target=100.0,
        order=30,
    ),
    Indicator(
        code="inspections.fire_checks",
        name=_("Fire checks done"),
        unit=Unit.PERCENT,
        rule=_("Daily fire patrols and monthly fire checks done (or done late), last 30 days."),
        source=SOURCE_FIRE,
        compute=_rates(FIRE_CHECKS),
        evidence=_board,
        target=100.0,
        order=31,
    ),
    Indicator(
        code="inspections.perimeter_passed",
        name=_("Perimeter inspection passed"),
        unit=Unit.PERCENT,
        rule=_("The latest perimeter inspection was completed and every item passed."),
        source="中小学幼儿园安全防范建设三年行动计划 (2019–2021): 封闭化管理",
        compute=perimeter_measures,
        evidence=_board,
        target=100.0,
        order=7,
    ),
    Indicator(
        code="inspections.hazards_open",
        name=_("Hazards open"),
        unit=Unit.COUNT,
        rule=_("Hazards on the ledger not yet struck off."),
        source=SOURCE_HAZARDS,
        compute=_count("open"),
        evidence=_hazards(open="true"),
        target=0.0,
        higher_is_better=False,
        order=40,
    ),
    Indicator(
        code="inspections.hazards_overdue",
        name=_("Hazards overdue"),
        unit=Unit.COUNT,
        rule=_("Hazards still owed by the school past their rectification deadline."),
        source=SOURCE_HAZARDS,
        compute=_count("overdue"),
        evidence=_hazards(overdue="true"),
        target=0.0,
        higher_is_better=False,
        order=41,
    ),
    Indicator(
        code="inspections.hazards_supervised",
        name=_("Hazards under supervision"),
        unit=Unit.COUNT,
        rule=_("Open hazards the bureau put under supervision (挂牌督办)."),
        source=SOURCE_HAZARDS,
        compute=_count("supervised"),
        evidence=_hazards(open="true", supervised="true"),
        target=0.0,
        higher_is_better=False,
        order=42,
    ),
    Indicator(
        code="inspections.hazards_recurring",
        name=_("Recurring hazards"),
        unit=Unit.COUNT,
        rule=_("Hazards found in the last year that recur an earlier one at the same place."),
        source=SOURCE_HAZARDS,
        compute=_count("recurring"),
        evidence=_hazards(recurrence="true"),
        target=0.0,
        higher_is_better=False,
        order=43,
    ),
]
