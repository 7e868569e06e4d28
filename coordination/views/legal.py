"""Legal vice-presidents' pages: the bureau's view of schools without a current one or
behind on activities (drill-down to a school's appointments and activities), logging an
activity from a phone, and the year's activities per district as a spreadsheet."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from accounts.scope import ADD, BUREAU, Scope
from campussafety.export_views import ExportMixin, export_response, requested_format
from campussafety.exports import Column, Table
from campussafety.ids import id_or_404
from campussafety.views import PAGE_SIZE, save_in_scope
from coordination import legal
from coordination.forms import ActivityForm
from coordination.models import Activity, Appointment
from schools.models import District, School


def year_of(query) -> int:
    """?year=, else this year; a year that is not one is this year."""
    today = timezone.localdate()
    try:
        year = int(query.get("year") or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def require_bureau(user):
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*BUREAU)):
        raise PermissionDenied(_("This view is for education bureau staff."))


def compliance_rows(user, query):
    """(year, schools annotated) the bureau's page lists for its query, and its export:
    ?year=, ?district=, and by default only the schools needing attention (?all=1: all)."""
    require_bureau(user)
    year = year_of(query)
    # The schools the user oversees as bureau staff (not the one they may also run).
    schools = School.objects.for_user(user, roles=BUREAU)
    district = query.get("district")
    if district:
        schools = schools.filter(district_id=id_or_404(district))
    rows = legal.compliance(schools.select_related("district"), year)
    if not query.get("all"):
        rows = legal.needing_attention(rows)
    return year, rows.order_by("district__name", "name", "pk")


def compliance_table(user, query) -> Table:
    year, rows = compliance_rows(user, query)
    return Table(
        name="legal-vice-presidents",
        title=_("Legal vice-presidents · %(year)s") % {"year": year},
        model=Appointment,
        rows=rows,
        columns=[
            Column(gettext_lazy("School"), lambda school: school.name),
            Column(gettext_lazy("District"), lambda school: school.district.name),
            Column(gettext_lazy("Legal vice-president appointed"), lambda school: school.has_vp),
            Column(gettext_lazy("Activities"), lambda school: school.activities),
            Column(gettext_lazy("Expected so far"), lambda school: school.expected),
        ],
    )


class ComplianceView(LoginRequiredMixin, ExportMixin, ListView):
    """The bureau's schools: current legal vice-president, this year's activities against the
    minimum. By default only those needing attention; ?all=1 for every school;
    ?format=xlsx|csv exports them."""

    template_name = "coordination/legal_compliance.html"
    paginate_by = PAGE_SIZE
    export_builder = staticmethod(compliance_table)

    def get_queryset(self):
        self.year, rows = compliance_rows(self.request.user, self.request.GET)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["year"] = self.year
        context["districts"] = District.objects.for_user(self.request.user, roles=BUREAU).order_by(
            "name"
        )
        context["showing_all"] = bool(self.request.GET.get("all"))
        # What each district's activities file is asked for (ActivityExportView).
        context["activities_query"] = f"year={self.year}"
        return context


class SchoolLegalView(LoginRequiredMixin, View):
    """One school: its appointments (history, phones masked) and this year's activities."""

    def get(self, request, pk):
        school = get_object_or_404(
            School.objects.for_user(request.user).select_related("district"), pk=pk
        )
        year = year_of(request.GET)
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


def activity_table(user, query) -> Table:
    """The year's activities of one district's schools (?district=, ?year=), a row each."""
    district = get_object_or_404(
        District.objects.for_user(user), pk=id_or_404(query.get("district"))
    )
    # Through a bureau role over this district, not any role the user holds somewhere.
    if not District.objects.for_user(user, roles=BUREAU).filter(pk=district.pk).exists():
        raise PermissionDenied(_("This export is for education bureau staff."))
    year = year_of(query)
    rows = (
        Activity.objects.for_user(user)
        .filter(school__district=district, held_on__year=year)
        # school, appointment: each row names its school and legal vice-president.
        .select_related("school", "appointment")
        .order_by("school__name", "held_on", "pk")
    )
    return Table(
        name=f"legal-vp-activities-{district.code}-{year}",
        title=_("Legal vice-presidents' activities · %(district)s · %(year)s")
        % {"district": district.name, "year": year},
        model=Activity,
        rows=rows,
        columns=[
            Column(gettext_lazy("School"), lambda a: a.school.name),
            Column(gettext_lazy("Date"), lambda a: a.held_on),
            Column(gettext_lazy("Type"), lambda a: a.get_activity_type_display()),
            Column(gettext_lazy("Audience"), lambda a: a.get_audience_display()),
            Column(gettext_lazy("Participants"), lambda a: a.participants),
            Column(
                gettext_lazy("Legal vice-president"),
                lambda a: a.appointment.name if a.appointment else "",
            ),
            Column(gettext_lazy("Note"), lambda a: a.note),
        ],
    )


class ActivityExportView(LoginRequiredMixin, View):
    """The year's activities of one district's schools, one row each, as .xlsx (or ?format=csv),
    through the shared export: the user's unit and date on top, the access log."""

    def get(self, request, pk):
        query = request.GET.copy()
        query["district"] = str(pk)
        return export_response(request, activity_table, requested_format(request) or "xlsx", query)
