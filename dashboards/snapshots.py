"""Taking a day's snapshot of every declared indicator for every school, set-based.

Each indicator's compute() runs once for all the schools (a constant number
of queries each); the rows go in with INSERT ... ON CONFLICT DO UPDATE in
large batches, and rows of the day the run no longer produced (a school that
lost its data) are deleted, so taking a day again gives the same table: the
nightly task and a backfill can run as often as they like.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from campussafety.indicators import computing, declared_indicators
from dashboards.models import IndicatorSnapshot, SnapshotDay
from schools.models import School

BATCH = 5000
ONE_DAY = datetime.timedelta(days=1)


def take(day: datetime.date, schools=None, codes=None) -> int:
    """Snapshot `day` for `schools` (a queryset; every school when None); the rows written."""
    schools = School.objects.all() if schools is None else schools
    indicators = [item for item in declared_indicators() if codes is None or item.code in codes]
    taken_at = timezone.now()
    previous = SnapshotDay.objects.filter(date=day).values_list("taken_at", flat=True).first()
    if previous is not None and previous >= taken_at:
        # Strictly later than the last run, whatever the clock says, so that the rows this
        # run did not write are told apart (and deleted) by their older taken_at.
        taken_at = previous + datetime.timedelta(microseconds=1)
    with computing():
        computed = [(indicator, indicator.compute(schools, day)) for indicator in indicators]
    rows = [
        IndicatorSnapshot(
            date=day,
            code=indicator.code,
            school_id=school_id,
            numerator=measure.numerator,
            denominator=measure.denominator,
            taken_at=taken_at,
        )
        for indicator, measures in computed
        for school_id, measure in measures.items()
    ]
    with transaction.atomic():
        IndicatorSnapshot.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["date", "code", "school"],
            update_fields=["numerator", "denominator", "taken_at"],
        )
        IndicatorSnapshot.objects.filter(
            date=day,
            code__in=[indicator.code for indicator in indicators],
            school__in=schools.order_by().values("pk"),
            taken_at__lt=taken_at,
        ).delete()
        SnapshotDay.objects.update_or_create(
            date=day, defaults={"taken_at": taken_at, "rows": len(rows)}
        )
    return len(rows)


def take_range(start: datetime.date, end: datetime.date, schools=None, progress=None) -> int:
    """Snapshot every day from start to end (a backfill); the rows written."""
    written, day = 0, start
    while day <= end:
        count = take(day, schools)
        written += count
        if progress:
            progress(day, count)
        day += ONE_DAY
    return written
