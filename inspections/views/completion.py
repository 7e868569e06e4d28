"""The bureaus' completion of inspections (city → district → school → its board), and excuses.

Each level's rows (cities, districts or schools) are annotated with their
windows' counts and rate by schools.obligation_rates.rate_annotations(), then
sorted (by name, code, windows done or rate) and paged in the database: one
query for the page, after ensure_windows() has checked (one query in the
steady state) that the month's windows are materialised. A page weighs the
same in a city of 30 schools or of 3,000.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.scope import BUREAU, Scope
from campussafety.export_views import ExportMixin
from campussafety.exports import PLACE_HEADERS, Column, Table, percent
from campussafety.ids import id_or_404
from campussafety.views import PAGE_SIZE, list_query
from inspections.forms import ExcuseForm, MonthForm, month_bounds
from schools.models import City, District, ObligationExcuse, ObligationWindow, School
from schools.obligation_rates import ORDERINGS, ensure_windows, rate_annotations, rate_row
from schools.obligations import excuse, withdraw_excuse

# Sort keys of every level (cities, districts, schools), each an ORDER BY the
# database runs before paging. Rows without a window due have no rate and
# come last either way.
SORTS = {
    "name": ("name", "pk"),
    "code": ("code", "pk"),
    "-done": ("-done", "name", "pk"),
    "rate": (ORDERINGS["rate"], "name", "pk"),
    "-rate": (ORDERINGS["-rate"], "name", "pk"),
}


def require_bureau(user):
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*BUREAU)):
        raise PermissionDenied(_("Completion is for education bureau staff."))
    return scope


def pick(queryset, value):
    """The row of `queryset` a query value names: None when empty, 404 when not a reachable id."""
    if not value:
        return None
    return get_object_or_404(queryset, pk=id_or_404(value))


@dataclass
class Completion:
    """What the completion page lists for a query, and its export too: the level's rows
    annotated with their rates and sorted (`annotated`), before paging; `rows` unannotated,
    for the count."""

    start: datetime.date
    end: datetime.date
    level: str
    city: City | None
    district: District | None
    several_cities: bool
    rows: QuerySet
    annotated: QuerySet
    sort: str
    search: str


def completion(user, query, form) -> Completion:
    """The rows of the completion page for `query`, whose MonthForm `form` is valid."""
    require_bureau(user)
    start, end = month_bounds(form.cleaned_data["month"])
    rule = form.cleaned_data["rule"]
    obligations = [r.obligation for r in ([rule] if rule else form.fields["rule"].queryset)]
    cities = City.objects.for_user(user, roles=BUREAU)
    districts = District.objects.for_user(user, roles=BUREAU).select_related("city")
    district = pick(districts, query.get("district"))
    city = district.city if district else pick(cities, query.get("city"))
    city_count = cities.count()
    if city is None and city_count == 1:
        # Straight to the only city's districts, or the only district's schools.
        city = cities.get()
        if districts.count() == 1:
            district = districts.get()
    search = (query.get("q") or "").strip()
    schools = School.objects.for_user(user, roles=BUREAU)
    if district is not None:
        level, relation = "school", "obligation_windows"
        schools = schools.filter(district=district)
        rows = schools
        if search:
            rows = rows.filter(Q(name__icontains=search) | Q(code__startswith=search))
    elif city is not None:
        level, relation = "district", "schools__obligation_windows"
        schools = schools.filter(district__city=city)
        rows = districts.filter(city=city)
    else:
        level, relation = "city", "districts__schools__obligation_windows"
        rows = cities
    sort = query.get("sort") or "name"
    sort = sort if sort in SORTS else "name"
    ensure_windows(schools, start, end)
    annotated = rate_annotations(rows, relation, start, end, rules=obligations)
    return Completion(
        start=start,
        end=end,
        level=level,
        city=city,
        district=district,
        several_cities=city_count > 1,
        rows=rows,
        annotated=annotated.order_by(*SORTS[sort]),
        sort=sort,
        search=search,
    )


def completion_table(user, query) -> Table:
    """The completion page's rows, every page of them, as a file."""
    form = MonthForm(query, user=user)
    if not form.is_valid():
        raise BadRequest("; ".join(str(e) for errors in form.errors.values() for e in errors))
    found = completion(user, query, form)

    def with_rates(chunk):
        for row in chunk:
            row.rates = rate_row(row)

    return Table(
        name="inspection-completion",
        title=_("Inspection completion · %(month)s") % {"month": f"{found.start:%Y-%m}"},
        model=ObligationWindow,
        as_of=min(found.end, timezone.localdate()),
        rows=found.annotated,
        prepare=with_rates,
        columns=[
            Column(PLACE_HEADERS[found.level], lambda row: row.name),
            Column(gettext_lazy("Code"), lambda row: row.code),
            Column(gettext_lazy("Completed (%)"), lambda row: percent(row.rates.rate)),
            Column(gettext_lazy("Done on time"), lambda row: row.rates.done),
            Column(gettext_lazy("Done late"), lambda row: row.rates.late),
            Column(gettext_lazy("Missed"), lambda row: row.rates.missed),
            Column(gettext_lazy("Excused"), lambda row: row.rates.excused),
        ],
    )


