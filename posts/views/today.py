"""Today at the gate: who is rostered, and the one-tap log as rostered."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.scope import ADD, SCHOOL_STAFF, Scope, write_in_scope
from campussafety.ids import id_or_404
from posts import dutylogs
from posts.forms import (
    schools_for,
)
from posts.models import (
    DutyLog,
    Member,
    PostPeriod,
    Shift,
)
from posts.views.base import (
    PageMixin,
    may,
    parse_day,
    redirect_back,
)
from schools.calendar import school_days
from schools.models import School
from schools.views import SCHOOL_DAYS_HORIZON


@dataclass
class RosteredMember:
    member: Member
    # Why the member does not count as qualified today; None when they do.
    unqualified_reason: str | None

    @property
    def qualified(self) -> bool:
        return self.unqualified_reason is None


@dataclass
class PeriodToday:
    period: PostPeriod
    rostered: list[RosteredMember]
    log: DutyLog | None

    @property
    def qualified_count(self):
        return sum(1 for row in self.rostered if row.qualified)


@dataclass
class SchoolToday:
    school: School
    is_school_day: bool
    next_school_day: datetime.date | None
    may_log: bool
    periods: list[PeriodToday] = field(default_factory=list)


def todays_posts(user, schools, today) -> list[SchoolToday]:
    """Each school's post periods today: who is rostered, and whether it is logged.

    A fixed number of queries however many schools and periods: the school
    days (three), and, when some school is open, the periods, the shifts, the
    logs and the schools in which the user may log.
    """
    schools = list(schools)
    ids = [school.pk for school in schools]
    days = school_days(ids, today, today + SCHOOL_DAYS_HORIZON)
    open_ids = {pk for pk in ids if today in days.get(pk, ())}
    periods, rostered, logs, loggable = defaultdict(list), defaultdict(list), {}, set()
    if open_ids:
        for period in (
            PostPeriod.objects.filter(post__school_id__in=open_ids, post__is_active=True)
            .select_related("post__gate")
            .order_by("start_time", "post__name")
        ):
            periods[period.post.school_id].append(period)
        for shift in (
            Shift.objects.filter(school_id__in=open_ids, date=today, is_cancelled=False)
            .select_related("member")
            .order_by("member__name", "member_id")
        ):
            rostered[shift.post_period_id].append(
                RosteredMember(shift.member, shift.member.unqualified_reason(today))
            )
        logs = {
            log.post_period_id: log
            for log in DutyLog.objects.filter(school_id__in=open_ids, date=today)
        }
        loggable = set(
            schools_for(user, DutyLog, ADD).filter(pk__in=open_ids).values_list("pk", flat=True)
        )
    board = []
    for school in schools:
        ahead = [day for day in days.get(school.pk, ()) if day > today]
        board.append(
            SchoolToday(
                school=school,
                is_school_day=school.pk in open_ids,
                next_school_day=ahead[0] if ahead else None,
                may_log=school.pk in loggable,
                periods=[
                    PeriodToday(period, rostered[period.pk], logs.get(period.pk))
                    for period in periods[school.pk]
                ],
            )
        )
    return board


class TodayView(PageMixin, TemplateView):
    """The principal's or safety officer's task at the gate: today's posts, logged or not.

    Each unlogged period has a one-tap "Log as rostered" button. Bureau staff
    and police open a school's page with ?school=, and a past day with ?date=.
    """

    template_name = "posts/today.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        school_id = self.request.GET.get("school", "")
        if school_id:
            schools = [get_object_or_404(School.objects.for_user(user), pk=id_or_404(school_id))]
        else:
            # Not admins either: their scope is every school, which is no one's gate.
            if not Scope.of(user).has_role(*SCHOOL_STAFF):
                raise PermissionDenied(
                    _("This page is for school staff; open a school's page from the coverage list.")
                )
            schools = School.objects.for_user(user, roles=SCHOOL_STAFF).order_by("name")
        today = timezone.localdate()
        # ?date= opens a past day (from the missed days): read-only, except the
        # way to enter a missing log late, or on the school's behalf.
        day = min(parse_day(self.request.GET.get("date"), today), today)
        context.update(
            today=day,
            past_day=day < today,
            # Bureau staff entering a school's log do so on its behalf, and the
            # log says who entered it, and that it was late.
            on_behalf=not Scope.of(user).has_role(*SCHOOL_STAFF),
            board=todays_posts(user, schools, day),
        )
        return context


def logged_message(log: DutyLog) -> str:
    values = {
        "period": log.post_period,
        "present": log.present_count,
        "qualified": log.qualified_count,
    }
    if log.is_compliant:
        return (
            _(
                "Logged %(period)s: %(present)s present, %(qualified)s qualified. "
                "The post meets the rules."
            )
            % values
        )
    return (
        _(
            "Logged %(period)s: %(present)s present, %(qualified)s qualified. "
            "The post is below the rules."
        )
        % values
    )


class QuickLogView(PageMixin, View):
    """Logs a post period for today exactly as rostered, in one tap (POST).

    A second tap, or a colleague who logged it first, gets a message saying who
    logged it and when (DuplicateLog), not an error page.
    """

    def post(self, request, pk):
        user = request.user
        period = get_object_or_404(
            # The school's district and city: what submit_log reads.
            PostPeriod.objects.for_user(user).select_related("post__school__district__city"),
            pk=pk,
        )
        if not may(user, DutyLog, ADD, period.post.school_id):
            raise PermissionDenied
        try:
            # The written log re-checked, as every write is (a 403 if out of scope).
            log = write_in_scope(
                user, ADD, lambda: dutylogs.submit_log(user, period, timezone.localdate())
            )
        except dutylogs.DuplicateLog as duplicate:
            messages.warning(request, dutylogs.duplicate_message(duplicate.existing))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, logged_message(log))
        return redirect_back(request, reverse("posts:today"))


class LogAllDueView(PageMixin, View):
    """Logs, as rostered and in one tap (POST, ?school=), every post period of the school
    today that has started and is not logged yet: the same service and rules as one
    period at a time, each period its own log."""

    def post(self, request):
        user = request.user
        school_id = id_or_404(request.POST.get("school"))
        school = get_object_or_404(School.objects.for_user(user), pk=school_id)
        if not may(user, DutyLog, ADD, school.pk):
            raise PermissionDenied
        now = timezone.localtime()
        due = (
            PostPeriod.objects.for_user(user)
            .filter(post__school=school, post__is_active=True, start_time__lte=now.time())
            .exclude(duty_logs__date=now.date())
            .select_related("post__school__district__city")
            .order_by("start_time", "post__name")
        )
        logged = 0
        for period in due:
            try:
                log = write_in_scope(
                    user, ADD, lambda period=period: dutylogs.submit_log(user, period, now.date())
                )
            except dutylogs.DuplicateLog as duplicate:
                messages.warning(request, dutylogs.duplicate_message(duplicate.existing))
            except ValidationError as error:
                messages.error(request, f"{period}: {' '.join(error.messages)}")
            else:
                logged += 1
                messages.success(request, logged_message(log))
        if not logged:
            messages.info(request, _("No post of this school is due to be logged now."))
        return redirect_back(request, reverse("posts:today"))
