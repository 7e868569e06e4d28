"""Completion rates in the database: every due window has a row, one GROUP BY counts them.

schools/obligations.py works out a school's due windows from its rules and
calendar; this module keeps those windows **materialised** as ObligationWindow
rows, so that a rate by school, district, city or day is one aggregate query
(numerator and denominator alike) that the database can also sort and page by:

- `materialise(school_ids, start, end)` reconciles the rows of the windows
  overlapping [start, end] with the plan, set-based, in batches of schools:
  missing windows are inserted, windows whose terms changed are updated, rows
  of windows no longer asked for are deleted (or, when completions or an
  excuse point at them, kept with `planned=False`, out of the rates). It
  records the dates it covered in ObligationCoverage.
- `ensure_windows(schools, start, end)` is what readers call first: one query
  finds the schools whose coverage does not include [start, end] (none in the
  steady state) and materialises only the dates they lack.
- `forget_windows(...)` deletes coverage when what decides windows changes
  (signals in schools/apps.py: terms, calendar exceptions, rules, overrides,
  the school's own facts), so the next read reconciles again.
- `completion_rates()` and `rate_annotations()` count the rows: the first as
  RateRow objects by group, the second as annotations of a School, District or
  City queryset that the completion page sorts and pages in the database.

The counts are the ones schools/obligations.window_status() gives each window
at `now` (tests/test_obligation_rates_db.py compares them on a varied world).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from campussafety.bulk import write_rows
from schools.calendar import ONE_DAY
from schools.choices import WindowStatus
from schools.models import (
    ObligationCoverage,
    ObligationRule,
    ObligationWindow,
    School,
)
from schools.obligation_bulk import WINDOW_FIELDS
from schools.obligations import SATISFIED, Window, _at, _plan, _recount

GROUPINGS = ("school", "district", "city", "day")
# Schools reconciled in one transaction: a year of one school is about 2,000 windows.
SCHOOL_BATCH = 100
INSERTED = ("rule_id", "school_id", "window_start", "date", "window_end", "due_at", "required")
WINDOW_COLUMNS = (
    "pk",
    "rule_id",
    "school_id",
    "window_start",
    "date",
    "window_end",
    "due_at",
    "required",
    "planned",
    "completions",
    "excused",
)


# --- Materialising -------------------------------------------------------------------------


def materialise(school_ids, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Make the window rows of `school_ids` overlapping [start, end] match their rules and calendar.

    Set-based per batch of schools: the queries of _plan(), one read of the
    existing rows, and bulk inserts, updates and deletes. Returns counts by
    kind of change. Coverage of each school grows to include [start, end]
    when it touches it, and is [start, end] otherwise.
    """
    counts = defaultdict(int)
    school_ids = sorted(set(school_ids))
    for first in range(0, len(school_ids), SCHOOL_BATCH):
        with transaction.atomic():
            _materialise_batch(school_ids[first : first + SCHOOL_BATCH], start, end, counts)
    return dict(counts)


def _materialise_batch(batch, start, end, counts):
    planned = {}
    for school_id, rule, terms, spans in _plan(batch, start, end):
        for day, opens, closes in spans:
            planned[(rule.pk, school_id, opens)] = (
                day,
                closes,
                closes + terms.grace,
                terms.required,
            )
    existing = ObligationWindow.objects.filter(
        school_id__in=batch, date__lte=end, window_end__gt=_at(start)
    ).values_list(*WINDOW_COLUMNS)
    stale, unplanned, gone, recount = [], [], [], []
    for (
        pk,
        rule_id,
        school_id,
        opens,
        day,
        closes,
        due,
        required,
        is_planned,
        done,
        excused,
    ) in existing:
        shape = planned.pop((rule_id, school_id, opens), None)
        if shape is None:
            if not done and not excused:
                gone.append(pk)
            elif is_planned:
                unplanned.append(pk)
            continue
        if (day, closes, due, required, is_planned) != (*shape, True):
            stale.append(ObligationWindow(pk=pk, date=shape[0], window_end=shape[1]))
            stale[-1].due_at, stale[-1].required, stale[-1].planned = shape[2], shape[3], True
            if required != shape[3] and done:
                recount.append((rule_id, school_id, opens))
    _insert(
        [
            (rule_id, school_id, opens, day, closes, due, required)
            for (rule_id, school_id, opens), (day, closes, due, required) in planned.items()
        ]
    )
    ObligationWindow.objects.bulk_update(
        stale, ["date", "window_end", "due_at", "required", "planned"], batch_size=2000
    )
    ObligationWindow.objects.filter(pk__in=unplanned).update(planned=False)
    ObligationWindow.objects.filter(pk__in=gone).delete()
    for key in recount:
        # The required count changed under recorded completions: done, late or partial anew.
        _recount(*key)
    counts["inserted"] += len(planned)
    counts["updated"] += len(stale)
    counts["unplanned"] += len(unplanned)
    counts["deleted"] += len(gone)
    _cover(batch, start, end)


