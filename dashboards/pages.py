"""The city and district dashboards and the proof behind a cell.

City (/dashboards/): a row per district of the user's scope; district
(/dashboards/district/<id>/): a row per school. One column per declared
indicator (dashboards/grid.py), the four 100% first, each cell coloured against
its target and linking to its proof: for a district, the schools making it red
(/dashboards/proof/<code>/?district=); for a school, the records themselves
(the indicator's evidence URL). As of yesterday unless ?as_of= says otherwise.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from campussafety.charts import bar_chart, line_chart
from campussafety.export_views import ExportMixin
from campussafety.indicators import Unit, declared_indicator
from dashboards import grid
from dashboards.access import bureau_schools, district_of
from dashboards.exports import dashboard_table, proof_table
from dashboards.forms import AsOfForm


def school_page(school_id: int, district_id: int, as_of) -> str:
    """The school's own page: its file (一校一档) once that page exists, else its row on the
    district dashboard."""
    try:
        return reverse("schools:file", args=[school_id])
    except NoReverseMatch:
        url = reverse("dashboards:district", args=[district_id])
        return f"{url}?{urlencode({'as_of': as_of.isoformat()})}#school-{school_id}"


class DashboardMixin(LoginRequiredMixin, ExportMixin):
    """The as-of form, the indicators, the charts and the export shared by both levels:
    ?format=xlsx|csv is the grid as shown."""

    export_builder = staticmethod(dashboard_table)

    def district_pk(self):
        return None

    def export_query(self):
        query = self.request.GET.copy()
        if self.district_pk() is not None:
            query["district"] = str(self.district_pk())
        return query

    def totals(self, indicators, rows, schools, as_of):
        """The foot of the grid: its rows added up (a paged grid says otherwise)."""
        return grid.totals(indicators, rows)

    def dashboard_context(self, schools, rows_of):
        indicators = grid.dashboard_indicators()
        form = AsOfForm(self.request.GET, indicators=indicators)
        context = {"form": form, "indicators": indicators, "rules": grid.rule_pages(indicators)}
        if not form.is_valid():
            return context
        as_of = form.cleaned_data["as_of"]
        rows = rows_of(indicators, as_of)
        context.update(
            as_of=as_of,
            rows=rows,
            totals=self.totals(indicators, rows, schools, as_of),
            as_of_query=urlencode({"as_of": as_of.isoformat()}),
        )
        charted = declared_indicator(form.cleaned_data["indicator"] or "")
        charted = charted or (indicators[0] if indicators else None)
        if charted is None or not rows:
            return context
        index = indicators.index(charted)
        unit = "%" if charted.unit == Unit.PERCENT else ""
        target = charted.target if unit else None
        context["comparison"] = bar_chart(
            _("%(indicator)s by place") % {"indicator": charted.name},
            [row.label for row in rows],
            [row.cells[index].measure.value if row.cells[index].measure else None for row in rows],
            unit=unit,
            target=target,
            name=str(charted.name),
        )
        # The last 30 days from the nightly snapshots, a line per district.
        labels, series = grid.trend_series(charted, schools, as_of, "district")
        context["trend"] = line_chart(
            _("%(indicator)s over 30 days") % {"indicator": charted.name},
            labels,
            series,
            unit=unit,
            target=target,
        )
        context["charted"] = charted
        return context


class CityDashboardView(DashboardMixin, TemplateView):
    template_name = "dashboards/city.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schools = bureau_schools(self.request.user)

        def rows_of(indicators, as_of):
            query = urlencode({"as_of": as_of.isoformat()})

            def cell_url(indicator, district_id):
                proof = reverse("dashboards:proof", args=[indicator.code])
                return f"{proof}?district={district_id}&{query}"

            def row_url(district_id):
                return f"{reverse('dashboards:district', args=[district_id])}?{query}"

            return grid.district_rows(indicators, schools, as_of, cell_url, row_url)

        context.update(self.dashboard_context(schools, rows_of), level="district")
        return context


class DistrictDashboardView(DashboardMixin, TemplateView):
    """A page of the district's schools at a time, by name: a district of 600 schools is
    not a page of 600 rows (nor a chart of 600 bars). The totals are the whole district's."""

    template_name = "dashboards/district.html"
    paginate_by = 50

    def district_pk(self):
        return self.kwargs["pk"]

    def totals(self, indicators, rows, schools, as_of):
        return grid.area_totals(indicators, schools, as_of)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        schools = bureau_schools(user)
        district = district_of(user, self.kwargs["pk"])
        schools = schools.filter(district=district)
        page = Paginator(
            schools.order_by("name", "pk").values_list("pk", "name"), self.paginate_by
        ).get_page(self.request.GET.get("page"))

        def rows_of(indicators, as_of):
            return grid.school_rows(
                indicators,
                schools,
                as_of,
                lambda pk: school_page(pk, district.pk, as_of),
                places=page.object_list,
            )

        context.update(
            self.dashboard_context(schools, rows_of),
            level="school",
            district=district,
            page_obj=page,
            # The district's filing forms that are files alone (dashboards/_filing_forms.html).
            filing_query=urlencode({"district": district.pk}),
        )
        return context


class ProofView(LoginRequiredMixin, ExportMixin, TemplateView):
    """The schools that make a cell red (and those without data), each with its evidence;
    ?format=xlsx|csv exports them."""

    template_name = "dashboards/proof.html"
    export_builder = staticmethod(proof_table)

    def export_query(self):
        query = self.request.GET.copy()
        query["code"] = self.kwargs["code"]
        return query

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        schools = bureau_schools(user)
        indicator = declared_indicator(self.kwargs["code"])
        if indicator is None:
            raise Http404
        district = district_of(user, self.request.GET.get("district"))
        if district is not None:
            schools = schools.filter(district=district)
        form = AsOfForm(self.request.GET, indicators=[indicator])
        context.update(form=form, indicator=indicator, district=district)
        if not form.is_valid():
            return context
        as_of = form.cleaned_data["as_of"]
        failing, missing = grid.failing_schools(indicator, schools, as_of)
        context.update(as_of=as_of, failing=failing, missing=missing)
        return context
