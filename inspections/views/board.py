"""The school's inspection board: today's windows, what is late or missed, the next periodic checks.

Phone-first: the safety officer opens it at the gate. Everything comes from
schools.obligations.due_windows() over the school's inspection rules, a
handful of queries whatever the number of windows.
"""

import datetime
from collections import Counter

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from inspections.models import InspectionRule
from schools.choices import PERIOD_BASES, WindowStatus
from schools.models import School
from schools.obligations import due_windows

# Who reads a school's board: its own staff, and the bureaus that drill down to it.
BOARD_ROLES = SCHOOL_STAFF | BUREAU
# How far ahead the board looks for the next monthly, quarterly and term checks.
LOOK_AHEAD = datetime.timedelta(days=100)
TROUBLE = (WindowStatus.MISSED, WindowStatus.LATE)


def board_school(user, pk) -> School:
    """The school whose board the user asked for: 404 outside the scope, 403 for other roles."""
    school = get_object_or_404(School.objects.for_user(user).select_related("district"), pk=pk)
    if not Scope.of(user).contains(school, roles=BOARD_ROLES):
        raise PermissionDenied(
            _("The inspection board is for the school's staff and the education bureaus.")
        )
    return school


def board(school, today, now=None):
    """What the board shows for `school` on `today`, from one call to due_windows()."""
    now = now or timezone.now()
    month_start = today.replace(day=1)
    week_start = today - datetime.timedelta(days=today.weekday())
    windows = due_windows(
        [school.pk],
        min(month_start, week_start),
        today + LOOK_AHEAD,
        domain="inspections",
        now=now,
    )
    daily = [w for w in windows if w.rule.basis not in PERIOD_BASES]
    periodic = [w for w in windows if w.rule.basis in PERIOD_BASES]
    today_windows = [w for w in daily if w.date == today]
    by_rule = {}
    for window in today_windows:
        by_rule.setdefault(window.rule, []).append(window)
    past = [w for w in windows if w.date <= today]
    week = [w for w in past if w.date >= week_start and w.status in TROUBLE]
    month = [w for w in past if w.date >= month_start and w.status in TROUBLE]
    return {
        "today_rules": list(by_rule.items()),
        "today_counts": Counter(w.status for w in today_windows),
        "week_trouble": week,
        "month_counts": Counter(w.status for w in month),
        "month_missed": [w for w in month if w.status == WindowStatus.MISSED],
        "next_periodic": next_periodic(periodic, month_start),
    }


def next_periodic(windows, month_start):
    """Per monthly, quarterly or term rule: its window missed this month, and the next one due."""
    shown, waiting = [], set()
    for window in windows:
        if window.status == WindowStatus.MISSED and window.end.date() >= month_start:
            shown.append(window)
        elif (
            window.status in (WindowStatus.OPEN, WindowStatus.UPCOMING)
            and window.rule_id not in waiting
        ):
            waiting.add(window.rule_id)
            shown.append(window)
    return sorted(shown, key=lambda w: w.due)


class BoardChoiceView(LoginRequiredMixin, View):
    """/inspections/board/: straight to the board of the user's school, else to the completion."""

    def get(self, request):
        schools = School.objects.for_user(request.user, roles=SCHOOL_STAFF).order_by("pk")
        first = schools.values_list("pk", flat=True).first()
        if first is not None:
            return redirect("inspections:board", pk=first)
        if Scope.of(request.user).is_admin or Scope.of(request.user).has_role(*BUREAU):
            return redirect("inspections:completion")
        raise PermissionDenied(
            _("The inspection board is for the school's staff and the education bureaus.")
        )


class BoardView(LoginRequiredMixin, TemplateView):
    template_name = "inspections/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        school = board_school(user, self.kwargs["pk"])
        today = timezone.localdate()
        scope = Scope.of(user)
        may_excuse = scope.is_admin or scope.contains(school, roles=BUREAU)
        shown = board(school, today)
        if may_excuse and shown["month_missed"]:
            # The excuse form names the inspection rule; one query for the missed windows'.
            rule_ids = dict(
                InspectionRule.objects.filter(
                    obligation_id__in={w.rule_id for w in shown["month_missed"]}
                ).values_list("obligation_id", "pk")
            )
            for window in shown["month_missed"]:
                window.inspection_rule_id = rule_ids.get(window.rule_id)
        # School staff of this school print its codes and manage its guards (from the
        # grants already loaded: no query).
        may_manage = scope.is_admin or any(
            grant.role in SCHOOL_STAFF and grant.school_id == school.pk for grant in scope.grants
        )
        context.update(
            shown, school=school, today=today, may_excuse=may_excuse, may_manage=may_manage
        )
        return context
