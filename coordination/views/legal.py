"""Legal vice-presidents' pages: the bureau's view of schools without a current one or
behind on activities (drill-down to a school's appointments and activities), logging an
activity from a phone, and the year's activities per district as a spreadsheet."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView
from openpyxl import Workbook

from accounts.scope import ADD, BUREAU, Scope
from campussafety.ids import id_or_404
from campussafety.spreadsheets import add_sheet, xlsx_response
from campussafety.views import PAGE_SIZE, save_in_scope
from coordination import legal
from coordination.forms import ActivityForm
from coordination.models import Activity, Appointment
from schools.models import District, School


def year_of(request) -> int:
    """?year=, else this year; a year that is not one is this year."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def require_bureau(user):
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*BUREAU)):
        raise PermissionDenied(_("This view is for education bureau staff."))


class ComplianceView(LoginRequiredMixin, ListView):
    """The bureau's schools: current legal vice-president, this year's activities against the
    minimum. By default only those needing attention; ?all=1 for every school."""

    template_name = "coordination/legal_compliance.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        require_bureau(self.request.user)
        self.year = year_of(self.request)
        # The schools the user oversees as bureau staff (not the one they may also run).
        schools = School.objects.for_user(self.request.user, roles=BUREAU)
        district = self.request.GET.get("district")
        if district:
            schools = schools.filter(district_id=id_or_404(district))
        rows = legal.compliance(schools.select_related("district"), self.year)
        if not self.request.GET.get("all"):
            rows = legal.needing_attention(rows)
        return rows.order_by("district__name", "name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["year"] = self.year
        context["districts"] = District.objects.for_user(self.request.user, roles=BUREAU).order_by(
            "name"
        )
        context["showing_all"] = bool(self.request.GET.get("all"))
        return context


class SchoolLegalView(LoginRequiredMixin, View):
    """One school: its appointments (history, phones masked) and this year's activities."""

    def get(self, request, pk):
        school = get_object_or_404(
            School.objects.for_user(request.user).select_related("district"), pk=pk
        )
        year = year_of(request)
        row = legal.compliance(School.objects.filter(pk=school.pk), year).get()
        return render(
            request,
            "coordination/legal_school.html",
            {
                "school": school,
                "year": year,
                "row": row,
                "appointments": Appointment.objects.for_user(request.user).filter(school=school),
                "activities": Activity.objects.for_user(request.user)
                .filter(school=school, held_on__year=year)
                .select_related("appointment"),
                "may_log": Scope.of(request.user).can(Activity, ADD),
            },
        )


class ActivityAddView(LoginRequiredMixin, View):
    """Log an activity from a phone (?school= preselects the school)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not Scope.of(request.user).can(Activity, ADD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        heading = _("Log a legal vice-president's activity")
        return render(
            self.request,
            "coordination/form.html",
            {"form": form, "heading": heading, "phone": True},
            status=status,
        )

    def get(self, request):
        initial = {"held_on": timezone.localdate(), "school": request.GET.get("school")}
        return self.render_form(ActivityForm(user=request.user, initial=initial))

    def post(self, request):
        form = ActivityForm(request.POST, user=request.user)
        form.instance.recorded_by = request.user
        if form.is_valid():
            legal.with_appointment(form.instance)
            activity = save_in_scope(request.user, form, ADD)
            if activity is not None:
                messages.success(request, _("Saved %(object)s.") % {"object": activity})
                return redirect("coordination:legal-school", activity.school_id)
        return self.render_form(form, status=400)


class ActivityExportView(LoginRequiredMixin, View):
    """The year's activities of one district's schools, one row each, as .xlsx."""

    def get(self, request, pk):
        district = get_object_or_404(District.objects.for_user(request.user), pk=pk)
        # Through a bureau role over this district, not any role the user holds somewhere.
        if not District.objects.for_user(request.user, roles=BUREAU).filter(pk=pk).exists():
            raise PermissionDenied(_("This export is for education bureau staff."))
        year = year_of(request)
        rows = (
            Activity.objects.for_user(request.user)
            .filter(school__district=district, held_on__year=year)
            .order_by("school__name", "held_on", "pk")
            .values_list(
                "school__name",
                "held_on",
                "activity_type",
                "audience",
                "participants",
                "appointment__name",
                "note",
            )
        )
        types = dict(Activity._meta.get_field("activity_type").choices)
        audiences = dict(Activity._meta.get_field("audience").choices)
        workbook = Workbook()
        workbook.remove(workbook.active)
        add_sheet(
            workbook,
            f"{district.name} {year}",
            [
                _("School"),
                _("Date"),
                _("Type"),
                _("Audience"),
                _("Participants"),
                _("Legal vice-president"),
                _("Note"),
            ],
            (
                [school, held_on, str(types[kind]), str(audiences[aud]), n, name or "", note]
                for school, held_on, kind, aud, n, name, note in rows
            ),
        )
        return xlsx_response(workbook, f"legal-vp-activities-{district.name}-{year}.xlsx")
