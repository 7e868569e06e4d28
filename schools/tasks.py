"""Celery tasks of the schools app. Thin: the logic lives in schools.calendar."""

import logging

from celery import shared_task
from django.utils import timezone

from schools.calendar import ONE_DAY, districts_without_terms, holiday_data_known
from schools.models import School
from schools.obligation_rates import ensure_windows

logger = logging.getLogger(__name__)


@shared_task
def check_calendar_data(horizon_days: int = 60) -> dict:
    """Warn about calendar data that will make school days wrong soon.

    The State Council publishes next year's holidays late in the year and the
    holiday package follows; until then next year's days are Monday to Friday.
    """
    today = timezone.localdate()
    report = {
        "today": today.isoformat(),
        "next_year_holidays_known": holiday_data_known(today.year + 1),
        "districts_without_terms": [
            f"{district.city.name} {district.name}"
            for district in districts_without_terms(today, horizon_days)
        ],
    }
    if not report["next_year_holidays_known"] and today.month >= 11:
        logger.warning(
            "Public holidays of %s are not known yet: upgrade chinesecalendar once the "
            "State Council publishes them, or enter them as calendar exceptions.",
            today.year + 1,
        )
    if report["districts_without_terms"]:
        logger.warning(
            "No term in the next %s days for: %s",
            horizon_days,
            ", ".join(report["districts_without_terms"]),
        )
    return report


@shared_task
def materialise_windows(days: int = 1) -> dict:
    """Write every school's obligation windows of today (and of `days` - 1 days after)
    after midnight, so that the day's first sweep reads them instead of writing them:
    at 30,000 schools a day's windows take about 26 s, which the first ten-minute
    sweep of the morning would otherwise pay. Idempotent: what is written stays."""
    first = timezone.localdate()
    last = first + ONE_DAY * (max(days, 1) - 1)
    ensure_windows(School.objects.all(), first, last)
    return {"first": first.isoformat(), "last": last.isoformat()}
