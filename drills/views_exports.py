"""The term's drill records of a school and the district's summary, as .xlsx or printable HTML.

?on= a day of the term (today by default); ?format=xlsx downloads. School
records are for the school's staff and the bureau; the district summary for
the bureau.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook

from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from campussafety.exports import log_download
from campussafety.replica import reads_from_replica
from campussafety.spreadsheets import add_sheet, xlsx_response
from drills.exports import district_summary, drill_records, record_header, summary_header, term_of
from drills.forms_plans import TermForm
from drills.models import Drill
from schools.models import District, School

TEMPLATE = "drills/plans/records.html"


class RecordsMixin(LoginRequiredMixin):
    def day(self, request):
        form = TermForm(request.GET)
        if not form.is_valid():
            return None, form
        return form.cleaned_data["on"] or timezone.localdate(), form

    def refuse(self, request, form, message=None):
        if message:
            form.add_error("on", message)
        return render(request, TEMPLATE, {"form": form}, status=400)

    def respond(self, request, title, filename, header, rows, on, first=None, last=None):
        if request.GET.get("format") == "xlsx":
            workbook = Workbook()
            workbook.remove(workbook.active)
            add_sheet(workbook, title, header, rows)
            log_download(request, filename, title, Drill, len(rows))
            return xlsx_response(workbook, f"{filename}-{on:%Y-%m-%d}.xlsx")
        return render(
            request,
            TEMPLATE,
            {
                "title": title,
                "header": header,
                "rows": rows,
                "on": on,
                "first": first,
                "last": last,
            },
        )


@reads_from_replica
class SchoolRecordsView(RecordsMixin, View):
    def get(self, request, pk):
        school = get_object_or_404(School.objects.for_user(request.user), pk=pk)
        if not Scope.of(request.user).contains(school, roles=SCHOOL_STAFF | BUREAU):
            raise PermissionDenied
        on, form = self.day(request)
        if on is None:
            return self.refuse(request, form)
        term = term_of([school.pk], on).get(school.pk)
        if term is None:
            return self.refuse(request, form, _("No term of this school contains this day."))
        rows = drill_records(school, *term)
        title = _("Drill records · %(school)s") % {"school": school.name}
        return self.respond(
            request, title, f"drill-records-{school.code}", record_header(), rows, on, *term
        )


@reads_from_replica
class DistrictSummaryView(RecordsMixin, View):
    def get(self, request, pk):
        district = get_object_or_404(District.objects.for_user(request.user), pk=pk)
        if not Scope.of(request.user).contains(district, roles=BUREAU):
            raise PermissionDenied
        on, form = self.day(request)
        if on is None:
            return self.refuse(request, form)
        schools = list(
            School.objects.for_user(request.user, roles=BUREAU).filter(district=district)
        )
        rows = district_summary(schools, on)
        title = _("Drills of the term · %(district)s") % {"district": district.name}
        return self.respond(
            request, title, f"drill-summary-{district.code}", summary_header(), rows, on
        )