def _insert(rows):
    """New window rows, with COPY on PostgreSQL (a school year of a city is millions of them).

    A round recorded into one of these windows since they were read makes
    the COPY fail on the unique constraint: then they go in row by row
    around it.
    """
    try:
        # COPY goes round Django's cursor wrapper: its errors are made Django's here.
        with transaction.atomic(), connection.wrap_database_errors:
            write_rows(ObligationWindow, INSERTED, rows)
    except IntegrityError:
        ObligationWindow.objects.bulk_create(
            [ObligationWindow(**dict(zip(INSERTED, row, strict=True))) for row in rows],
            batch_size=2000,
            ignore_conflicts=True,
        )


def _cover(batch, start, end):
    """Coverage of each school of `batch` grows to include [start, end] (kept contiguous)."""
    coverage = ObligationCoverage.objects.filter(school_id__in=batch)
    known = {
        pk: (first, last) for pk, first, last in coverage.values_list("school_id", "first", "last")
    }
    rows = []
    for school_id in batch:
        first, last = known.get(school_id, (start, end))
        if first > end + ONE_DAY or last < start - ONE_DAY:
            first, last = start, end  # a gap between: only the new range is known to be current
        first, last = min(first, start), max(last, end)
        rows.append(ObligationCoverage(school_id=school_id, first=first, last=last))
    ObligationCoverage.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["school"], update_fields=["first", "last"]
    )


def ensure_windows(schools, start: datetime.date, end: datetime.date) -> None:
    """Materialise the windows of `schools` (queryset or ids) over [start, end] where not yet done.

    One query when every school's coverage already includes the range; else
    materialise() for the dates each school lacks.
    """
    if not isinstance(schools, QuerySet):
        schools = School.objects.filter(pk__in=list(schools))
    lacking = (
        schools.filter(
            Q(obligation_coverage__isnull=True)
            | Q(obligation_coverage__first__gt=start)
            | Q(obligation_coverage__last__lt=end)
        )
        .order_by()
        .values_list("pk", "obligation_coverage__first", "obligation_coverage__last")
    )
    gaps = defaultdict(list)
    for pk, first, last in lacking:
        if first is None or first > end + ONE_DAY or last < start - ONE_DAY:
            gaps[(start, end)].append(pk)
            continue
        if start < first:
            gaps[(start, first - ONE_DAY)].append(pk)
        if last < end:
            gaps[(last + ONE_DAY, end)].append(pk)
    for (first, last), school_ids in gaps.items():
        materialise(school_ids, first, last)


def forget_windows(schools=None) -> None:
    """What decides the windows of `schools` (a queryset; None: all) changed: materialise anew."""
    coverage = ObligationCoverage.objects.all()
    if schools is not None:
        coverage = coverage.filter(school__in=schools)
    coverage.delete()


# --- Counting ------------------------------------------------------------------------------


@dataclass
class RateRow:
    """Completion over the windows of a school, district, city or day."""

    key: object
    label: str
    due: int = 0  # windows whose grace period has ended
    excused: int = 0
    done: int = 0
    late: int = 0
    done_early: int = 0  # done while still open: counted, though not yet due

    @property
    def counted(self) -> int:
        return self.due - self.excused + self.done_early

    @property
    def missed(self) -> int:
        return max(self.counted - self.done - self.late, 0)

    @property
    def rate(self) -> float | None:
        return round((self.done + self.late) / self.counted, 4) if self.counted else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.done / self.counted, 4) if self.counted else None


