"""The month's fire patrol and fire check records (防火巡查/检查记录), as bureaus file them.

For a school, or a district (one sheet per school, or a summary), as .xlsx or
printable HTML. The rows are the obligation windows of the fire rules: date,
window, status, completed at, excuse reason, and the round behind each window
(round_cells() below).
"""

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from openpyxl import Workbook

from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from campussafety.exports import log_download
from campussafety.replica import reads_from_replica
from campussafety.spreadsheets import add_sheet, xlsx_response
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


def header():
    return [
        _("School"),
        _("Inspection"),
        _("Date"),
        _("Window"),
        _("Status"),
        _("Completed at"),
        _("Excuse reason"),
        *(str(column) for column in ROUND_COLUMNS),
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


def cells(record: Record) -> list:
    return [
        record.school,
        record.rule,
        record.date,
        record.window,
        record.status_label,
        record.completed_at,
        record.reason,
        *record.extra,
    ]


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


class FireExportMixin(LoginRequiredMixin):
    """?month=YYYY-MM (this month by default), ?format=xlsx or html (the printable page)."""

    def month(self, request):
        form = MonthForm(request.GET, user=request.user)
        if not form.is_valid():
            return None, form
        return month_bounds(form.cleaned_data["month"]), form

    def respond(self, request, bounds, title, filename, records, by_school):
        start, end = bounds
        layout = request.GET.get("layout") or "sheets"
        if request.GET.get("format") == "xlsx":
            workbook = Workbook()
            workbook.remove(workbook.active)
            if by_school and layout == "summary":
                add_sheet(
                    workbook,
                    _("Summary"),
                    [_("School"), *[WindowStatus(s).label for s in SUMMARY_STATUSES]],
                    [
                        [school, *[counts[s] for s in SUMMARY_STATUSES]]
                        for school, counts in summary(records)
                    ],
                )
            elif by_school:
                grouped: dict[str, list] = {}
                for record in records:
                    grouped.setdefault(record.school, []).append(cells(record))
                for school, rows in grouped.items():
                    add_sheet(workbook, school, header(), rows)
            if not workbook.worksheets:
                add_sheet(workbook, title, header(), [cells(r) for r in records])
            log_download(request, filename, title, ObligationCompletion, len(records))
            return xlsx_response(workbook, f"{filename}-{start:%Y-%m}.xlsx")
        return render(
            request,
            "inspections/fire_records.html",
            {
                "title": title,
                "start": start,
                "end": end,
                "records": records,
                "header": header(),
                "summary": summary(records) if by_school and layout == "summary" else None,
                "statuses": [WindowStatus(s) for s in SUMMARY_STATUSES],
                "month_value": f"{start:%Y-%m}",
            },
        )

    def bad_month(self, request, form):
        return render(request, "inspections/fire_records.html", {"form": form}, status=400)


@reads_from_replica
class SchoolFireExportView(FireExportMixin, View):
    def get(self, request, pk):
        school = get_object_or_404(
            School.objects.for_user(request.user).select_related("district"), pk=pk
        )
        if not Scope.of(request.user).contains(school, roles=SCHOOL_STAFF | BUREAU):
            raise PermissionDenied
        bounds, form = self.month(request)
        if bounds is None:
            return self.bad_month(request, form)
        records = fire_records([school], *bounds)
        title = _("Fire patrol and check records · %(school)s") % {"school": school.name}
        return self.respond(request, bounds, title, f"fire-records-{school.code}", records, False)


@reads_from_replica
class DistrictFireExportView(FireExportMixin, View):
    def get(self, request, pk):
        district = get_object_or_404(District.objects.for_user(request.user), pk=pk)
        scope = Scope.of(request.user)
        if not scope.contains(district, roles=BUREAU):
            raise PermissionDenied
        bounds, form = self.month(request)
        if bounds is None:
            return self.bad_month(request, form)
        schools = list(
            School.objects.for_user(request.user, roles=BUREAU)
            .filter(district=district)
            .select_related("district")
            .order_by("name")
        )
        records = fire_records(schools, *bounds)
        title = _("Fire patrol and check records · %(district)s") % {"district": district.name}
        return self.respond(request, bounds, title, f"fire-records-{district.code}", records, True)
