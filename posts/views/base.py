"""What every posts page shares: the 403 with a reason, the `next` redirect, ?day= and ?week=.

Access works as on every other page (campussafety/views.py): objects come through
`Model.objects.for_user(user)`, so one outside the scope is a 404; an action the
user's role does not allow is a 403, which says why when the rule has a reason
to give (PageMixin). Writes go through the services (posts/dutylogs.py,
posts/rosters.py, posts/members.py), which hold the rules the API follows too;
their ValidationErrors become form errors or messages, never error pages.
"""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

# Query-string dates: a real date outside the site's bounds is a 400 (campussafety/dates.py).
from campussafety.dates import query_date as parse_day
from posts.forms import (
    schools_for,
)

ONE_DAY = datetime.timedelta(days=1)
ONE_WEEK = datetime.timedelta(days=7)
# The police board lists uncountersigned logs from this far back.
RECENT_LOGS = datetime.timedelta(days=7)
# The same words as posts.dutylogs.update_log's refusal, which shares its translation.
LOCKED = gettext_lazy(
    "This duty log is closed (its day has ended or it has been countersigned): "
    "only education bureau staff may change it."
)


class PageMixin(LoginRequiredMixin):
    """Signed-in users only; a refusal with a reason shows it, in the site's layout (403)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as denied:
            if not denied.args or not request.user.is_authenticated:
                raise
            return render(request, "posts/denied.html", {"reason": denied.args[0]}, status=403)


def may(user, model, action, school_id) -> bool:
    """Does the user hold a role allowed `action` on `model` at this school?"""
    return schools_for(user, model, action).filter(pk=school_id).exists()


def redirect_back(request, default):
    """Back to the page the button was on (a `next` field on this site), else `default`."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def week_of(value, today) -> datetime.date:
    """The Monday of the week that ?week= names (any day of it); this week when none is given."""
    day = parse_day(value, today)
    return day - datetime.timedelta(days=day.weekday())
