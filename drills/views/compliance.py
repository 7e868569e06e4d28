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
from django.views.generic import TemplateView

from accounts.scope import BUREAU, Scope
from campussafety.dates import date_range_errors
from campussafety.ids import id_or_404
from drills.views.calendar import half_year
from schools.choices import WindowStatus
from schools.models import District, School
from schools.obligation_rates import completion_rates
from schools.obligations import due_windows

DOMAIN = "drills"


def period(request):
    """The term asked for (?start=&end=, ISO dates), else the current half-year."""
    start, end = half_year(timezone.localdate())
    try:
        start = datetime.date.fromisoformat(request.GET.get("start") or start.isoformat())
        end = datetime.date.fromisoformat(request.GET.get("end") or end.isoformat())
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


class ComplianceView(LoginRequiredMixin, TemplateView):
    template_name = "drills/compliance.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        scope = Scope.of(user)
        if not (scope.is_admin or scope.has_role(*BUREAU)):
            raise PermissionDenied(_("Drill compliance is for education bureau staff."))
        start, end = period(self.request)
        now = timezone.now()
        context = {"start": start, "end": end, "level": "city"}
        if self.request.GET.get("school"):
            school = get_object_or_404(
                School.objects.for_user(user).select_related("district"),
                pk=id_or_404(self.request.GET["school"]),
            )
            windows = due_windows([school.pk], start, end, domain=DOMAIN, now=now)
            by_rule = {}
            for window in windows:
                by_rule.setdefault(window.rule, []).append(window)
            context.update(level="school", school=school, requirements=list(by_rule.items()))
        elif self.request.GET.get("district"):
            district = get_object_or_404(
                District.objects.for_user(user), pk=id_or_404(self.request.GET["district"])
            )
            schools = School.objects.for_user(user).filter(district=district)
            rows = completion_rates(
                user, start, end, "school", domain=DOMAIN, schools=schools, now=now
            )
            behind = behind_by_school(schools, start, end, now)
            for row in rows:
                row.behind = behind.get(row.key, [])
            rows.sort(key=lambda row: (row.rate is None, row.rate or 0, row.label))
            context.update(level="district", district=district, rows=rows)
        else:
            rows = completion_rates(user, start, end, "district", domain=DOMAIN, now=now)
            rows.sort(key=lambda row: (row.rate is None, row.rate or 0, row.label))
            context["rows"] = rows
        return super().get_context_data(**context, **kwargs)
