"""The month's fire patrol and fire check records (防火巡查/检查记录), as bureaus file them.

For a school, or a district (one sheet per school, or ?layout=summary a count
per school), as a printable page, or ?format=xlsx|csv its file through the
shared export (campussafety/export_views.py: the user's unit and the as-of
date on top, the access log). The rows are the obligation windows of the fire
rules: date, window, status, completed at, excuse reason, and the round behind
each window (round_cells() below). The page and its file read the same rows
(`school_fire_records()`, `district_fire_records()`).
"""

from collections import Counter
from dataclasses import dataclass
from operator import attrgetter, itemgetter

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from campussafety.export_views import FilingView, invalid_query
from campussafety.exports import Column, Table
from campussafety.ids import id_or_404
from campussafety.replica import reads_from_replica
from inspections.forms import MonthForm, month_bounds
from inspections.models import Finding, Round
from schools.choices import WindowStatus
from schools.models import District, ObligationCompletion, ObligationExcuse, School
from schools.obligations import due_windows, rules_for_cities

# The default rules (and a city's replacements, by the same codes) these records cover.
FIRE_CODES = ("fire-patrol", "fire-check")

# --- The rounds behind the windows -----------------------------------------------------------
# Each window a round satisfied carries that round's inspector, finish time,
# items failed, findings handed on and items corrected on the spot. A window
# done by several rounds shows the first one.
ROUND_SOURCE = "inspections.round:"
ROUND_COLUMNS = [
    gettext_lazy("Inspector"),
    gettext_lazy("Finished at"),
    gettext_lazy("Items failed"),
    gettext_lazy("Findings"),
    gettext_lazy("Corrected on the spot"),
]


def round_cells(windows) -> dict[tuple, list]:
    """Cells of the rounds behind `windows`, by window key (rule id, school id, window start).

    Queries: the windows' completions by rounds, the rounds with their failed
    and corrected counts, and their findings: three whatever the number of windows.
    """
    done = [w for w in windows if w.completions]
    if not done:
        return {}
    completions = (
        ObligationCompletion.objects.filter(
            rule_id__in={w.rule_id for w in done},
            school_id__in={w.school_id for w in done},
            window_start__in={w.start for w in done},
            source__startswith=ROUND_SOURCE,
        )
        .order_by("-occurred_at")
        .values_list("rule_id", "school_id", "window_start", "source")
    )
    # Newest first, so the first round of a window is the one left standing.
    round_of = {
        (rule_id, school_id, start): int(source.removeprefix(ROUND_SOURCE))
        for rule_id, school_id, start, source in completions
        if source.removeprefix(ROUND_SOURCE).isdigit()
    }
    if not round_of:
        return {}
    rounds = {
        round_.pk: round_
        for round_ in Round.objects.filter(pk__in=set(round_of.values()))
        .select_related("inspector")
        .annotate(
            failed=Count("answers", filter=Q(answers__passed=False)),
            corrected=Count("answers", filter=Q(answers__corrected_on_spot=True)),
        )
    }
    findings: dict[int, list[str]] = {}
    for round_id, place, description in Finding.objects.filter(
        round_id__in=list(rounds)
    ).values_list("round_id", "place", "description"):
        findings.setdefault(round_id, []).append(f"{place}: {description}")
    cells = {}
    for key, round_id in round_of.items():
        round_ = rounds.get(round_id)
        if round_ is None:
            continue
        finished = round_.finished_at
        cells[key] = [
            str(round_.inspector),
            timezone.localtime(finished).replace(tzinfo=None) if finished else "",
            round_.failed,
            "; ".join(findings.get(round_id, [])),
            round_.corrected,
        ]
    return cells


# ----------------------------------------------------------------------------------------------


@dataclass
class Record:
    school: str
    rule: str
    date: object
    window: str
    status: str
    status_label: str
    completed_at: object
    reason: str
    extra: list


# A record's columns: the window's, then the round's behind it.
COLUMNS = [
    Column(gettext_lazy("School"), attrgetter("school")),
    Column(gettext_lazy("Inspection"), attrgetter("rule")),
    Column(gettext_lazy("Date"), attrgetter("date")),
    Column(gettext_lazy("Window"), attrgetter("window")),
    Column(gettext_lazy("Status"), attrgetter("status_label")),
    Column(gettext_lazy("Completed at"), attrgetter("completed_at")),
    Column(gettext_lazy("Excuse reason"), attrgetter("reason")),
    *(
        Column(header, lambda record, i=i: record.extra[i])
        for i, header in enumerate(ROUND_COLUMNS)
    ),
]


