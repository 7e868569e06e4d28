"""The annual hazard ledger in the bureau's form (年度学校安全隐患整改销号登记表), and the
report of supervised hazards (挂牌督办), as .xlsx or printable HTML.

The ledger is shown as of a chosen date: hazards found by then, each in the
state its last event before the end of that day left it, its deadline before
any extension approved later, and the rectification, re-check and striking
off only if they had happened by then. One query for the rows, whatever their
number (`ledger_rows`).
"""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
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
from inspections.choices import ExtensionStatus, HazardPhotoKind, HazardState
from inspections.forms_hazards import AsOfForm
from inspections.models import DeadlineExtension, Hazard, HazardEvent, SupervisionOrder
from schools.models import District, School

LEDGER_COLUMNS = (
    gettext_lazy("Ledger number"),
    gettext_lazy("Date found"),
    gettext_lazy("Place"),
    gettext_lazy("Category"),
    gettext_lazy("Description"),
    gettext_lazy("Photos before"),
    gettext_lazy("Level"),
    gettext_lazy("Interim measures"),
    gettext_lazy("Responsible unit"),
    gettext_lazy("Responsible person"),
    gettext_lazy("Measures"),
    gettext_lazy("Funds (yuan)"),
    gettext_lazy("Deadline"),
    gettext_lazy("Photos after"),
    gettext_lazy("How it was rectified"),
    gettext_lazy("Re-checked by"),
    gettext_lazy("Re-checked"),
    gettext_lazy("Status"),
)


def end_of(day: datetime.date):
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def ledger_rows(hazards, year: int, as_of: datetime.date):
    """The hazards of `year` found by `as_of`, each as the ledger stood at the end of that day."""
    end = end_of(as_of)
    state_then = Subquery(
        HazardEvent.objects.filter(hazard=OuterRef("pk"), at__lt=end)
        .exclude(to_state="")
        .order_by("-at", "-pk")
        .values("to_state")[:1]
    )
    # An extension approved after the date moved the deadline from its previous one.
    deadline_then = Subquery(
        DeadlineExtension.objects.filter(
            hazard=OuterRef("pk"), status=ExtensionStatus.APPROVED, decided_at__gte=end
        )
        .order_by("decided_at")
        .values("previous_deadline")[:1]
    )
    before, after = HazardPhotoKind.BEFORE, HazardPhotoKind.AFTER
    return (
        hazards.filter(year=year, found_at__lt=end)
        .exclude(state=HazardState.MERGED)
        .select_related("school", "checkpoint", "responsible_person", "verified_by")
        .annotate(
            state_then=Coalesce(state_then, Value(HazardState.REPORTED.value)),
            deadline_then=Coalesce(deadline_then, "deadline"),
            photos_before=Count(
                "photos", filter=Q(photos__kind=before, photos__uploaded_at__lt=end)
            ),
            photos_after=Count("photos", filter=Q(photos__kind=after, photos__uploaded_at__lt=end)),
        )
        .order_by("school__name", "number")
    )


def ledger_cells(hazard, as_of) -> list:
    """One row of the bureau's form; what happened after `as_of` is left blank."""
    end = end_of(as_of)
    submitted = hazard.submitted_at is not None and hazard.submitted_at < end
    verified = hazard.verified_at is not None and hazard.verified_at < end
    return [
        hazard.ledger_number,
        timezone.localdate(hazard.found_at),
        hazard.where,
        hazard.get_category_display(),
        hazard.description,
        hazard.photos_before,
        hazard.get_level_display(),
        hazard.interim_measures,
        hazard.responsible_unit,
        str(hazard.responsible_person or ""),
        hazard.measures,
        hazard.funds if hazard.funds is not None else "",
        hazard.deadline_then or "",
        hazard.photos_after,
        hazard.rectification if submitted else "",
        str(hazard.verified_by or "") if verified else "",
        timezone.localtime(hazard.verified_at).replace(tzinfo=None) if verified else "",
        str(HazardState(hazard.state_then).label),
    ]


