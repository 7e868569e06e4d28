"""The checks pages: a school's service records, alarm tests, video checks and missing kit,
the forms recording them, the kit confirmation posted from the duty log, and the
bureaus' "alarm and video" list.

Every record is written by a service of equipment/checks.py or
equipment/handover.py, which checks the write once (write_in_scope); a
school outside the user's scope is a 404, one they only see is a 403 for a form.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.scope import ADD, VIEW, OutOfScope, Scope
from campussafety.export_views import ExportMixin
from campussafety.exports import Column, Table
from equipment import checks, handover
from equipment.forms_checks import AlarmTestForm, ServiceRecordForm, VideoCheckForm
from equipment.models import (
    AlarmTest,
    KitShortage,
    Location,
    ServiceRecord,
    VideoCheck,
)
from schools.models import School

LISTED = 20
# The "alarm and video" page shows this many schools at most; its export has them all.
LISTED_SCHOOLS = 500
# The "alarm and video" list counts a school as fine if both were done this long ago at most.
RECENT = datetime.timedelta(days=31)


def add_errors(form: Form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


class SchoolMixin(LoginRequiredMixin):
    """The school of the address, through the user's scope (404 outside it)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.school = get_object_or_404(
            School.objects.for_user(request.user).select_related("district"), pk=kwargs["school"]
        )
        return super().dispatch(request, *args, **kwargs)

    def may_add(self, model) -> bool:
        return (
            School.objects.for_user(self.request.user, VIEW, roles=model.access[ADD])
            .filter(pk=self.school.pk)
            .exists()
        )


class SchoolChecksView(SchoolMixin, TemplateView):
    """A school's checks: service records, alarm tests, video checks and missing kit."""

    template_name = "equipment/checks/school.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        school = self.school
        writer = self.may_add(ServiceRecord)
        return {
            **super().get_context_data(**kwargs),
            "school": school,
            "may_record": writer,
            # The pieces covered, for each record's line.
            "services": ServiceRecord.objects.for_user(user)
            .filter(school=school)
            .prefetch_related("items__equipment_type")[:LISTED],
            "alarm_tests": AlarmTest.objects.for_user(user)
            .filter(school=school)
            .select_related("gate")[:LISTED],
            "video_checks": VideoCheck.objects.for_user(user).filter(school=school)[:LISTED],
            "shortages": KitShortage.objects.for_user(user)
            .open()
            .filter(school=school)
            .select_related("location", "equipment_type", "confirmation__confirmed_by"),
            "may_resolve": writer,
        }


class RecordFormView(SchoolMixin, FormView):
    """A form recording one check at the school (school staff only)."""

    template_name = "equipment/checks/form.html"
    model = None
    heading = ""

    def get(self, request, *args, **kwargs):
        self.require_writer()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_writer()
        return super().post(request, *args, **kwargs)

    def require_writer(self):
        if not self.may_add(self.model):
            raise PermissionDenied

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.school, "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "heading": self.heading,
            "school": self.school,
        }

    def form_valid(self, form):
        try:
            saved = form.save()
        except OutOfScope as refused:
            form.add_error(None, refused.args[0])
            return self.form_invalid(form)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(object)s.") % {"object": saved})
        return HttpResponseRedirect(reverse("equipment-checks:school", args=[self.school.pk]))


class ServiceRecordCreateView(RecordFormView):
    model = ServiceRecord
    form_class = ServiceRecordForm

    @property
    def heading(self):
        return _("Record a service")


class AlarmTestCreateView(RecordFormView):
    model = AlarmTest
    form_class = AlarmTestForm

    @property
    def heading(self):
        return _("Record an alarm test")

    def get_initial(self):
        return {"pressed_at": timezone.localtime().replace(second=0, microsecond=0)}


class VideoCheckCreateView(RecordFormView):
    model = VideoCheck
    form_class = VideoCheckForm

    @property
    def heading(self):
        return _("Record a video check")

    def get_initial(self):
        return {"checked_at": timezone.localtime().replace(second=0, microsecond=0)}


