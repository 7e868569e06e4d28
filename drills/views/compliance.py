"""The bureaus' term compliance with the drill requirements: city → district → school.

The rates come from schools.obligation_rates.completion_rates() (one aggregate over
the obligation summary rows); which requirement a school is behind on comes
from due_windows() over the district's schools, a handful of queries whatever
their number.
"""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.scope import BUREAU, Scope
from campussafety.dates import date_range_errors
from campussafety.export_views import ExportMixin
from campussafety.exports import PLACE_HEADERS, Column, Table, percent
from campussafety.ids import id_or_404
from drills.views.calendar import half_year
from schools.choices import WindowStatus
from schools.models import District, ObligationWindow, School
from schools.obligation_rates import completion_rates
from schools.obligations import due_windows

DOMAIN = "drills"
LAST_INSTANT = datetime.timedelta(microseconds=1)


def period(query):
    """The term asked for (?start=&end=, ISO dates), else the current half-year."""
    start, end = half_year(timezone.localdate())
    try:
        start = datetime.date.fromisoformat(query.get("start") or start.isoformat())
        end = datetime.date.fromisoformat(query.get("end") or end.isoformat())
    except ValueError:
        return half_year(timezone.localdate())
    if date_range_errors(start, end, 366):
        return half_year(timezone.localdate())
    return start, end


def behind_by_school(schools, start, end, now):
    """{school id: [requirement names with a missed period]} from one due_windows() call."""
    behind = {}
    for window in due_windows(schools, start, end, domain=DOMAIN, now=now):
        if window.status == WindowStatus.MISSED:
            names = behind.setdefault(window.school_id, [])
            if window.rule.name not in names:
                names.append(window.rule.name)
    return behind


def compliance(user, query) -> dict:
    """What the compliance page shows for `query`, and its export: the period, the level,
    and its rows (per district, per school, or a school's requirements with their periods)."""
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*BUREAU)):
        raise PermissionDenied(_("Drill compliance is for education bureau staff."))
    start, end = period(query)
    now = timezone.now()
    context = {"start": start, "end": end, "level": "city"}
    if query.get("school"):
        school = get_object_or_404(
            School.objects.for_user(user).select_related("district"),
            pk=id_or_404(query["school"]),
        )
        windows = due_windows([school.pk], start, end, domain=DOMAIN, now=now)
        by_rule = {}
        for window in windows:
            by_rule.setdefault(window.rule, []).append(window)
        context.update(level="school", school=school, requirements=list(by_rule.items()))
    elif query.get("district"):
        district = get_object_or_404(
            District.objects.for_user(user), pk=id_or_404(query["district"])
        )
        schools = School.objects.for_user(user).filter(district=district)
        rows = completion_rates(user, start, end, "school", domain=DOMAIN, schools=schools, now=now)
        behind = behind_by_school(schools, start, end, now)
        for row in rows:
            row.behind = behind.get(row.key, [])
        rows.sort(key=lambda row: (row.rate is None, row.rate or 0, row.label))
        context.update(level="district", district=district, rows=rows)
    else:
        rows = completion_rates(user, start, end, "district", domain=DOMAIN, now=now)
        rows.sort(key=lambda row: (row.rate is None, row.rate or 0, row.label))
        context["rows"] = rows
    return context


def compliance_table(user, query) -> Table:
    """The compliance page's rows as a file: a row per district or school, or per period of
    each requirement of a school."""
    found = compliance(user, query)
    dates = {"start": found["start"], "end": found["end"]}
    if found["level"] == "school":
        title = _("Drill compliance · %(school)s · %(start)s – %(end)s")
        rows = [window for _rule, windows in found["requirements"] for window in windows]
        columns = [
            Column(gettext_lazy("Requirement"), lambda w: w.rule.name),
            Column(gettext_lazy("From"), lambda w: timezone.localdate(w.start)),
            # A period's end is the next midnight: the file names its last day.
            Column(gettext_lazy("To"), lambda w: timezone.localdate(w.end - LAST_INSTANT)),
            Column(gettext_lazy("Drills held"), lambda w: w.completions),
            Column(gettext_lazy("Required"), lambda w: w.required),
            Column(gettext_lazy("Status"), lambda w: WindowStatus(w.status).label),
        ]
        dates["school"] = found["school"].name
    else:
        title = _("Drill compliance · %(start)s – %(end)s")
        rows = found["rows"]
        # A district's rows are its schools; the city's, its districts.
        first = PLACE_HEADERS["school" if found["level"] == "district" else "district"]
        columns = [
            Column(first, lambda row: row.label),
            Column(gettext_lazy("Met (%)"), lambda row: percent(row.rate)),
            Column(gettext_lazy("Missed"), lambda row: row.missed),
        ]
        if found["level"] == "district":
            columns.append(Column(gettext_lazy("Behind on"), lambda row: "、".join(row.behind)))
    return Table(
        name="drill-compliance",
        title=title % dates,
        model=ObligationWindow,
        as_of=min(found["end"], timezone.localdate()),
        rows=rows,
        columns=columns,
    )


class ComplianceView(LoginRequiredMixin, ExportMixin, TemplateView):
    """The term's compliance by district, by school (?district=), or a school's requirements
    (?school=); ?format=xlsx|csv exports the rows shown."""

    template_name = "drills/compliance.html"
    export_builder = staticmethod(compliance_table)

    def get_context_data(self, **kwargs):
        context = compliance(self.request.user, self.request.GET)
        return super().get_context_data(**context, **kwargs)
