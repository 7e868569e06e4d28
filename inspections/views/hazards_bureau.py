"""The bureau's view of the ledger: open, overdue, supervised and recurring hazards, with ageing.

City → district → school: the city's staff see a row per district, each
opening that district's schools, each school opening its ledger with the
filter of the count clicked. Every level is ONE grouped query over the hazards
of the user's scope (`overview_rows`), whatever the number of schools, shown
50 rows a page with the whole level's totals.
"""

import datetime
from operator import itemgetter

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.choices import Role
from accounts.scope import BUREAU, Scope
from campussafety.charts import histogram
from campussafety.export_views import ExportMixin
from campussafety.exports import PLACE_HEADERS, Column, Table
from campussafety.ids import id_or_404
from campussafety.views import grouped_page, list_query
from inspections.choices import OPEN_STATES, UNRECTIFIED_STATES
from inspections.forms_hazards import AGE_BUCKETS
from inspections.models import Hazard
from schools.models import City, District

# The level a row of the overview stands for: its key and name columns, and what it opens.
GROUPS = {
    "city": ("school__district__city_id", "school__district__city__name"),
    "district": ("school__district_id", "school__district__name"),
    "school": ("school_id", "school__name"),
}
# The columns of a row, summed in the table's foot.
TOTALS = ("open", "overdue", "supervised", "recurring", *(key for key, *_rest in AGE_BUCKETS))


def _local_midnight(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def bucket_bounds(today: datetime.date) -> dict:
    """{bucket: (found before, found since or None)} of the ageing buckets, as datetimes."""
    bounds = {}
    for key, _label, low, high in AGE_BUCKETS:
        before = _local_midnight(today - datetime.timedelta(days=low - 1))
        since = _local_midnight(today - datetime.timedelta(days=high)) if high is not None else None
        bounds[key] = (before, since)
    return bounds


def count_filters(today: datetime.date, year: int) -> dict[str, Q]:
    """What each column counts. Recurrences: those found in `year` (the ledger year), open or not;
    the rest: open hazards, the buckets by days since they were found."""
    opened = Q(state__in=OPEN_STATES)
    filters = {
        "open": opened,
        "overdue": Q(state__in=UNRECTIFIED_STATES, deadline__lt=today),
        "supervised": opened & Q(supervised=True),
        "recurring": Q(recurrence_of__isnull=False, year=year),
    }
    for key, (before, since) in bucket_bounds(today).items():
        filters[key] = opened & Q(found_at__lt=before)
        if since is not None:
            filters[key] &= Q(found_at__gte=since)
    return filters


def overview_rows(hazards, group: str, today: datetime.date, year: int):
    """One row per city, district or school with hazards among `hazards`, most overdue
    first: ONE grouped query (a values() queryset, read whole by the export and a page
    at a time by the page)."""
    key, name = GROUPS[group]
    filters = count_filters(today, year)
    return (
        hazards.filter(Q(state__in=OPEN_STATES) | Q(recurrence_of__isnull=False, year=year))
        .values(key=F(key), name=F(name))
        .annotate(**{column: Count("pk", filter=q) for column, q in filters.items()})
        .order_by("-overdue", "-open", "name", "key")
    )


def overview(user, query) -> dict:
    """The overview's rows for its query (?city= or ?district=), for the page and its export."""
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*BUREAU)):
        raise PermissionDenied
    today = timezone.localdate()
    year = today.year
    hazards = Hazard.objects.for_user(user)
    place, parent, group = None, None, scope.widest_level()
    # A district or city named but not an id is a 404, as one that does not exist.
    district_id = id_or_404(query["district"]) if "district" in query else None
    city_id = id_or_404(query["city"]) if "city" in query else None
    if district_id is not None:
        place = get_object_or_404(
            District.objects.for_user(user).select_related("city"), pk=district_id
        )
        hazards, group = hazards.filter(school__district=place), "school"
        parent = place.city if scope.is_admin or scope.has_role(Role.CITY_STAFF) else None
    elif city_id is not None:
        place = get_object_or_404(City.objects.for_user(user), pk=city_id)
        hazards, group = hazards.filter(school__district__city=place), "district"
    rows = overview_rows(hazards, group, today, year)
    return {
        "rows": rows,
        "group": group,
        "place": place,
        "parent": parent,
        "year": year,
    }


def overview_table(user, query) -> Table:
    found = overview(user, query)
    title = _("Hazards")
    if found["place"] is not None:
        title = f"{title} · {found['place'].name}"
    return Table(
        name="hazard-overview",
        title=title,
        model=Hazard,
        # A row per school at most: read whole, once (a count of the groups would group twice).
        rows=list(found["rows"]),
        columns=[
            Column(PLACE_HEADERS[found["group"]], itemgetter("name")),
            Column(gettext_lazy("Open"), itemgetter("open")),
            Column(gettext_lazy("Overdue"), itemgetter("overdue")),
            Column(gettext_lazy("Under supervision"), itemgetter("supervised")),
            Column(gettext_lazy("Recurrences"), itemgetter("recurring")),
            *(Column(label, itemgetter(key)) for key, label, *_rest in AGE_BUCKETS),
        ],
    )


class OverviewView(LoginRequiredMixin, ExportMixin, TemplateView):
    """?city= or ?district= drills down; without either, the widest level the user holds;
    ?format=xlsx|csv exports the rows."""

    template_name = "inspections/hazards/overview.html"
    export_builder = staticmethod(overview_table)

    def get_context_data(self, **kwargs):
        found = overview(self.request.user, self.request.GET)
        # A page of rows with the whole table's totals, in one statement: a district of
        # two thousand schools weighs what one of fifty does.
        page, summed = grouped_page(found.pop("rows"), TOTALS, self.request.GET.get("page"))
        ageing = histogram(
            _("Open hazards by age"),
            [(label, summed[key]) for key, label, *_rest in AGE_BUCKETS],
            name=_("Open hazards"),
        )
        return super().get_context_data(
            **found,
            rows=page.object_list,
            page_obj=page,
            query=list_query(self.request),
            totals=summed,
            ageing=ageing,
            buckets=[(key, label) for key, label, *_rest in AGE_BUCKETS],
            **kwargs,
        )