class ConfirmKitView(LoginRequiredMixin, View):
    """The duty log's kit slot posts here: "kit complete", or the pieces missing by type."""

    def post(self, request, pk):
        location = get_object_or_404(Location.objects.for_user(request.user), pk=pk)
        if not Scope.of(request.user).contains(location, "stock"):
            raise PermissionDenied
        fallback = reverse("equipment-checks:school", args=[location.school_id])
        try:
            missing = {}
            if request.POST.get("complete") is None:
                for key, value in request.POST.items():
                    if key.startswith("missing_") and value.strip():
                        try:
                            missing[int(key.removeprefix("missing_"))] = int(value)
                        except ValueError:
                            raise ValidationError(
                                _("Give the pieces missing as a number.")
                            ) from None
            handover.confirm_kit(
                request.user, location, missing, handover_ref=request.POST.get("ref", "")
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except OutOfScope as refused:
            messages.error(request, refused.args[0])
        else:
            if missing:
                messages.warning(
                    request, _("Missing pieces recorded at %(place)s.") % {"place": location.name}
                )
            else:
                messages.success(
                    request, _("Kit complete at %(place)s.") % {"place": location.name}
                )
        return HttpResponseRedirect(safe_next(request, fallback))


class ResolveShortageView(LoginRequiredMixin, View):
    """A missing piece is back (POST)."""

    def post(self, request, pk):
        shortage = get_object_or_404(KitShortage.objects.for_user(request.user), pk=pk)
        if not Scope.of(request.user).contains(shortage, "resolve"):
            raise PermissionDenied
        fallback = reverse("equipment-checks:school", args=[shortage.school_id])
        try:
            handover.resolve_shortage(request.user, shortage)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Marked as back: %(piece)s.") % {"piece": shortage})
        return HttpResponseRedirect(safe_next(request, fallback))


def alarm_video_schools(user, query):
    """The schools the "alarm and video" list shows for its query (?district=), in its order."""
    schools = School.objects.for_user(user).select_related("district")
    district = query.get("district", "")
    if district.isdigit():
        schools = schools.filter(district_id=int(district))
    return schools.order_by("district__name", "name", "pk")


def with_figures(schools) -> None:
    """Each school's latest alarm test and video check, as `figures` (one query)."""
    figures = checks.alarm_and_video(School.objects.filter(pk__in=[s.pk for s in schools]))
    for school in schools:
        school.figures = figures[school.pk]


def alarm_video_table(user, query) -> Table:
    """The list as a file, every school of it (the page shows the first LISTED_SCHOOLS)."""
    return Table(
        name="alarm-video",
        title=_("Alarm and video"),
        model=AlarmTest,
        rows=alarm_video_schools(user, query),
        prepare=with_figures,
        columns=[
            Column(gettext_lazy("School"), lambda school: school.name),
            Column(gettext_lazy("District"), lambda school: school.district.name),
            Column(gettext_lazy("Latest alarm test"), lambda s: s.figures.alarm_tested_at),
            Column(gettext_lazy("Reached the police"), lambda s: s.figures.alarm_reached_police),
            Column(gettext_lazy("Latest video check"), lambda s: s.figures.video_checked_at),
            Column(gettext_lazy("Days of video kept"), lambda s: s.figures.video_retention_days),
            Column(gettext_lazy("Cameras down"), lambda s: s.figures.video_cameras_down),
        ],
    )


class AlarmAndVideoView(LoginRequiredMixin, ExportMixin, TemplateView):
    """Every school the user sees with its latest alarm test and video check (bureaus' list);
    ?format=xlsx|csv exports it."""

    template_name = "equipment/checks/alarm_video.html"
    export_builder = staticmethod(alarm_video_table)

    def get_context_data(self, **kwargs):
        schools = list(alarm_video_schools(self.request.user, self.request.GET)[:LISTED_SCHOOLS])
        with_figures(schools)
        since = timezone.now() - RECENT
        rows = [(school, school.figures) for school in schools]
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            "since": since,
            "ok_count": sum(1 for _school, row in rows if row.is_ok(since)),
        }
