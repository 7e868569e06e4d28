"""The bureaus' meeting cadence: the city's and each district's meetings held against those
due, period by period (coordination/cadence.py), and the drill-down from a district to its
schools' monthly meetings (the obligation `school-security-meeting`).

The overview is the units in scope, the cadences and ONE grouped count of the meetings:
the same number of queries for two districts or two hundred. The drill-down's schools are
counted, sorted and paged in the database (schools.obligation_rates.rate_annotations).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.scope import BUREAU
from campussafety.views import PAGE_SIZE
from coordination import cadence, services
from coordination.choices import Level
from coordination.models import Meeting
from coordination.views.legal import require_bureau, year_of
from schools.models import District, School
from schools.obligation_rates import ORDERINGS, ensure_windows, rate_annotations, rate_row
from schools.obligations import rules_for_cities


def school_meeting_rules(city_id: int):
    """The school meeting obligation the city follows (its own or the national one)."""
    rules = rules_for_cities([city_id], domain=services.DOMAIN, codes=[services.MEETING_RULE])
    return rules[city_id]


class CadenceView(LoginRequiredMixin, TemplateView):
    """The city's and each district's security meetings in a year: per period, held of
    required, and whether it is done, open, upcoming or missed."""

    template_name = "coordination/cadence.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        require_bureau(user)
        year = year_of(self.request.GET)
        plans = cadence.unit_cadences(
            cadence.units_for(user),
            *cadence.year_bounds(year),
            timezone.now(),
            meetings=Meeting.objects.for_user(user),
        )
        context.update(
            year=year,
            cities=[plan for plan in plans if plan.unit.level == Level.CITY],
            districts=[plan for plan in plans if plan.unit.level == Level.DISTRICT],
        )
        return context


class CadenceDistrictView(LoginRequiredMixin, View):
    """One district: its own meetings per period, and its schools' monthly meetings (due,
    held, missed), the schools furthest behind first."""

    def get(self, request, pk):
        user = request.user
        district = get_object_or_404(District.objects.for_user(user).select_related("city"), pk=pk)
        # Through a bureau role over this district, not any role the user holds somewhere.
        if not District.objects.for_user(user, roles=BUREAU).filter(pk=pk).exists():
            raise PermissionDenied(_("The meeting cadence is for education bureau staff."))
        year = year_of(request.GET)
        start, end = cadence.year_bounds(year)
        now = timezone.now()
        unit = cadence.Unit(Level.DISTRICT, district.pk, district.name, district.city_id)
        [plan] = cadence.unit_cadences(
            [unit], start, end, now, meetings=Meeting.objects.for_user(user)
        )
        context = {"district": district, "year": year, "plan": plan, "page_query": f"year={year}"}
        rules = context["rules"] = school_meeting_rules(district.city_id)
        if rules:
            # (Without a rule there is nothing to count: an empty list would count nothing.)
            schools = School.objects.for_user(user, roles=BUREAU).filter(district=district)
            ensure_windows(schools, start, end)
            rows = rate_annotations(schools, "obligation_windows", start, end, rules, now)
            paginator = Paginator(rows.order_by(ORDERINGS["rate"], "name", "pk"), PAGE_SIZE)
            # Counted without the windows' join: the same rows, a far cheaper count.
            paginator.count = schools.count()
            page = context["page_obj"] = paginator.get_page(request.GET.get("page"))
            context["rows"] = [(school, rate_row(school)) for school in page]
        return render(request, "coordination/cadence_district.html", context)