def fire_records(schools: list[School], start, end) -> list[Record]:
    """The fire windows of `schools` in [start, end], oldest first, with excuse reasons.

    Queries: the city's fire rules, due_windows()'s handful and the excuses: a
    fixed number whatever the number of schools.
    """
    if not schools:
        return []
    city_ids = {school.district.city_id for school in schools}
    rules = {
        rule.pk: rule
        for city_rules in rules_for_cities(
            city_ids, domain="inspections", codes=FIRE_CODES
        ).values()
        for rule in city_rules
    }
    if not rules:
        return []
    windows = due_windows([s.pk for s in schools], start, end, rules=list(rules.values()))
    windows = [w for w in windows if start <= w.date <= end]
    reasons = {
        (row.rule_id, row.school_id, row.window_start): row.reason
        for row in ObligationExcuse.objects.filter(
            rule_id__in=list(rules),
            school_id__in=[s.pk for s in schools],
            window_start__in=[w.start for w in windows if w.excused],
        )
    }
    extra = round_cells(windows)
    names = {school.pk: school.name for school in schools}
    records = []
    for w in windows:
        key = (w.rule_id, w.school_id, w.start)
        local_start, local_end = timezone.localtime(w.start), timezone.localtime(w.end)
        records.append(
            Record(
                school=names[w.school_id],
                rule=w.rule.name,
                date=w.date,
                window=f"{local_start:%m-%d %H:%M} – {local_end:%m-%d %H:%M}",
                status=w.status,
                status_label=str(WindowStatus(w.status).label),
                completed_at=(
                    timezone.localtime(w.satisfied_at).replace(tzinfo=None)
                    if w.satisfied_at
                    else ""
                ),
                reason=reasons.get(key, ""),
                extra=extra.get(key, [""] * len(ROUND_COLUMNS)),
            )
        )
    records.sort(key=lambda r: (r.school, r.rule, r.date, r.window))
    return records


def summary(records: list[Record]) -> list[tuple[str, Counter]]:
    by_school: dict[str, Counter] = {}
    for record in records:
        by_school.setdefault(record.school, Counter())[record.status] += 1
    return sorted(by_school.items())


SUMMARY_STATUSES = (
    WindowStatus.DONE,
    WindowStatus.LATE,
    WindowStatus.MISSED,
    WindowStatus.EXCUSED,
    WindowStatus.OPEN,
    WindowStatus.UPCOMING,
)


# The summary's columns: a school, and its windows by status.
SUMMARY_COLUMNS = [
    Column(gettext_lazy("School"), itemgetter(0)),
    *(
        Column(status.label, lambda row, status=status: row[1][status])
        for status in SUMMARY_STATUSES
    ),
]


@dataclass
class FireRecords:
    title: str
    name: str
    records: list
    start: object
    end: object
    # A district's: a sheet per school, or the summary.
    by_school: bool = False


def month_of(user, query):
    """((first, last) of ?month=, this month by default, or None; the form)."""
    form = MonthForm(query, user=user)
    if not form.is_valid():
        return None, form
    return month_bounds(form.cleaned_data["month"]), form


def school_fire_records(user, query):
    """(FireRecords of ?school= in ?month=, the form); None with the form's errors."""
    school = get_object_or_404(
        School.objects.for_user(user).select_related("district"), pk=id_or_404(query.get("school"))
    )
    if not Scope.of(user).contains(school, roles=SCHOOL_STAFF | BUREAU):
        raise PermissionDenied
    bounds, form = month_of(user, query)
    if bounds is None:
        return None, form
    title = _("Fire patrol and check records · %(school)s") % {"school": school.name}
    name = f"fire-records-{school.code}-{bounds[0]:%Y-%m}"
    return FireRecords(title, name, fire_records([school], *bounds), *bounds), form


def district_fire_records(user, query):
    """(FireRecords of the schools of ?district= in ?month=, the form), for the bureau."""
    district = get_object_or_404(
        District.objects.for_user(user), pk=id_or_404(query.get("district"))
    )
    if not Scope.of(user).contains(district, roles=BUREAU):
        raise PermissionDenied
    bounds, form = month_of(user, query)
    if bounds is None:
        return None, form
    schools = list(
        School.objects.for_user(user, roles=BUREAU)
        .filter(district=district)
        .select_related("district")
        .order_by("name")
    )
    title = _("Fire patrol and check records · %(district)s") % {"district": district.name}
    name = f"fire-records-{district.code}-{bounds[0]:%Y-%m}"
    return FireRecords(title, name, fire_records(schools, *bounds), *bounds, by_school=True), form


def is_summary(found: FireRecords, query) -> bool:
    return found.by_school and query.get("layout") == "summary"


def as_table(found: FireRecords | None, form, query) -> Table:
    if found is None:
        raise invalid_query(form)
    if is_summary(found, query):
        return Table(
            name=f"{found.name}-summary",
            title=found.title,
            model=ObligationCompletion,
            rows=summary(found.records),
            columns=SUMMARY_COLUMNS,
        )
    return Table(
        name=found.name,
        title=found.title,
        model=ObligationCompletion,
        rows=found.records,
        columns=COLUMNS,
        # A district's: a sheet per school, as each school files its own.
        sheet=attrgetter("school") if found.by_school else None,
    )


def school_fire_table(user, query) -> Table:
    return as_table(*school_fire_records(user, query), query)


def district_fire_table(user, query) -> Table:
    return as_table(*district_fire_records(user, query), query)


class FireRecordsView(FilingView):
    """The printable page, or ?format=xlsx|csv its file; the address names the school or
    district."""

    template_name = "inspections/fire_records.html"

    def page_context(self, found, query):
        return {
            "title": found.title,
            "start": found.start,
            "end": found.end,
            "records": found.records,
            "header": [str(column.header) for column in COLUMNS],
            "summary": summary(found.records) if is_summary(found, query) else None,
            "statuses": [WindowStatus(s) for s in SUMMARY_STATUSES],
            "month_value": f"{found.start:%Y-%m}",
        }


@reads_from_replica
class SchoolFireExportView(FireRecordsView):
    key = "school"
    read = staticmethod(school_fire_records)
    export_builder = staticmethod(school_fire_table)


@reads_from_replica
class DistrictFireExportView(FireRecordsView):
    key = "district"
    read = staticmethod(district_fire_records)
    export_builder = staticmethod(district_fire_table)
