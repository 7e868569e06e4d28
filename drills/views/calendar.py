"""The school's drill calendar (done, planned and due by requirement) and the plan form."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, TemplateView, UpdateView

from accounts.scope import ADD, BUREAU, CHANGE, SCHOOL_STAFF, Scope
from campussafety.views import save_in_scope
from drills.choices import DrillStatus
from drills.forms import DrillPlanForm
from drills.models import Drill
from drills.views import drill_for
from schools.calendar import school_terms
from schools.models import School
from schools.obligations import due_windows

DONE = (DrillStatus.HELD, DrillStatus.EVALUATED, DrillStatus.CLOSED)


def half_year(today) -> tuple[datetime.date, datetime.date]:
    """The autumn (August to January) or spring (February to July) half-year of `today`."""
    if today.month >= 8:
        return datetime.date(today.year, 8, 1), datetime.date(today.year + 1, 1, 31)
    if today.month == 1:
        return datetime.date(today.year - 1, 8, 1), datetime.date(today.year, 1, 31)
    return datetime.date(today.year, 2, 1), datetime.date(today.year, 7, 31)


def term_around(school_id, today) -> tuple[datetime.date, datetime.date]:
    """The school's term containing `today`, or the half-year around it out of term."""
    for first, last in school_terms([school_id], today, today).get(school_id, ()):
        return first, last
    return half_year(today)


class CalendarChoiceView(LoginRequiredMixin, View):
    """/drills/: the calendar of the user's school, else the bureaus' compliance."""

    def get(self, request):
        first = (
            School.objects.for_user(request.user, roles=SCHOOL_STAFF)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if first is not None:
            return redirect("drills:calendar", pk=first)
        scope = Scope.of(request.user)
        if scope.is_admin or scope.has_role(*BUREAU):
            return redirect("drills:compliance")
        raise PermissionDenied(_("The drill calendar is for school staff and the bureaus."))


class CalendarView(LoginRequiredMixin, TemplateView):
    """A school's term: its drills, done and planned, and each requirement's periods."""

    template_name = "drills/calendar.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        school = get_object_or_404(
            School.objects.for_user(user).select_related("district"), pk=self.kwargs["pk"]
        )
        start, end = term_around(school.pk, timezone.localdate())
        drills = list(
            Drill.objects.for_user(user)
            .filter(school=school, planned_at__date__gte=start, planned_at__date__lte=end)
            .order_by("planned_at")
        )
        windows = due_windows([school.pk], start, end, domain="drills")
        by_rule = {}
        for window in windows:
            by_rule.setdefault(window.rule, []).append(window)
        scope = Scope.of(user)
        return super().get_context_data(
            school=school,
            start=start,
            end=end,
            done=[d for d in drills if d.status in DONE],
            planned=[d for d in drills if d.status not in DONE],
            requirements=list(by_rule.items()),
            may_plan=scope.contains(school, roles=SCHOOL_STAFF),
            **kwargs,
        )


class PlanFormMixin(LoginRequiredMixin):
    model = Drill
    form_class = DrillPlanForm
    template_name = "drills/plan_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        self.object = save_in_scope(self.request.user, form, self.scope_action)
        if self.object is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The drill is planned."))
        return redirect(reverse("drills:live", args=[self.object.pk]))


class PlanCreateView(PlanFormMixin, CreateView):
    scope_action = ADD

    def get_initial(self):
        return {"school": self.request.GET.get("school")}


class PlanUpdateView(PlanFormMixin, UpdateView):
    scope_action = CHANGE

    def get_object(self, queryset=None):
        drill = drill_for(self.request.user, self.kwargs["pk"], CHANGE)
        if drill.status != DrillStatus.PLANNED:
            raise PermissionDenied(_("Only a planned drill's plan can be changed."))
        return drill
