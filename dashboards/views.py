"""The dashboards' pages: the live "today" board for district staff.

The board names no domain app: each app declares its today-items (`TODAY` in
its panels.py, campussafety.panels.TodayItem), and the board lists them for the
schools of the user's scope, narrowed to a district by ?district=. It refreshes
itself with htmx polling: the same URL answers an htmx request with the items alone.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from campussafety.panels import today_items
from dashboards.access import bureau_schools, district_of

# The rows each item lists; the count says how many more there are.
TODAY_ROWS = 50
# How often the board asks for fresh figures, in seconds.
REFRESH_SECONDS = 60


class TodayBoardView(LoginRequiredMixin, TemplateView):
    template_name = "dashboards/today.html"

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["dashboards/_today_items.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        schools = bureau_schools(user)
        district = district_of(user, self.request.GET.get("district"))
        if district is not None:
            schools = schools.filter(district=district)
        now = timezone.now()
        items = []
        for item in today_items():
            count, rows = item.rows(user, schools, now, TODAY_ROWS)
            items.append({"item": item, "count": count, "rows": rows, "more": count - len(rows)})
        context.update(
            items=items,
            district=district,
            now=now,
            refresh=REFRESH_SECONDS,
            query=self.request.GET.urlencode(),
        )
        return context
