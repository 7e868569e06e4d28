"""Coverage of school days for the bureaus, and the days a school missed."""

from django.core.paginator import Paginator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from campussafety.charts import bar_chart, line_chart
from campussafety.export_views import ExportMixin
from campussafety.replica import reads_from_replica
from campussafety.views import PAGE_SIZE, keyset_context, list_query
from posts import exports
from posts.coverage import NEXT_LEVEL, drill_level, with_missing_periods
from posts.exports import coverage_rows, missed_rows
from posts.views.base import (
    PageMixin,
)
from schools.models import School


def coverage_chart(rows, group_by):
    """The trend of the days (a line), or the places compared (bars), of the rows shown;
    none for schools, too many to draw."""
    rated = [row for row in rows if row.schools_today is None]
    if not rated or group_by == "school":
        return None
    values = [None if row.coverage_rate is None else row.coverage_rate * 100 for row in rated]
    if group_by == "day":
        labels = [row.key.strftime("%m-%d") for row in rated]
        return line_chart(_("Coverage by day"), labels, [(_("Covered"), values)], unit="%")
    labels = [row.label for row in rated]
    return bar_chart(_("Coverage by place"), labels, values, unit="%", name=_("Covered"))


@reads_from_replica
class CoverageView(PageMixin, ExportMixin, TemplateView):
    """Coverage of school days by duty logs over a date range, by school, district or day.

    The figures are counted in the database (posts/coverage.py); this page
    only sorts and pages the rows.
    """

    template_name = "posts/coverage.html"
    export_builder = staticmethod(exports.coverage_table)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, rows = coverage_rows(self.request.user, self.request.GET)
        context["form"] = form
        if rows is None:
            return context
        data = form.cleaned_data
        group_by = data["group_by"] or drill_level(self.request.user, data)
        totals = {
            "school_days": sum(row.school_days for row in rows),
            "covered": sum(row.covered for row in rows),
            "partial": sum(row.partial for row in rows),
            "missed": sum(row.missed for row in rows),
            "understaffed_logs": sum(row.understaffed_logs for row in rows),
            "late_logs": sum(row.late_logs for row in rows),
        }
        totals["rate"] = (
            totals["covered"] / totals["school_days"] if totals["school_days"] else None
        )
        dates = {"start": data["start"], "end": data["end"]}
        # The missed days and the logs behind the figures, of the same place.
        place = {key: data[key].pk for key in ("district", "city") if data.get(key) is not None}
        range_query = {"date_after": data["start"], "date_before": data["end"]}
        if "district" in place:
            range_query["district"] = place["district"]
        unsorted = self.request.GET.copy()
        for key in ("sort", "page"):
            unsorted.pop(key, None)
        context.update(
            chart=coverage_chart(rows, group_by),
            group_by=group_by,
            sort=data["sort"] or "label",
            # Column headers sort by themselves, keeping the range and grouping.
            sort_query=unsorted.urlencode(),
            page_obj=Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page")),
            totals=totals,
            filter_query=list_query(self.request),
            dates_query=urlencode(dates),
            range_query=urlencode({**dates, **place}),
            # City → district → school: a row of one level opens the next, keeping the range.
            drill_query=urlencode({**dates, "group_by": NEXT_LEVEL.get(group_by, "school")}),
            city=data.get("city"),
            district=data.get("district"),
            logs_query=urlencode(range_query),
            understaffed_query=urlencode({**range_query, "understaffed": "true"}),
        )
        return context


@reads_from_replica
class MissedDaysView(PageMixin, ExportMixin, TemplateView):
    """School days on which a school left a required post period unlogged (all of them, or
    some: partly missed, naming the rest), oldest first, a keyset page at a time (after
    the last day and school shown, never counted); ?format=xlsx|csv exports them all."""

    template_name = "posts/missed_days.html"
    export_builder = staticmethod(exports.missed_table)
    page_size = PAGE_SIZE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, missed = missed_rows(self.request.user, self.request.GET)
        context["form"] = form
        if missed is None:
            return context
        context.update(keyset_context(self.request, missed, size=self.page_size))
        page = with_missing_periods(context["object_list"])
        names = dict(
            School.objects.filter(pk__in={item.school_id for item in page}).values_list(
                "pk", "name"
            )
        )
        context.update(
            rows=[(item, names[item.school_id]) for item in page],
            filter_query=list_query(self.request),
        )
        return context
