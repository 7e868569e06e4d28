"""The bureaus' kit compliance, city → district → school, and the pieces due for service.

The numbers are equipment/compliance.py's, the API's too: a constant number of
queries whatever the number of schools.
"""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import ListView, TemplateView

from accounts.scope import BUREAU, Scope
from campussafety.export_views import ExportMixin
from campussafety.exports import PLACE_HEADERS, Column, Table, percent
from campussafety.views import PAGE_SIZE
from equipment.compliance import compliance
from equipment.forms import DrillDownForm
from equipment.models import Item
from equipment.views.board import SERVICE_AHEAD
from schools.models import School


def bureau_schools(user):
    """The schools a bureau user (or an administrator) oversees; 403 for other roles."""
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*BUREAU)):
        raise PermissionDenied(_("Kit compliance is for the education bureaus."))
    return School.objects.for_user(user, roles=None if scope.is_admin else BUREAU)


def drill_down(user, params):
    """(schools, level, city, district) for the page's city or district; 404 outside the scope."""
    form = DrillDownForm(params, user=user)
    if not form.is_valid():
        raise Http404
    schools = bureau_schools(user)
    city, district = form.cleaned_data["city"], form.cleaned_data["district"]
    if district is not None:
        return schools.filter(district=district), "school", district.city, district
    if city is not None:
        return schools.filter(district__city=city), "district", city, None
    # No ordering: the default one would make the rows distinct by name too.
    cities = set(schools.order_by().values_list("district__city_id", flat=True).distinct()[:2])
    if len(cities) > 1:
        return schools, "city", None, None
    districts = set(schools.order_by().values_list("district_id", flat=True).distinct()[:2])
    return schools, "district" if len(districts) > 1 else "school", None, None


def compliance_rows(user, query):
    """(rows, level, city, district) of the compliance page for its query, and its export."""
    schools, level, city, district = drill_down(user, query)
    return compliance(schools, level), level, city, district


def compliance_table(user, query) -> Table:
    rows, level, _city, _district = compliance_rows(user, query)
    return Table(
        name="kit-compliance",
        title=_("Kit compliance"),
        model=Item,
        rows=rows,
        columns=[
            Column(PLACE_HEADERS[level], lambda row: row.name),
            Column(gettext_lazy("Schools"), lambda row: row.schools),
            Column(gettext_lazy("Held (%)"), lambda row: percent(row.rate)),
            Column(gettext_lazy("Pieces required"), lambda row: row.required),
            Column(pgettext_lazy("equipment", "Missing"), lambda row: row.missing),
            Column(gettext_lazy("Service overdue"), lambda row: row.service_overdue),
            Column(gettext_lazy("Past scrap date"), lambda row: row.scrap_overdue),
        ],
    )


class ComplianceView(LoginRequiredMixin, ExportMixin, TemplateView):
    """Kit compliance by city, district (?city=) or school (?district=); ?format=xlsx|csv."""

    template_name = "equipment/compliance.html"
    export_builder = staticmethod(compliance_table)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, level, city, district = compliance_rows(self.request.user, self.request.GET)
        context.update(rows=rows, level=level, city=city, district=district)
        return context


def due_pieces(user, query):
    """(pieces, city, district): the due list's rows for its query, page and export alike."""
    schools, _level, city, district = drill_down(user, query)
    horizon = timezone.localdate() + SERVICE_AHEAD
    # Served by the indexes on (school, service_due_on) and (school, scrap_on).
    pieces = (
        Item.objects.held()
        .filter(school__in=schools)
        .filter(Q(service_due_on__lte=horizon) | Q(scrap_on__lte=horizon))
        .select_related("school", "equipment_type", "location")
        .order_by("service_due_on", "scrap_on", "pk")
    )
    return pieces, city, district


def due_table(user, query) -> Table:
    pieces, _city, _district = due_pieces(user, query)
    return Table(
        name="equipment-due",
        title=_("Due for service"),
        model=Item,
        rows=pieces,
        columns=[
            Column(PLACE_HEADERS["school"], lambda piece: piece.school.name),
            Column(gettext_lazy("Equipment type"), lambda piece: piece.equipment_type.name),
            Column(gettext_lazy("Asset tag"), lambda piece: piece.asset_tag),
            Column(gettext_lazy("Serial number"), lambda piece: piece.serial_number),
            Column(gettext_lazy("Location"), lambda piece: piece.location.name),
            Column(gettext_lazy("Service due"), lambda piece: piece.service_due_on),
            Column(gettext_lazy("To be scrapped on"), lambda piece: piece.scrap_on),
        ],
    )


class DueListView(LoginRequiredMixin, ExportMixin, ListView):
    """Pieces past or near their service or scrap date at the schools asked for, soonest first."""

    template_name = "equipment/due.html"
    export_builder = staticmethod(due_table)
    paginate_by = PAGE_SIZE
    context_object_name = "pieces"

    def get_queryset(self):
        pieces, self.city, self.district = due_pieces(self.request.user, self.request.GET)
        self.today = timezone.localdate()
        return pieces

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            today=self.today,
            city=self.city,
            district=self.district,
            filter_query=query.urlencode(),
            soon=self.today + datetime.timedelta(days=1),
        )
        return context
