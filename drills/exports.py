"""A term's drill records (演练记录) in the form schools file them, and the district's summary.

Rows, not pages: drills/views_exports.py writes them as .xlsx (every cell
escaped against formula injection, campussafety/spreadsheets.py) or as the
printable page. Both reads are a fixed number of queries whatever the number
of drills or schools.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from drills.choices import DrillStatus
from drills.models import Drill
from schools.calendar import school_terms
from schools.choices import WindowStatus
from schools.obligations import SATISFIED, due_windows


def term_of(school_ids, on: datetime.date):
    """{school id: (first, last)} of the term containing `on`, for the schools that have one.

    Two queries (schools/calendar.py).
    """
    found = {}
    for school_id, terms in school_terms(school_ids, on, on).items():
        for first, last in terms:
            if first <= on <= last:
                found[school_id] = (first, last)
    return found


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0)))


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else ""


def _yes_no(value):
    if value is None:
        return ""
    return _("yes") if value else _("no")


def record_header():
    return [
        _("Planned for"),
        _("Type"),
        _("Status"),
        _("Announced"),
        _("Commander"),
        _("Scenario"),
        _("Signal given at"),
        _("All clear at"),
        _("Evacuation time (s)"),
        _("Target (s)"),
        _("Classes reported"),
        _("Expected"),
        _("Arrived"),
        _("Missing"),
        _("Routes used"),
        _("Blocked exits"),
        _("Alarm audible"),
        _("Police arrival (min)"),
        _("Injuries"),
        _("Problems found"),
        _("Score"),
        _("Evaluation"),
        _("Plan must be revised"),
        _("Signed off by"),
        _("Signed off at"),
    ]


def drill_records(school, first: datetime.date, last: datetime.date) -> list[list]:
    """The rows of `school`'s drills planned within [first, last], oldest first: one query."""
    start, end = _day_start(first), _day_start(last + datetime.timedelta(days=1))
    drills = (
        Drill.objects.filter(school=school, planned_at__gte=start, planned_at__lt=end)
        .select_related("signed_off_by")
        .annotate(
            classes=Count("headcounts"),
            expected=Sum("headcounts__expected"),
            arrived=Sum("headcounts__arrived"),
            missing=Sum("headcounts__missing"),
        )
        .order_by("planned_at", "pk")
    )
    rows = []
    for drill in drills:
        rows.append(
            [
                _local(drill.planned_at),
                drill.get_drill_type_display(),
                drill.get_status_display(),
                _yes_no(drill.announced),
                drill.commander,
                drill.scenario,
                _local(drill.started_at),
                _local(drill.all_clear_at),
                drill.evacuation_seconds if drill.evacuation_seconds is not None else "",
                drill.target_seconds,
                drill.classes,
                drill.expected or 0,
                drill.arrived or 0,
                drill.missing or 0,
                drill.routes_used,
                drill.blocked_exits,
                _yes_no(drill.alarm_audible),
                drill.police_minutes if drill.police_minutes is not None else "",
                drill.injuries,
                drill.problems_found,
                drill.evaluation_score if drill.evaluation_score is not None else "",
                drill.evaluation,
                _yes_no(drill.plan_must_be_revised),
                str(drill.signed_off_by or ""),
                _local(drill.signed_off_at),
            ]
        )
    return rows


def summary_header():
    return [
        _("School"),
        _("Term"),
        _("Drills held"),
        _("Signed off"),
        _("Requirement periods done"),
        _("Requirement periods missed"),
        _("Requirement periods still open"),
        _("Behind on"),
    ]


def district_summary(schools: list, on: datetime.date, now=None) -> list[list]:
    """One row per school with a term containing `on`: drills held, periods done, missed, open.

    Queries: the terms (2), due_windows()'s handful over the union of the
    terms, and one aggregate of the drills: fixed, whatever the number of schools.
    """
    terms = term_of([s.pk for s in schools], on)
    if not terms:
        return []
    first = min(term[0] for term in terms.values())
    last = max(term[1] for term in terms.values())
    by_school = defaultdict(Counter)
    behind = defaultdict(set)
    for window in due_windows(list(terms), first, last, domain="drills", now=now):
        term_first, term_last = terms[window.school_id]
        if not term_first <= window.date <= term_last:
            continue
        if window.status in SATISFIED or window.status == WindowStatus.EXCUSED:
            by_school[window.school_id]["done"] += 1
        elif window.status == WindowStatus.MISSED:
            by_school[window.school_id]["missed"] += 1
            behind[window.school_id].add(window.rule.name)
        else:
            by_school[window.school_id]["open"] += 1
    start, end = _day_start(first), _day_start(last + datetime.timedelta(days=1))
    held = {
        row["school_id"]: row
        for row in Drill.objects.filter(
            school_id__in=list(terms),
            all_clear_at__gte=start,
            all_clear_at__lt=end,
        )
        .values("school_id")
        .annotate(
            held=Count("pk"),
            closed=Count("pk", filter=Q(status=DrillStatus.CLOSED)),
        )
        .order_by()
    }
    rows = []
    for school in sorted(schools, key=lambda s: s.name):
        if school.pk not in terms:
            continue
        term_first, term_last = terms[school.pk]
        counts = by_school[school.pk]
        drills = held.get(school.pk, {})
        rows.append(
            [
                school.name,
                f"{term_first:%Y-%m-%d} – {term_last:%Y-%m-%d}",
                drills.get("held", 0),
                drills.get("closed", 0),
                counts["done"],
                counts["missed"],
                counts["open"],
                "; ".join(sorted(behind[school.pk])),
            ]
        )
    return rows