def window_counts(prefix: str, now) -> dict:
    """RateRow's counts as aggregates over the windows at `prefix` ("" or a relation + "__")."""

    def where(**conditions):
        return Q(**{f"{prefix}{name}": value for name, value in conditions.items()})

    satisfied = where(status__in=SATISFIED)
    due = where(due_at__lte=now)
    column = prefix.rstrip("_") or "pk"
    return {
        "due": Count(column, filter=due),
        "done": Count(column, filter=where(status=WindowStatus.DONE)),
        "late": Count(column, filter=where(status=WindowStatus.LATE)),
        "done_early": Count(column, filter=satisfied & ~due),
        "excused": Count(column, filter=where(excused=True) & ~satisfied & due),
    }


def _window_filter(prefix, start, end, rules, domain) -> Q:
    conditions = {"planned": True, "date__lte": end, "window_end__gt": _at(start)}
    if rules is not None:
        conditions["rule_id__in"] = [getattr(rule, "pk", rule) for rule in rules]
    if domain:
        conditions["rule__domain"] = domain
    return Q(**{f"{prefix}{name}": value for name, value in conditions.items()})


# (done + late) / counted over the counts window_counts() annotates; NULL when nothing counts.
RATE = Case(
    When(
        Q(due__gt=F("excused") - F("done_early")),
        then=Cast(F("done") + F("late"), FloatField())
        / Cast(F("due") - F("excused") + F("done_early"), FloatField()),
    ),
    default=Value(None, output_field=FloatField()),
    output_field=FloatField(),
)
# Orderings of completion_rates() besides its groups' names (or days).
ORDERINGS = {
    "rate": F("rate").asc(nulls_last=True),
    "-rate": F("rate").desc(nulls_last=True),
}

LABELS = {
    "school": ("school_id", "school__name"),
    "district": ("school__district_id", "school__district__name"),
    "city": ("school__district__city_id", "school__district__city__name"),
    "day": ("date", None),
}


def completion_rates(
    user,
    start,
    end,
    group_by="school",
    rules=None,
    domain=None,
    schools=None,
    now=None,
    ordering=None,
) -> list[RateRow]:
    """Completion of the windows overlapping [start, end] in `user`'s scope, grouped.

    Windows whose grace period has not ended count only once done. Queries:
    the user's scope (when not cached), ensure_windows() (one in the steady
    state) and ONE aggregate over ObligationWindow. Groups without a single
    window in the range have no row. Rows come by name (or day), or by
    `ordering` ("rate": the lowest first, "-rate"), sorted in the database.
    """
    if group_by not in GROUPINGS:
        raise ValueError(group_by)
    now = now or timezone.now()
    scoped = School.objects.for_user(user)
    if schools is not None:
        if isinstance(schools, QuerySet):
            scoped = scoped.filter(pk__in=schools.values("pk"))
        else:
            scoped = scoped.filter(pk__in=[getattr(s, "pk", s) for s in schools])
    ensure_windows(scoped, start, end)
    key, label = LABELS[group_by]
    # Grouped by the key alone, the name an aggregate of it: the database
    # hashes the groups instead of sorting every window by name first.
    names = {} if label is None else {"label": Max(label)}
    aggregate = (
        ObligationWindow.objects.filter(_window_filter("", start, end, rules, domain))
        .filter(school__in=scoped.order_by().values("pk"))
        .values(key)
        .annotate(**names, **window_counts("", now))
        .annotate(rate=RATE)
        .order_by(*([ORDERINGS[ordering]] if ordering else []), *names, key)
    )
    return [
        RateRow(
            key=values[key],
            label=values[key].isoformat() if label is None else values["label"],
            due=values["due"],
            excused=values["excused"],
            done=values["done"],
            late=values["late"],
            done_early=values["done_early"],
        )
        for values in aggregate
    ]


def school_rates(schools, start, end, *, domain=None, codes=None, now=None) -> dict[int, RateRow]:
    """{school id: RateRow} of the windows overlapping [start, end] of `schools` (a queryset).

    completion_rates() without a user: for callers handed an already scoped
    queryset (the indicators, campussafety/indicators.py). `codes` narrows to
    the rules of those codes (a city's rule and the national default alike).
    ensure_windows() and ONE aggregate, whatever the number of schools.
    """
    now = now or timezone.now()
    ensure_windows(schools, start, end)
    windows = ObligationWindow.objects.filter(
        _window_filter("", start, end, None, domain),
        school__in=schools.order_by().values("pk"),
    )
    if codes is not None:
        windows = windows.filter(rule__code__in=list(codes))
    aggregate = windows.values("school_id").annotate(**window_counts("", now)).order_by()
    return {
        values["school_id"]: RateRow(
            key=values["school_id"],
            label="",
            due=values["due"],
            excused=values["excused"],
            done=values["done"],
            late=values["late"],
            done_early=values["done_early"],
        )
        for values in aggregate
    }


