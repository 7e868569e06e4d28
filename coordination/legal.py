"""Legal vice-presidents: appointing one (which ends the one before), and the bureau's
view of the schools without a current one or behind on their yearly activities.

"Behind" is one rule, here: by today, a school should have held the year's minimum
pro rata to the months begun (at least one from the first month on); a past year is
judged on its full minimum. Every figure is counted in the database.
"""

import datetime
import math

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from coordination.models_legal import Activity, ActivityMinimum, Appointment, current_condition


def appoint(appointment: Appointment) -> Appointment:
    """Save a new appointment; the school's appointment running when it starts ends the
    day before (the history keeps both)."""
    with transaction.atomic():
        Appointment.objects.filter(
            school_id=appointment.school_id, starts_on__lt=appointment.starts_on
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=appointment.starts_on)).update(
            ends_on=appointment.starts_on - datetime.timedelta(days=1)
        )
        appointment.save()
    return appointment


def minimums(city_ids) -> dict:
    """{city id: activities a year}, the national default under None. One query."""
    rows = ActivityMinimum.objects.filter(Q(city__in=city_ids) | Q(city__isnull=True)).order_by(
        "pk"
    )
    found = {}
    for city_id, per_year in rows.values_list("city_id", "per_year"):
        found.setdefault(city_id, per_year)
    return found


def expected_by(per_year: int, year: int, today: datetime.date) -> int:
    """How many activities a school should have held in `year` by `today`."""
    if year < today.year:
        return per_year
    if year > today.year:
        return 0
    return max(1, math.ceil(per_year * today.month / 12))


def compliance(schools, year: int, today=None, city_ids=None):
    """`schools` (a scoped queryset) annotated in one query with this year's activities
    (`activities`), the expected number so far (`expected`), `has_vp` and `behind`."""
    today = today or timezone.localdate()
    if city_ids is None:
        city_ids = set(schools.order_by().values_list("district__city_id", flat=True).distinct())
    per_city = minimums(city_ids)
    national = per_city.get(None, 0)
    expected = Case(
        *[
            When(district__city_id=city_id, then=Value(expected_by(n, year, today)))
            for city_id, n in per_city.items()
            if city_id is not None
        ],
        default=Value(expected_by(national, year, today) if national else 0),
        output_field=IntegerField(),
    )
    current = Appointment.objects.filter(current_condition(today), school=OuterRef("pk"))
    activities = (
        Activity.objects.filter(school=OuterRef("pk"), held_on__year=year)
        .order_by()
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return schools.annotate(
        activities=Coalesce(Subquery(activities, output_field=IntegerField()), 0),
        expected=expected,
        has_vp=Exists(current),
    ).annotate(
        behind=Case(
            When(activities__lt=F("expected"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def needing_attention(rows):
    """Of compliance() rows: those without a current legal vice-president or behind."""
    return rows.filter(Q(has_vp=False) | Q(behind=True))


def with_appointment(activity: Activity) -> Activity:
    """An activity without a named legal vice-president is the one serving on its date."""
    if activity.appointment_id is None and activity.school_id and activity.held_on:
        activity.appointment = (
            Appointment.objects.filter(
                current_condition(activity.held_on), school_id=activity.school_id
            )
            .order_by("-starts_on")
            .first()
        )
    return activity
