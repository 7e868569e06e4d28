"""Recurring obligations: due windows, their status, completions and excuses.

One mechanism for everything schools must do again and again (patrols five
times a school day, a monthly fire check, two night drills a year, ...), in
the spirit of healthchecks' period + grace:

- An ObligationRule (schools/models/obligations.py) says on what basis it
  recurs, how many times each window needs, the grace period and which schools
  it applies to. Domain apps declare their rules as data and never subclass
  anything here.
- **Windows** come from the rules and the school calendar (schools/calendar.py)
  for any number of schools in a handful of queries: `due_windows()`.
- **Writes:** when a domain app records something that satisfies a rule (a
  finished round), it calls `record_completion()`; `withdraw_completion()` when
  that record goes. Both keep one ObligationWindow summary row current, inside
  the caller's transaction, race-free (a unique constraint and a row lock).
- **Status** of a window at a moment: done, late (done within the grace
  period), missed, excused, open (due now) or upcoming: `window_status()`.
- **Excuses:** bureau staff excuse windows with a reason: `excuse()`.
- **Rates** by school, district, city or day: schools/obligation_rates.py,
  which keeps every due window materialised as a row and counts them with
  one GROUP BY.

A window belongs to a date range when it overlaps it; its `date` is its first
day (a night's window is dated by its evening), which is what "by day" groups on.
A month, quarter, term or year without a single school day asks for nothing
unless the rule is `even_without_school_days`.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.calendar import ONE_DAY, school_days, school_terms
from schools.choices import (
    SIZE_BAND_FLOORS,
    Basis,
    Boarding,
    SchoolType,
    SizeBand,
    WindowStatus,
)
from schools.models import (
    ObligationCompletion,
    ObligationCoverage,
    ObligationExcuse,
    ObligationOverride,
    ObligationRule,
    ObligationWindow,
    School,
)
from schools.models.obligations import parse_slots

SATISFIED = (WindowStatus.DONE, WindowStatus.LATE)


# --- Which rules apply to which schools, with what parameters -----------------------------


@dataclass(frozen=True)
class SchoolFacts:
    """What decides which rules apply to a school."""

    pk: int
    school_type: str
    people: int
    is_boarding: bool
    district_id: int
    city_id: int
    runs_buses: bool = False

    @property
    def size_band(self) -> str:
        floors = 1 if self.school_type == SchoolType.KINDERGARTEN else 0
        for band in (SizeBand.LARGE, SizeBand.MEDIUM):
            if self.people >= SIZE_BAND_FLOORS[band][floors]:
                return band
        return SizeBand.SMALL


def size_band_expression():
    """SchoolFacts.size_band as a database expression on School, from the same floors,
    for queries that group schools by band without reading them (equipment/compliance.py)."""
    people = F("enrolment") + F("staff_count")
    whens = []
    for band in (SizeBand.LARGE, SizeBand.MEDIUM):
        school_floor, kindergarten_floor = SIZE_BAND_FLOORS[band]
        whens += [
            When(
                Q(school_type=SchoolType.KINDERGARTEN)
                & GreaterThanOrEqual(people, kindergarten_floor),
                then=Value(band),
            ),
            When(
                ~Q(school_type=SchoolType.KINDERGARTEN) & GreaterThanOrEqual(people, school_floor),
                then=Value(band),
            ),
        ]
    return Case(*whens, default=Value(SizeBand.SMALL), output_field=CharField())


@dataclass(frozen=True)
class Terms:
    """A rule's effective parameters at one school, after district and school overrides.

    Hashable: schools with the same terms and the same calendar share one
    computation of their windows.
    """

    rule_id: int
    basis: str
    slots: tuple
    required: int
    grace: datetime.timedelta
    even_without_school_days: bool


def school_facts(schools) -> list[SchoolFacts]:
    """One query: the facts of `schools` (a queryset, or schools or ids)."""
    if isinstance(schools, QuerySet):
        condition = Q(pk__in=schools.values("pk"))
    else:
        condition = Q(pk__in=[s.pk if isinstance(s, School) else s for s in schools])
    rows = (
        School.objects.filter(condition)
        .order_by()
        .values_list(
            "pk",
            "school_type",
            "enrolment",
            "staff_count",
            "is_boarding",
            "district_id",
            "district__city_id",
            "runs_buses",
        )
    )
    return [
        SchoolFacts(pk, school_type, enrolment + staff, boarding, district_id, city_id, buses)
        for pk, school_type, enrolment, staff, boarding, district_id, city_id, buses in rows
    ]


def rule_applies(rule: ObligationRule, school: SchoolFacts) -> bool:
    """Does the rule, as written, cover this school? (Overrides may still say otherwise.)"""
    if rule.school_types and school.school_type not in rule.school_types:
        return False
    if rule.size_bands and school.size_band not in rule.size_bands:
        return False
    if rule.buses_only and not school.runs_buses:
        return False
    if rule.boarding == Boarding.ONLY:
        return school.is_boarding
    if rule.boarding == Boarding.NONE:
        return not school.is_boarding
    return True


def rules_for_cities(city_ids, domain=None, codes=None) -> dict[int, list[ObligationRule]]:
    """The active rules each city follows: its own, and the national ones it has not replaced.

    One query.
    """
    rules = ObligationRule.objects.filter(
        Q(city__isnull=True) | Q(city_id__in=set(city_ids)), is_active=True
    ).order_by("pk")
    if domain:
        rules = rules.filter(domain=domain)
    if codes:
        rules = rules.filter(code__in=codes)
    national, own = [], defaultdict(list)
    for rule in rules:
        (own[rule.city_id] if rule.city_id else national).append(rule)
    result = {}
    for city_id in set(city_ids):
        replaced = {rule.code for rule in own[city_id]}
        result[city_id] = [r for r in national if r.code not in replaced] + own[city_id]
    return result


def applicable_terms(
    facts: list[SchoolFacts], rules=None, domain=None, codes=None
) -> dict[int, list[tuple[ObligationRule, Terms]]]:
    """For each school id, the rules that apply to it with their effective terms.

    Two queries: the rules (unless `rules` are given, which are then taken as
    they are, without a city's replacements) and the overrides.
    """
    if not facts:
        return {}
    if rules is None:
        by_city = rules_for_cities({school.city_id for school in facts}, domain=domain, codes=codes)
    else:
        rules = list(rules)
        by_city = defaultdict(lambda: rules)
    rule_ids = {rule.pk for city_rules in by_city.values() for rule in city_rules}
    if rules is not None:
        rule_ids = {rule.pk for rule in rules}
    overrides = {}
    for override in ObligationOverride.objects.filter(rule_id__in=rule_ids).filter(
        Q(school_id__in=[s.pk for s in facts]) | Q(district_id__in={s.district_id for s in facts})
    ):
        key = (
            ("school", override.school_id)
            if override.school_id
            else ("district", override.district_id)
        )
        overrides[(override.rule_id, *key)] = override
    result = {}
    for school in facts:
        chosen = []
        for rule in by_city[school.city_id]:
            layers = [
                o
                for o in (
                    overrides.get((rule.pk, "school", school.pk)),
                    overrides.get((rule.pk, "district", school.district_id)),
                )
                if o is not None
            ]
            applies = next((o.applies for o in layers if o.applies is not None), None)
            if applies is None:
                applies = rule_applies(rule, school)
            if not applies:
                continue
            chosen.append((rule, _terms(rule, layers)))
        result[school.pk] = chosen
    return result


def _terms(rule: ObligationRule, layers) -> Terms:
    def first(name):
        return next(
            (getattr(o, name) for o in layers if getattr(o, name) not in (None, "")),
            getattr(rule, name),
        )

    return Terms(
        rule_id=rule.pk,
        basis=rule.basis,
        slots=parse_slots(first("slots")),
        required=first("required_count"),
        grace=first("grace"),
        even_without_school_days=rule.even_without_school_days,
    )


# --- Windows -------------------------------------------------------------------------------


@dataclass
class Window:
    """One due window of a rule at a school, with its status at `now` once known."""

    rule_id: int
    school_id: int
    date: datetime.date
    start: datetime.datetime
    end: datetime.datetime
    due: datetime.datetime
    required: int
    completions: int = 0
    satisfied_at: datetime.datetime | None = None
    excused: bool = False
    status: str = ""
    rule: ObligationRule | None = field(default=None, repr=False, compare=False)


def _at(day: datetime.date, time: datetime.time = datetime.time(0)) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _period(basis: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month, quarter or year containing `day`."""
    if basis == Basis.YEAR:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    months = 3 if basis == Basis.QUARTER else 1
    first_month = (day.month - 1) // months * months + 1
    first = datetime.date(day.year, first_month, 1)
    next_month = first_month + months
    after = (
        datetime.date(day.year + 1, 1, 1)
        if next_month > 12
        else datetime.date(day.year, next_month, 1)
    )
    return first, after - ONE_DAY


def _has_school_day(days: tuple, first: datetime.date, last: datetime.date) -> bool:
    index = bisect.bisect_left(days, first)
    return index < len(days) and days[index] <= last


def _spans(terms: Terms, days: tuple, term_ranges: tuple, start: datetime.date, end: datetime.date):
    """(date, start, end) of the windows of `terms` overlapping [start, end], given the calendar."""
    range_start, range_end = _at(start), _at(end + ONE_DAY)
    spans = []
    if terms.basis in (Basis.SCHOOL_DAY, Basis.BOARDING_NIGHT, Basis.DAY):
        if terms.basis == Basis.SCHOOL_DAY:
            dates = days
        elif terms.basis == Basis.BOARDING_NIGHT:
            # Boarders sleep at school on the nights before school days.
            dates = tuple(day - ONE_DAY for day in days)
        else:
            dates = tuple(_each_day(start - ONE_DAY, end))
        slots = terms.slots or ((datetime.time(0), datetime.time(0)),)
        for day in dates:
            if day < start - ONE_DAY or day > end:
                continue
            for first, last in slots:
                opens = _at(day, first)
                closes = _at(day + ONE_DAY if last <= first else day, last)
                if closes > range_start and opens < range_end:
                    spans.append((day, opens, closes))
        return spans
    ranges = term_ranges if terms.basis == Basis.TERM else periods(terms.basis, start, end)
    for first, last in ranges:
        if last < start or first > end:
            continue
        if terms.even_without_school_days or _has_school_day(days, first, last):
            spans.append(period_span(first, last))
    return spans


def periods(basis: str, start: datetime.date, end: datetime.date) -> list[tuple]:
    """(first day, last day) of each calendar month, quarter or year overlapping [start, end].

    Public for the units that are not schools: coordination's district and city
    meeting cadence has the same periods as a school's monthly obligation.
    """
    found, day = [], start
    while day <= end:
        first, last = _period(basis, day)
        found.append((first, last))
        day = last + ONE_DAY
    return found


def period_span(first: datetime.date, last: datetime.date) -> tuple:
    """A period's window: (its date, the moment it opens, the moment it closes)."""
    return first, _at(first), _at(last + ONE_DAY)


def _each_day(start, end):
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def _calendar_range(bases, start, end, terms_by_school):
    """The days whose school-day status decides the windows overlapping [start, end]."""
    low, high = start - ONE_DAY, end + ONE_DAY
    for basis in bases:
        if basis in (Basis.MONTH, Basis.QUARTER, Basis.YEAR):
            low = min(low, _period(basis, start)[0])
            high = max(high, _period(basis, end)[1])
    if Basis.TERM in bases:
        for ranges in terms_by_school.values():
            for first, last in ranges:
                low, high = min(low, first), max(high, last)
    return low, high


def _plan(schools, start, end, rules=None, domain=None, codes=None):
    """(school id, rule, terms, spans) for every applicable rule of `schools` over [start, end].

    Queries: the schools (1), the rules (1, unless given), the overrides (1),
    the terms when a rule recurs each term (2), the school days (3) when any
    rule depends on them: at most eight, whatever the number of schools.
    """
    facts = school_facts(schools)
    by_school = applicable_terms(facts, rules=rules, domain=domain, codes=codes)
    bases = {terms.basis for chosen in by_school.values() for _rule, terms in chosen}
    ids = [school_id for school_id, chosen in by_school.items() if chosen]
    terms_by_school = school_terms(ids, start, end) if Basis.TERM in bases else {}
    days_by_school = {}
    if bases - {Basis.DAY} and ids:
        days_by_school = school_days(ids, *_calendar_range(bases, start, end, terms_by_school))
    cache = {}
    for school_id, chosen in by_school.items():
        days = days_by_school.get(school_id, ())
        term_ranges = terms_by_school.get(school_id, ())
        for rule, terms in chosen:
            # Schools of one district share one tuple of school days.
            key = (terms, id(days), term_ranges)
            if key not in cache:
                cache[key] = _spans(terms, days, term_ranges, start, end)
            yield school_id, rule, terms, cache[key]


def due_windows(schools, start, end, rules=None, domain=None, now=None, codes=None) -> list[Window]:
    """Every due window of `schools` overlapping [start, end], with its status at `now`.

    `schools` is a (scoped) School queryset or a list of schools or ids;
    `rules` limits to some rules, `domain` to one app's, `codes` to the rules
    of those codes each city follows (its own replacing the national one). The queries of
    _plan() and one for the summary rows, whatever the number of schools.
    """
    now = now or timezone.now()
    windows = []
    for school_id, rule, terms, spans in _plan(schools, start, end, rules, domain, codes):
        for day, opens, closes in spans:
            windows.append(
                Window(
                    rule_id=rule.pk,
                    school_id=school_id,
                    date=day,
                    start=opens,
                    end=closes,
                    due=closes + terms.grace,
                    required=terms.required,
                    rule=rule,
                )
            )
    if not windows:
        return windows
    summary = {
        (row.rule_id, row.school_id, row.window_start): row
        for row in ObligationWindow.objects.filter(
            Q(completions__gt=0) | Q(excused=True),  # a materialised empty row says nothing
            rule_id__in={w.rule_id for w in windows},
            school_id__in={w.school_id for w in windows},
            date__lte=end,
            window_end__gt=_at(start),
        )
    }
    for window in windows:
        row = summary.get((window.rule_id, window.school_id, window.start))
        if row is not None:
            window.completions = row.completions
            window.satisfied_at = row.satisfied_at
            window.excused = row.excused
        window.status = window_status(window, row.status if row else None, now)
    windows.sort(key=lambda w: (w.start, w.school_id, w.rule_id))
    return windows


def window_status(window: Window, stored: str | None, now: datetime.datetime) -> str:
    """Done or late as recorded; else excused; else upcoming, open or missed by the clock.

    Reads only the window's `start`, `due` and `excused`: coordination's unit windows
    (a district's or city's meeting periods) are judged by it too.
    """
    if stored in SATISFIED:
        return stored
    if window.excused:
        return WindowStatus.EXCUSED
    if now < window.start:
        return WindowStatus.UPCOMING
    if now < window.due:
        return WindowStatus.OPEN
    return WindowStatus.MISSED


def _window_at(rule: ObligationRule, school: School, moment: datetime.datetime):
    """(terms, span) of the window a completion at `moment` counts for, or (terms, None).

    The window containing the moment; else the latest whose grace period
    contains it (done late). None if the rule does not apply to the school.
    """
    local = timezone.localtime(moment)
    plans = list(
        _plan([school.pk], (local - rule.grace).date() - ONE_DAY, local.date(), rules=[rule])
    )
    if not plans:
        return None, None
    _school_id, _rule, terms, spans = plans[0]
    containing = [span for span in spans if span[1] <= moment < span[2]]
    if containing:
        return terms, containing[0]
    late = [span for span in spans if span[2] <= moment < span[2] + terms.grace]
    return terms, (max(late, key=lambda span: span[2]) if late else None)


# --- Writes --------------------------------------------------------------------------------


def record_completion(
    rule: ObligationRule, school: School, occurred_at: datetime.datetime, source: str
) -> ObligationWindow | None:
    """Count the record `source` ("app.model:pk"), done at `occurred_at`, towards its window.

    Idempotent: the same source told again (even with a corrected time) is
    still one completion, moved to the right window. Race-free: the
    completion row is unique per rule and source and the window's summary row
    is locked before it is recounted, so two records of the same window saved
    at once both count. Returns the window's summary row, or None when the
    moment falls in no window of the rule at this school (nothing is stored).
    """
    terms, span = _window_at(rule, school, occurred_at)
    with transaction.atomic():
        if span is None:
            withdraw_completion(rule, source)
            return None
        day, opens, closes = span
        is_late = occurred_at >= closes
        ObligationCompletion.objects.bulk_create(
            [
                ObligationCompletion(
                    rule=rule,
                    school=school,
                    source=source,
                    occurred_at=occurred_at,
                    window_start=opens,
                    is_late=is_late,
                )
            ],
            ignore_conflicts=True,
        )
        completion = ObligationCompletion.objects.select_for_update().get(rule=rule, source=source)
        previous = (completion.school_id, completion.window_start)
        if (completion.school_id, completion.window_start, completion.occurred_at) != (
            school.pk,
            opens,
            occurred_at,
        ):
            completion.school_id, completion.window_start = school.pk, opens
            completion.occurred_at, completion.is_late = occurred_at, is_late
            completion.save(update_fields=["school", "window_start", "occurred_at", "is_late"])
            if previous != (school.pk, opens):
                _recount(rule.pk, *previous)
        return _recount(
            rule.pk, school.pk, opens, (day, closes, closes + terms.grace, terms.required)
        )


def withdraw_completion(rule: ObligationRule, source: str) -> None:
    """The record `source` no longer counts (deleted, or no longer satisfying).

    Its window is recounted, and goes back to open or missed if nothing is left.
    """
    with transaction.atomic():
        completion = (
            ObligationCompletion.objects.select_for_update()
            .filter(rule=rule, source=source)
            .first()
        )
        if completion is None:
            return
        completion.delete()
        _recount(rule.pk, completion.school_id, completion.window_start)


def _recount(rule_id, school_id, window_start, shape=None) -> ObligationWindow | None:
    """Recount one window's summary row from its completions. Inside the writing transaction.

    `shape` (date, end, due, required) creates the row when it does not exist yet;
    without it a missing row stays missing. A row left with no completion and
    no excuse is deleted: the window is back to open or missed by the clock.
    """
    if shape is not None:
        day, closes, due, required = shape
        ObligationWindow.objects.bulk_create(
            [
                ObligationWindow(
                    rule_id=rule_id,
                    school_id=school_id,
                    window_start=window_start,
                    date=day,
                    window_end=closes,
                    due_at=due,
                    required=required,
                )
            ],
            ignore_conflicts=True,
        )
    row = (
        ObligationWindow.objects.select_for_update()
        .filter(rule_id=rule_id, school_id=school_id, window_start=window_start)
        .first()
    )
    if row is None:
        return None
    if shape is not None:
        row.due_at, row.required = shape[2], shape[3]
    done = list(
        ObligationCompletion.objects.filter(
            rule_id=rule_id, school_id=school_id, window_start=window_start
        )
        .order_by("occurred_at", "pk")
        .values_list("occurred_at", "is_late")
    )
    on_time = [moment for moment, late in done if not late]
    row.completions, row.on_time = len(done), len(on_time)
    if len(on_time) >= row.required:
        row.status, row.satisfied_at = WindowStatus.DONE, on_time[row.required - 1]
    elif len(done) >= row.required:
        row.status, row.satisfied_at = WindowStatus.LATE, done[row.required - 1][0]
    else:
        row.status, row.satisfied_at = WindowStatus.PARTIAL, None
    if not done and not row.excused and not _covered(school_id, row.date):
        row.delete()
        return None
    row.save()
    return row


def _covered(school_id, day) -> bool:
    """Is the school's window of `day` materialised (kept as a row even with nothing done)?"""
    return ObligationCoverage.objects.filter(
        school_id=school_id, first__lte=day, last__gte=day
    ).exists()


def excuse(user, rule: ObligationRule, schools, start, end, reason: str) -> int:
    """Excuse every window of `rule` at `schools` overlapping [start, end] (a closure, works).

    Bureau staff only, within their scope: any school outside it is refused
    as a whole, nothing half-saved. Excusing again is harmless (the first
    reason stays). Returns the number of windows in the range.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for excusing.")})
    school_ids = {s.pk if isinstance(s, School) else s for s in schools}
    reachable = set(
        School.objects.for_user(user, roles=ObligationExcuse.access["add"])
        .filter(pk__in=school_ids)
        .values_list("pk", flat=True)
    )
    if not school_ids or reachable != school_ids:
        raise PermissionDenied(_("Only education bureau staff may excuse, within their area."))
    windows = [
        (school_id, terms, span)
        for school_id, _rule, terms, spans in _plan(school_ids, start, end, rules=[rule])
        for span in spans
    ]
    with transaction.atomic():
        created = ObligationExcuse.objects.bulk_create(
            [
                ObligationExcuse(
                    rule=rule,
                    school_id=school_id,
                    window_start=span[1],
                    reason=reason,
                    excused_by=user,
                )
                for school_id, _terms, span in windows
            ],
            ignore_conflicts=True,
        )
        ObligationWindow.objects.bulk_create(
            [
                ObligationWindow(
                    rule=rule,
                    school_id=school_id,
                    date=span[0],
                    window_start=span[1],
                    window_end=span[2],
                    due_at=span[2] + terms.grace,
                    required=terms.required,
                    excused=True,
                )
                for school_id, terms, span in windows
            ],
            ignore_conflicts=True,
        )
        ObligationWindow.objects.filter(
            rule=rule,
            school_id__in=school_ids,
            date__lte=end,
            window_end__gt=_at(start),
            excused=False,
        ).update(excused=True)
    return len(created)


def withdraw_excuse(user, excuse_row: ObligationExcuse) -> None:
    """Undo one excuse: its window counts again (done, late, open or missed as it stands).

    Bureau staff only, within their scope (PermissionDenied otherwise). The
    window's summary row goes when nothing else keeps it.
    """
    allowed = ObligationExcuse.objects.for_user(user, "delete").filter(pk=excuse_row.pk)
    if not allowed.exists():
        raise PermissionDenied(_("Only education bureau staff may excuse, within their area."))
    with transaction.atomic():
        excuse_row.delete()
        row = (
            ObligationWindow.objects.select_for_update()
            .filter(
                rule_id=excuse_row.rule_id,
                school_id=excuse_row.school_id,
                window_start=excuse_row.window_start,
            )
            .first()
        )
        if row is None:
            return
        if row.completions or _covered(row.school_id, row.date):
            row.excused = False
            row.save(update_fields=["excused"])
        else:
            row.delete()