def rate_annotations(queryset, relation, start, end, rules=None, now=None):
    """`queryset` (schools, districts or cities) annotated with RateRow's counts and `rate`.

    `relation` leads from the queryset's model to ObligationWindow
    ("obligation_windows", "schools__obligation_windows", ...). The windows'
    range and rules go into the join, so rows without windows stay, with
    zeros and a rate of None (sorted last either way).
    """
    now = now or timezone.now()
    annotated = queryset.annotate(
        rate_windows=FilteredRelation(
            relation, condition=_window_filter(f"{relation}__", start, end, rules, None)
        )
    ).annotate(**window_counts("rate_windows__", now))
    return annotated.annotate(rate=RATE)


def rate_row(annotated) -> RateRow:
    """The RateRow of one row annotated by rate_annotations()."""
    return RateRow(
        key=annotated.pk,
        label=str(annotated),
        due=annotated.due,
        excused=annotated.excused,
        done=annotated.done,
        late=annotated.late,
        done_early=annotated.done_early,
    )


# --- Keeping the materialised windows current ----------------------------------------------


def _schools_of(instance) -> QuerySet | None:
    """The schools whose windows a calendar or rule row decides; None for every school."""
    school_id = getattr(instance, "school_id", None)
    if school_id:
        return School.objects.filter(pk=school_id)
    district_id = getattr(instance, "district_id", None)
    if district_id:
        return School.objects.filter(district_id=district_id)
    city_id = getattr(instance, "city_id", None)
    if city_id:
        return School.objects.filter(district__city_id=city_id)
    return None


def forget_windows_of(sender, instance, **kwargs):
    """A signal receiver (schools/signals.py): an edit of what decides windows, not a
    bulk write, forgets the windows of the schools it decides. Bulk writes (the demo
    seed, data migrations) call forget_windows() themselves."""
    if sender is School:
        forget_windows(School.objects.filter(pk=instance.pk))
    else:
        forget_windows(_schools_of(instance))


def missed_windows(
    schools, first, last, now, domain=None, bases=None, due_after=None
) -> list[Window]:
    """The windows dated first..last of `schools` missed at `now`, as due_windows() gives them;
    only those due after `due_after` when given (what a sweep has not seen yet).

    For the sweeps: ensure_windows() (one query in the steady state), one query
    of the rows not done, not excused and past their grace period, instead of
    working out every window of every school from the calendar, and one of their
    rules: a city's morning misses thousands of windows of a few dozen rules, so
    each rule is read once, not joined and built again on every row.
    """
    ensure_windows(schools, first, last)
    if not isinstance(schools, QuerySet):
        schools = School.objects.filter(pk__in=list(schools))
    rows = ObligationWindow.objects.filter(
        school__in=schools.order_by().values("pk"),
        planned=True,
        date__gte=first,
        date__lte=last,
        due_at__lte=now,
        excused=False,
    ).exclude(status__in=SATISFIED)
    if due_after is not None:
        rows = rows.filter(due_at__gt=due_after)
    if domain:
        rows = rows.filter(rule__domain=domain)
    if bases:
        rows = rows.filter(rule__basis__in=bases)
    # A window's identity, span and count: the first eight of a window row's fields.
    found = list(
        rows.order_by("window_start", "school_id", "rule_id").values_list(*WINDOW_FIELDS[:8])
    )
    rules = ObligationRule.objects.in_bulk({row[0] for row in found})
    return [
        Window(
            rule_id=rule_id,
            school_id=school_id,
            date=date,
            start=start,
            end=end,
            due=due,
            required=required,
            completions=completions,
            status=WindowStatus.MISSED,
            rule=rules[rule_id],
        )
        for rule_id, school_id, date, start, end, due, required, completions in found
    ]