class LedgerExportMixin(LoginRequiredMixin):
    """?year= (this year by default), ?as_of= (today, or the year's last day), ?format=xlsx."""

    def respond(self, request, hazards, title, filename, by_school):
        form = AsOfForm(request.GET)
        if not form.is_valid():
            return render(
                request, "inspections/hazards/ledger_export.html", {"form": form}, status=400
            )
        year, as_of = form.bounds()
        rows = list(ledger_rows(hazards, year, as_of))
        header = [str(c) for c in LEDGER_COLUMNS]
        if by_school:
            header.insert(0, _("School"))
        table = [([r.school.name] if by_school else []) + ledger_cells(r, as_of) for r in rows]
        if request.GET.get("format") == "xlsx":
            workbook = Workbook()
            workbook.remove(workbook.active)
            add_sheet(workbook, str(year), header, table)
            log_download(request, filename, title, Hazard, len(table))
            return xlsx_response(workbook, f"{filename}-{year}-{as_of:%Y%m%d}.xlsx")
        return render(
            request,
            "inspections/hazards/ledger_export.html",
            {
                "title": title,
                "year": year,
                "as_of": as_of,
                "header": header,
                "table": table,
                "form": form,
            },
        )


@reads_from_replica
class SchoolLedgerExportView(LedgerExportMixin, View):
    def get(self, request, pk):
        school = get_object_or_404(School.objects.for_user(request.user), pk=pk)
        if not Scope.of(request.user).contains(school, roles=SCHOOL_STAFF | BUREAU):
            raise PermissionDenied
        hazards = Hazard.objects.for_user(request.user).filter(school=school)
        title = _("Annual school safety hazard rectification ledger · %(name)s") % {
            "name": school.name
        }
        return self.respond(request, hazards, title, f"hazard-ledger-{school.code}", False)


@reads_from_replica
class DistrictLedgerExportView(LedgerExportMixin, View):
    def get(self, request, pk):
        district = get_object_or_404(District.objects.for_user(request.user), pk=pk)
        if not Scope.of(request.user).contains(district, roles=BUREAU):
            raise PermissionDenied
        hazards = Hazard.objects.for_user(request.user, roles=BUREAU).filter(
            school__district=district
        )
        title = _("Annual school safety hazard rectification ledger · %(name)s") % {
            "name": district.name
        }
        return self.respond(request, hazards, title, f"hazard-ledger-{district.code}", True)


SUPERVISED_COLUMNS = (
    gettext_lazy("School"),
    gettext_lazy("Ledger number"),
    gettext_lazy("Description"),
    gettext_lazy("Level"),
    gettext_lazy("Supervised by"),
    gettext_lazy("Issued"),
    gettext_lazy("Measures"),
    gettext_lazy("Responsibility"),
    gettext_lazy("Funds"),
    gettext_lazy("Deadline"),
    gettext_lazy("Contingency plan"),
    gettext_lazy("Report progress every (days)"),
    gettext_lazy("Last progress report"),
    gettext_lazy("Next report due"),
    gettext_lazy("Status"),
)


def supervised_orders(user):
    """The open supervision orders of the user's scope, with their last report: one query."""
    return (
        SupervisionOrder.objects.for_user(user)
        .filter(lifted_at__isnull=True)
        .select_related("hazard__school")
        .annotate(last_report=Max("reports__reported_at"))
        .order_by("deadline", "hazard__school__name", "hazard__number")
    )


def supervised_cells(order) -> list:
    hazard = order.hazard
    last = order.last_report
    return [
        hazard.school.name,
        hazard.ledger_number,
        hazard.description,
        hazard.get_level_display(),
        order.get_level_display(),
        timezone.localdate(order.issued_at),
        order.measures,
        order.responsibility,
        order.funds,
        order.deadline,
        order.contingency_plan,
        order.report_every_days,
        timezone.localtime(last).replace(tzinfo=None) if last else "",
        order.next_report_due(last),
        hazard.get_state_display(),
    ]


@reads_from_replica
class SupervisedReportView(LoginRequiredMixin, View):
    """The hazards under supervision in the user's area, soonest deadline first."""

    def get(self, request):
        scope = Scope.of(request.user)
        if not (scope.is_admin or scope.has_role(*BUREAU, *SCHOOL_STAFF)):
            raise PermissionDenied
        orders = list(supervised_orders(request.user))
        header = [str(c) for c in SUPERVISED_COLUMNS]
        table = [supervised_cells(order) for order in orders]
        if request.GET.get("format") == "xlsx":
            workbook = Workbook()
            workbook.remove(workbook.active)
            add_sheet(workbook, _("Supervised hazards"), header, table)
            log_download(
                request, "supervised-hazards", _("Supervised hazards"), SupervisionOrder, len(table)
            )
            return xlsx_response(workbook, f"supervised-hazards-{timezone.localdate():%Y%m%d}.xlsx")
        return render(
            request,
            "inspections/hazards/supervised.html",
            {
                "header": header,
                "rows": list(zip(orders, table, strict=True)),
                "today": timezone.localdate(),
            },
        )