class CompletionView(LoginRequiredMixin, ExportMixin, TemplateView):
    """Completion for a month: by city (admins), by district (?city=), by school (?district=).

    Each level is one page of rows with their rates, sorted and paged in the
    database; ?format=xlsx|csv exports every page.
    """

    template_name = "inspections/completion.html"
    export_builder = staticmethod(completion_table)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        require_bureau(user)
        form = MonthForm(self.request.GET, user=user)
        context["form"] = form
        if not form.is_valid():
            return context
        found = completion(user, self.request.GET, form)
        paginator = Paginator(found.annotated, PAGE_SIZE)
        # Counted without the windows' join: the same rows, a far cheaper count.
        paginator.count = found.rows.count()
        page = paginator.get_page(self.request.GET.get("page"))
        unsorted = self.request.GET.copy()
        for key in ("sort", "page"):
            unsorted.pop(key, None)
        context.update(
            start=found.start,
            end=found.end,
            level=found.level,
            city=found.city,
            district=found.district,
            several_cities=found.several_cities,
            page_obj=page,
            rows=[(row, rate_row(row)) for row in page],
            sort=found.sort,
            sort_query=unsorted.urlencode(),
            filter_query=list_query(self.request),
            month_value=found.start.strftime("%Y-%m"),
            query=found.search,
        )
        return context


def excuse_rows(user, query=None):
    """The excused inspection windows in the user's scope, newest first: page and export."""
    require_bureau(user)
    return (
        ObligationExcuse.objects.for_user(user)
        .filter(rule__domain="inspections")
        # rule, school, excused_by: each row names them.
        .select_related("rule", "school", "excused_by")
        .order_by("-excused_at", "-pk")
    )


def excuse_table(user, query) -> Table:
    return Table(
        name="excused-windows",
        title=_("Excused windows"),
        model=ObligationExcuse,
        rows=excuse_rows(user, query),
        columns=[
            Column(PLACE_HEADERS["school"], lambda row: row.school.name),
            Column(gettext_lazy("Inspection"), lambda row: row.rule.name),
            Column(gettext_lazy("Window start"), lambda row: row.window_start),
            Column(gettext_lazy("Reason"), lambda row: row.reason),
            Column(gettext_lazy("Excused by"), lambda row: str(row.excused_by or "")),
            Column(gettext_lazy("Excused at"), lambda row: row.excused_at),
        ],
    )


class ExcuseListView(LoginRequiredMixin, ExportMixin, TemplateView):
    """The excused windows in the user's scope, newest first, and the form to excuse more;
    ?format=xlsx|csv exports them."""

    template_name = "inspections/excuses.html"
    export_builder = staticmethod(excuse_table)

    def get_form(self, data=None):
        return ExcuseForm(data, user=self.request.user, initial=self.request.GET.dict())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        excuses = excuse_rows(self.request.user)
        context.setdefault("form", self.get_form())
        context["prefilled"] = bool(self.request.GET.get("school"))
        context["page_obj"] = Paginator(excuses, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return context

    def post(self, request):
        require_bureau(request.user)
        form = self.get_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                count = excuse(
                    request.user,
                    data["rule"].obligation,
                    form.schools(),
                    data["start"],
                    data["end"],
                    data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied as denied:
                form.add_error(None, str(denied))
            else:
                messages.success(request, _("Excused %(count)s windows.") % {"count": count})
                return redirect("inspections:excuses")
        return self.render_to_response(self.get_context_data(form=form))


class ExcuseWithdrawView(LoginRequiredMixin, View):
    """Undo an excuse (POST): 404 outside the scope, 403 for those who may not excuse."""

    def post(self, request, pk):
        row = get_object_or_404(ObligationExcuse.objects.for_user(request.user), pk=pk)
        withdraw_excuse(request.user, row)
        messages.success(request, _("The excuse is withdrawn."))
        return redirect(reverse("inspections:excuses"))
