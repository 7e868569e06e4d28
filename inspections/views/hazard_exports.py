"""The annual hazard ledger in the bureau's form (年度学校安全隐患整改销号登记表), and the
report of supervised hazards (挂牌督办), as printable pages, or ?format=xlsx|csv their files
through the shared export (campussafety/export_views.py: the user's unit and the as-of date
on top, the access log). A page and its file read the same rows.

The ledger is shown as of a chosen date: hazards found by then, each in the
state its last event before the end of that day left it, its deadline before
any extension approved later, and the rectification, re-check and striking
off only if they had happened by then. One query for the rows, whatever their
number (`ledger_rows`).
"""

import datetime
from dataclasses import dataclass
from operator import attrgetter, methodcaller

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from campussafety.export_views import (
    FilingView,
    export_response,
    invalid_query,
    requested_format,
    without_format,
)
from campussafety.exports import Column, Table
from campussafety.ids import id_or_404
from campussafety.replica import reads_from_replica
from inspections.choices import ExtensionStatus, HazardPhotoKind, HazardState
from inspections.forms_hazards import AsOfForm
from inspections.models import DeadlineExtension, Hazard, HazardEvent, SupervisionOrder
from schools.models import District, School


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


def ledger_columns(as_of) -> list[Column]:
    """The bureau's form, of a hazard as it stood at the end of `as_of` (ledger_rows()):
    what happened after that day is left blank."""
    end = end_of(as_of)

    def by_then(moment) -> bool:
        return moment is not None and moment < end

    def verified_at(hazard):
        moment = hazard.verified_at
        return timezone.localtime(moment).replace(tzinfo=None) if by_then(moment) else ""

    return [
        Column(gettext_lazy("Ledger number"), attrgetter("ledger_number")),
        Column(gettext_lazy("Date found"), lambda hazard: timezone.localdate(hazard.found_at)),
        Column(gettext_lazy("Place"), attrgetter("where")),
        Column(gettext_lazy("Category"), methodcaller("get_category_display")),
        Column(gettext_lazy("Description"), attrgetter("description")),
        Column(gettext_lazy("Photos before"), attrgetter("photos_before")),
        Column(gettext_lazy("Level"), methodcaller("get_level_display")),
        Column(gettext_lazy("Interim measures"), attrgetter("interim_measures")),
        Column(gettext_lazy("Responsible unit"), attrgetter("responsible_unit")),
        Column(
            gettext_lazy("Responsible person"), lambda hazard: str(hazard.responsible_person or "")
        ),
        Column(gettext_lazy("Measures"), attrgetter("measures")),
        Column(gettext_lazy("Funds (yuan)"), attrgetter("funds")),
        Column(gettext_lazy("Deadline"), attrgetter("deadline_then")),
        Column(gettext_lazy("Photos after"), attrgetter("photos_after")),
        Column(
            gettext_lazy("How it was rectified"),
            lambda hazard: hazard.rectification if by_then(hazard.submitted_at) else "",
        ),
        Column(
            gettext_lazy("Re-checked by"),
            lambda hazard: str(hazard.verified_by or "") if by_then(hazard.verified_at) else "",
        ),
        Column(gettext_lazy("Re-checked"), verified_at),
        Column(gettext_lazy("Status"), lambda hazard: HazardState(hazard.state_then).label),
    ]


@dataclass
class Ledger:
    title: str
    name: str
    hazards: object  # the ledger's rows (ledger_rows())
    year: int
    as_of: datetime.date
    # A district's: each row names its school.
    by_school: bool = False

    def columns(self) -> list[Column]:
        """The form's columns as of the ledger's date; a district's names each row's school
        first."""
        columns = ledger_columns(self.as_of)
        if self.by_school:
            columns.insert(0, Column(gettext_lazy("School"), lambda hazard: hazard.school.name))
        return columns


def ledger_of(user, query, hazards, place, by_school):
    """(Ledger of `hazards` of `place` for ?year= as of ?as_of=, the form); None with the
    form's errors."""
    form = AsOfForm(query)
    if not form.is_valid():
        return None, form
    year, as_of = form.bounds()
    title = _("Annual school safety hazard rectification ledger %(year)s · %(name)s") % {
        "year": year,
        "name": place.name,
    }
    name = f"hazard-ledger-{place.code}-{year}"
    rows = ledger_rows(hazards, year, as_of)
    return Ledger(title, name, rows, year, as_of, by_school), form


def school_ledger(user, query):
    school = get_object_or_404(School.objects.for_user(user), pk=id_or_404(query.get("school")))
    if not Scope.of(user).contains(school, roles=SCHOOL_STAFF | BUREAU):
        raise PermissionDenied
    hazards = Hazard.objects.for_user(user).filter(school=school)
    return ledger_of(user, query, hazards, school, by_school=False)


def district_ledger(user, query):
    district = get_object_or_404(
        District.objects.for_user(user), pk=id_or_404(query.get("district"))
    )
    if not Scope.of(user).contains(district, roles=BUREAU):
        raise PermissionDenied
    hazards = Hazard.objects.for_user(user, roles=BUREAU).filter(school__district=district)
    return ledger_of(user, query, hazards, district, by_school=True)


def as_table(ledger: Ledger | None, form) -> Table:
    if ledger is None:
        raise invalid_query(form)
    return Table(
        name=ledger.name,
        title=ledger.title,
        model=Hazard,
        as_of=ledger.as_of,
        rows=ledger.hazards,
        columns=ledger.columns(),
    )


def school_ledger_table(user, query) -> Table:
    return as_table(*school_ledger(user, query))


def district_ledger_table(user, query) -> Table:
    return as_table(*district_ledger(user, query))


class LedgerView(FilingView):
    """The printable ledger, or ?format=xlsx|csv its file; the address names the school or
    district. ?year= (this year by default), ?as_of= (today, or the year's last day)."""

    template_name = "inspections/hazards/ledger_export.html"

    def page_context(self, found, query):
        columns = found.columns()
        return {
            "title": found.title,
            "year": found.year,
            "as_of": found.as_of,
            "header": [str(column.header) for column in columns],
            "table": [[column.value(row) for column in columns] for row in found.hazards],
        }


@reads_from_replica
class SchoolLedgerExportView(LedgerView):
    key = "school"
    read = staticmethod(school_ledger)
    export_builder = staticmethod(school_ledger_table)


@reads_from_replica
class DistrictLedgerExportView(LedgerView):
    key = "district"
    read = staticmethod(district_ledger)
    export_builder = staticmethod(district_ledger_table)


def supervised_orders(user):
    """The open supervision orders of the user's scope, with their last report: one query.
    For the bureau and the schools' staff."""
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*BUREAU, *SCHOOL_STAFF)):
        raise PermissionDenied
    return (
        SupervisionOrder.objects.for_user(user)
        .filter(lifted_at__isnull=True)
        .select_related("hazard__school")
        .annotate(last_report=Max("reports__reported_at"))
        .order_by("deadline", "hazard__school__name", "hazard__number")
    )


def local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else ""


# The five fixed items of the order (measures, responsibility, funds, deadline,
# contingency plan), its reporting cadence, and the hazard's state.
SUPERVISED_COLUMNS = [
    Column(gettext_lazy("School"), lambda order: order.hazard.school.name),
    Column(gettext_lazy("Ledger number"), attrgetter("hazard.ledger_number")),
    Column(gettext_lazy("Description"), attrgetter("hazard.description")),
    Column(gettext_lazy("Level"), lambda order: order.hazard.get_level_display()),
    Column(gettext_lazy("Supervised by"), methodcaller("get_level_display")),
    Column(gettext_lazy("Issued"), lambda order: timezone.localdate(order.issued_at)),
    Column(gettext_lazy("Measures"), attrgetter("measures")),
    Column(gettext_lazy("Responsibility"), attrgetter("responsibility")),
    Column(gettext_lazy("Funds"), attrgetter("funds")),
    Column(gettext_lazy("Deadline"), attrgetter("deadline")),
    Column(gettext_lazy("Contingency plan"), attrgetter("contingency_plan")),
    Column(gettext_lazy("Report progress every (days)"), attrgetter("report_every_days")),
    Column(gettext_lazy("Last progress report"), lambda order: local(order.last_report)),
    Column(gettext_lazy("Next report due"), lambda order: order.next_report_due(order.last_report)),
    Column(gettext_lazy("Status"), lambda order: order.hazard.get_state_display()),
]


def supervised_table(user, query) -> Table:
    return Table(
        name="supervised-hazards",
        title=_("Supervised hazards"),
        model=SupervisionOrder,
        rows=supervised_orders(user),
        columns=SUPERVISED_COLUMNS,
    )


@reads_from_replica
class SupervisedReportView(LoginRequiredMixin, View):
    """The hazards under supervision in the user's area, soonest deadline first; the
    printable page, or ?format=xlsx|csv its file."""

    def get(self, request):
        fmt = requested_format(request)
        if fmt is not None:
            return export_response(request, supervised_table, fmt)
        orders = list(supervised_orders(request.user))
        return render(
            request,
            "inspections/hazards/supervised.html",
            {
                "header": [str(column.header) for column in SUPERVISED_COLUMNS],
                "rows": [
                    (order, [column.value(order) for column in SUPERVISED_COLUMNS])
                    for order in orders
                ],
                "today": timezone.localdate(),
                "export_query": without_format(request.GET).urlencode(),
            },
        )
