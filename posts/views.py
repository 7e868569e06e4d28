"""HTML pages of the school protection posts: today at the gate, duty logs, rosters,
the member registry and its verification, the police board and coverage.

Access works as on every other page (schools/views.py): objects come through
`Model.objects.for_user(user)`, so one outside the scope is a 404; an action the
user's role does not allow is a 403, which says why when the rule has a reason
to give (PageMixin). Writes go through the services (posts/dutylogs.py,
posts/rosters.py, posts/members.py), which hold the rules the API follows too;
their ValidationErrors become form errors or messages, never error pages.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView
from django_filters import fields as filter_fields
from django_filters.views import FilterView

from accounts.choices import Role
from accounts.scope import ADD, BUREAU, CHANGE, SCHOOL_STAFF, Scope
from campussafety.forms import label_blank_choices, style_form
from campussafety.views import ScopedDeleteView, ScopedObjectMixin, save_in_scope
from posts import dutylogs, members, rosters
from posts.choices import VerificationStatus, Weather
from posts.coverage import coverage, missed_days
from posts.filtersets import DutyLogFilterSet, MemberFilterSet
from posts.forms import (
    MAX_GENERATED_WEEKS,
    AssignmentForm,
    CoverageForm,
    DateRangeForm,
    DutyLogForm,
    EndAssignmentForm,
    GenerateRosterForm,
    MemberForm,
    ReplaceMemberForm,
    RosterCellForm,
    RosterRuleForm,
    SwapShiftsForm,
    VerificationForm,
    add_service_errors,
    editable_shifts,
    schools_for,
)
from posts.models import (
    DutyLog,
    DutyLogRevision,
    Member,
    MemberAssignment,
    Post,
    PostPeriod,
    RosterRule,
    Shift,
)
from posts.models.rosters import WEEKDAYS
from schools.calendar import school_days
from schools.models import School
from schools.views import SCHOOL_DAYS_HORIZON

ONE_DAY = datetime.timedelta(days=1)
ONE_WEEK = datetime.timedelta(days=7)
# The police board lists uncountersigned logs from this far back.
RECENT_LOGS = datetime.timedelta(days=7)
# More rows than this would slow a phone down; the lists page instead.
PAGE_SIZE = 50
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


def list_query(request):
    """The query string of a list page without its page number, for the page links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def parse_day(value, default: datetime.date) -> datetime.date:
    """A YYYY-MM-DD query value, or `default` when it is missing or not a real date."""
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def week_of(value, today) -> datetime.date:
    """The Monday of the week that ?week= names (any day of it); this week when none is given."""
    day = parse_day(value, today)
    return day - datetime.timedelta(days=day.weekday())


# Today at the gate ---------------------------------------------------------------


@dataclass
class RosteredMember:
    member: Member
    qualified: bool


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
                RosteredMember(shift.member, shift.member.is_qualified_on(today))
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
    and police open a school's page with ?school=.
    """

    template_name = "posts/today.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        school_id = self.request.GET.get("school", "")
        if school_id:
            if not school_id.isdigit():
                raise Http404
            schools = [get_object_or_404(School.objects.for_user(user), pk=school_id)]
        else:
            # Not admins either: their scope is every school, which is no one's gate.
            if not Scope.of(user).has_role(*SCHOOL_STAFF):
                raise PermissionDenied(
                    _("This page is for school staff; open a school's page from the coverage list.")
                )
            schools = School.objects.for_user(user, roles=SCHOOL_STAFF).order_by("name")
        today = timezone.localdate()
        context.update(today=today, board=todays_posts(user, schools, today))
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


def duplicate_message(existing: DutyLog) -> str:
    """Someone logged the period first: say who and when, so nobody logs it twice."""
    return _("%(period)s was already logged by %(who)s at %(when)s; open it to make changes.") % {
        "period": existing.post_period,
        "who": existing.submitted_by or "—",
        "when": timezone.localtime(existing.created).strftime("%H:%M"),
    }


class QuickLogView(PageMixin, View):
    """Logs a post period for today exactly as rostered, in one tap (POST).

    A second tap, or a colleague who logged it first, gets a message saying who
    logged it and when (DuplicateLog), not an error page.
    """

    def post(self, request, pk):
        user = request.user
        period = get_object_or_404(PostPeriod.objects.for_user(user).select_related("post"), pk=pk)
        if not may(user, DutyLog, ADD, period.post.school_id):
            raise PermissionDenied
        try:
            log = dutylogs.submit_log(user, period, timezone.localdate())
        except dutylogs.DuplicateLog as duplicate:
            messages.warning(request, duplicate_message(duplicate.existing))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, logged_message(log))
        return redirect_back(request, reverse("posts:today"))


# Duty logs -----------------------------------------------------------------------


class DutyLogFormMixin(PageMixin):
    """Renders a DutyLogForm with the period it is about; subclasses build the form."""

    template_name = "posts/dutylog_form.html"

    def render_form(self, form, **extra):
        return render(
            self.request,
            self.template_name,
            {"form": form, "period": self.period, "school": self.period.post.school, **extra},
        )


class DutyLogCreateView(DutyLogFormMixin, View):
    """The duty log form for a post period: the roster pre-ticked, walk-ins, traffic, photo.

    The day is today unless ?date= says otherwise (bureau staff filling in a
    past day); the services refuse a day that is not a school day.
    """

    def setup_period(self, request, pk):
        self.period = get_object_or_404(
            PostPeriod.objects.for_user(request.user).select_related("post__school", "post__gate"),
            pk=pk,
        )
        if not may(request.user, DutyLog, ADD, self.period.post.school_id):
            raise PermissionDenied

    def get_form(self, data=None, files=None):
        source = data if data is not None else self.request.GET
        day = parse_day(source.get("date"), timezone.localdate())
        listed = list(dutylogs.rostered_members(self.period, day))
        instance = DutyLog(
            school=self.period.post.school, post_period=self.period, period=self.period.period
        )
        initial = {
            "date": day,
            "actual_start": self.period.start_time,
            "actual_end": self.period.end_time,
            "present": listed,
        }
        return DutyLogForm(
            data,
            files,
            instance=instance,
            initial=initial,
            user=self.request.user,
            listed=listed,
            day=day,
        )

    def get(self, request, pk):
        self.setup_period(request, pk)
        return self.render_form(self.get_form())

    def post(self, request, pk):
        self.setup_period(request, pk)
        form = self.get_form(request.POST, request.FILES)
        duplicate = None
        if form.is_valid():
            try:
                log = dutylogs.submit_log(
                    request.user,
                    self.period,
                    form.cleaned_data["date"],
                    attendance=form.attendance(),
                    **form.log_fields(),
                )
            except dutylogs.DuplicateLog as error:
                duplicate = error.existing
                form.add_error(None, duplicate_message(duplicate))
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                # Only a past day is refused here: the day is the input at fault.
                form.add_error("date", str(error))
            else:
                messages.success(request, logged_message(log))
                return HttpResponseRedirect(reverse("posts:log-detail", args=[log.pk]))
        return self.render_form(form, duplicate=duplicate)


class DutyLogUpdateView(DutyLogFormMixin, View):
    """Edits a duty log; once closed (after its day, or countersigned) only bureau staff may."""

    def setup_log(self, request, pk):
        self.log = get_object_or_404(
            DutyLog.objects.for_user(request.user).select_related(
                "school", "post_period__post__gate"
            ),
            pk=pk,
        )
        self.period = self.log.post_period
        scope = Scope.of(request.user)
        if not scope.contains(self.log, CHANGE):
            raise PermissionDenied
        self.locked = dutylogs.is_locked(self.log)
        if self.locked and not scope.contains(self.log, CHANGE, roles=BUREAU):
            raise PermissionDenied(LOCKED)

    def get_form(self, data=None, files=None):
        attendance = list(self.log.attendance.select_related("member").order_by("member__name"))
        listed = [row.member for row in attendance]
        recorded = {member.pk for member in listed}
        # Someone rostered since the log was written is offered too.
        listed += [
            member
            for member in dutylogs.rostered_members(self.period, self.log.date)
            if member.pk not in recorded
        ]
        return DutyLogForm(
            data,
            files,
            instance=self.log,
            initial={"present": [row.member for row in attendance if row.present]},
            user=self.request.user,
            listed=listed,
            day=self.log.date,
            reason_required=self.locked,
        )

    def get(self, request, pk):
        self.setup_log(request, pk)
        return self.render_form(self.get_form(), log=self.log, locked=self.locked)

    def post(self, request, pk):
        self.setup_log(request, pk)
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                dutylogs.update_log(
                    request.user,
                    self.log,
                    attendance=form.attendance(),
                    reason=form.cleaned_data["reason"],
                    **form.log_fields(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved the duty log; its history keeps what it was."))
                return HttpResponseRedirect(reverse("posts:log-detail", args=[self.log.pk]))
        return self.render_form(form, log=self.log, locked=self.locked)


@dataclass
class RevisionRow:
    revision: DutyLogRevision
    changes: list[tuple[str, str, str]]


def _shown(key, value, names):
    if key == "attendance":
        present = [names.get(row["member"], "?") for row in value if row["present"]]
        absent = [names.get(row["member"], "?") for row in value if not row["present"]]
        text = "、".join(present) or "—"
        if absent:
            text += " " + _("(absent: %(names)s)") % {"names": "、".join(absent)}
        return text
    if key == "weather":
        return str(dict(Weather.choices).get(value, "—"))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "—" if value in (None, "") else str(value)


def revision_rows(log: DutyLog, revisions) -> list[RevisionRow]:
    """What each edit changed, newest first: (field, before, after) for each changed field.

    A revision keeps the state before its edit; the state after is the next
    revision's, or the log as it is now.
    """
    revisions = list(revisions)
    if not revisions:
        return []
    states = [revision.before for revision in reversed(revisions)] + [dutylogs.snapshot(log)]
    member_ids = {row["member"] for state in states for row in state.get("attendance", ())}
    names = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "name"))
    rows = []
    for index, revision in enumerate(reversed(revisions)):
        before, after = states[index], states[index + 1]
        changes = []
        for key in dutylogs.SNAPSHOT_KEYS:
            if key not in before or before.get(key) == after.get(key):
                continue
            label = (
                _("attendance")
                if key == "attendance"
                else str(DutyLog._meta.get_field(key).verbose_name)
            )
            changes.append((label, _shown(key, before[key], names), _shown(key, after[key], names)))
        rows.append(RevisionRow(revision, changes))
    rows.reverse()
    return rows


class DutyLogDetailView(PageMixin, ScopedObjectMixin, DetailView):
    """A duty log: who stood, the staffing figures, the countersignature and the history."""

    model = DutyLog
    template_name = "posts/dutylog_detail.html"
    context_object_name = "log"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("school", "post_period__post__gate", "submitted_by", "countersigned_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        log = self.object
        scope = self.scope
        locked = dutylogs.is_locked(log)
        may_change = scope.contains(log, CHANGE)
        context.update(
            attendance=log.attendance.select_related("member").order_by("-present", "member__name"),
            history=revision_rows(log, log.revisions.select_related("changed_by")),
            locked=locked,
            locked_reason=LOCKED,
            can_edit=may_change and (not locked or scope.contains(log, CHANGE, roles=BUREAU)),
            can_countersign=not log.is_countersigned and scope.contains(log, "countersign"),
        )
        return context


class CountersignView(PageMixin, View):
    """The police liaison countersigns a duty log in one tap (POST); it then closes."""

    def post(self, request, pk):
        log = get_object_or_404(
            DutyLog.objects.for_user(request.user).select_related("post_period__post"), pk=pk
        )
        try:
            dutylogs.countersign(request.user, log)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Countersigned %(log)s.") % {"log": f"{log.date} {log.post_period}"}
            )
        return redirect_back(request, reverse("posts:log-detail", args=[log.pk]))


class FilteredListMixin:
    """A list page with a FilterSet: styled filters, and page links that keep them."""

    paginate_by = PAGE_SIZE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = label_blank_choices(style_form(context["filter"].form), _("Any"))
        for form_field in form.fields.values():
            # django-filters' ChoiceField puts its own "---------" ahead of the
            # choices, which label_blank_choices has already given a blank one.
            if isinstance(form_field, filter_fields.ChoiceField):
                form_field.empty_label = None
        context["filter_query"] = list_query(self.request)
        return context


class DutyLogListView(PageMixin, FilteredListMixin, FilterView):
    """The duty logs in scope, newest first, filtered (understaffed, uncountersigned, by day)."""

    filterset_class = DutyLogFilterSet
    template_name = "posts/dutylog_list.html"

    def get_queryset(self):
        # school and post_period__post: each row names its school and post.
        return DutyLog.objects.for_user(self.request.user).select_related(
            "school", "post_period__post"
        )


# Police --------------------------------------------------------------------------


class PoliceBoardView(PageMixin, TemplateView):
    """A police liaison's schools today: each post period logged or missing, compliant or not,
    with one-tap countersigning; and the last week's logs still to countersign."""

    template_name = "posts/police_board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not Scope.of(user).has_role(Role.POLICE_LIAISON):
            raise PermissionDenied(_("This board is for police liaisons."))
        today = timezone.localdate()
        schools = School.objects.for_user(user, roles={Role.POLICE_LIAISON}).order_by("name")
        board = todays_posts(user, schools, today)
        context.update(
            today=today,
            board=board,
            to_countersign=[
                row.log
                for school in board
                for row in school.periods
                if row.log and not row.log.is_countersigned
            ],
            # school and post_period__post: each row names its school and post.
            recent=DutyLog.objects.for_user(user, "countersign")
            .filter(date__gte=today - RECENT_LOGS, date__lt=today, countersigned_at__isnull=True)
            .select_related("school", "post_period__post")
            .order_by("-date", "school__name", "post_period__start_time")[:PAGE_SIZE],
        )
        return context


# Rosters -------------------------------------------------------------------------


@dataclass
class RosterCell:
    day: datetime.date
    shifts: list[Shift]
    problems: list[str]
    editable: bool


@dataclass
class RosterRow:
    period: PostPeriod
    cells: list[RosterCell]


def roster_school(request) -> School | None:
    """The school a roster page is about: ?school= (404 outside the scope), else the user's own."""
    user = request.user
    value = request.GET.get("school", "")
    if value:
        if not value.isdigit():
            raise Http404
        return get_object_or_404(School.objects.for_user(user), pk=value)
    if Scope.of(user).has_role(*SCHOOL_STAFF):
        return School.objects.for_user(user, roles=SCHOOL_STAFF).order_by("name").first()
    return School.objects.for_user(user).order_by("name").first()


def roster_week(user, school, monday) -> dict:
    """The week's roster of `school`: per post, a row per period and a cell per school day.

    Cells carry the problems posts.rosters.roster_problems finds (understaffed,
    too few police, qualified share too low), so they show before the day.
    """
    sunday = monday + datetime.timedelta(days=6)
    today = timezone.localdate()
    days = list(school_days([school.pk], monday, sunday).get(school.pk, ()))
    posts = list(
        Post.objects.for_user(user)
        .filter(school=school, is_active=True)
        .prefetch_related(Prefetch("periods", queryset=PostPeriod.objects.order_by("start_time")))
        .order_by("name")
    )
    periods = [period for post in posts for period in post.periods.all()]
    shifts = defaultdict(list)
    for shift in (
        Shift.objects.filter(school=school, date__gte=monday, date__lte=sunday, is_cancelled=False)
        .select_related("member")
        .order_by("member__name", "member_id")
    ):
        shift.qualified = shift.member.is_qualified_on(shift.date)
        shifts[(shift.post_period_id, shift.date)].append(shift)
    problems = {
        (problem.post_period.pk, problem.date): problem.reasons
        for problem in rosters.roster_problems([period.pk for period in periods], monday, sunday)
    }
    tables = [
        (
            post,
            [
                RosterRow(
                    period,
                    [
                        RosterCell(
                            day,
                            shifts[(period.pk, day)],
                            problems.get((period.pk, day), []),
                            day >= today,
                        )
                        for day in days
                    ],
                )
                for period in post.periods.all()
            ],
        )
        for post in posts
    ]
    return {
        "school": school,
        "monday": monday,
        "sunday": sunday,
        "days": days,
        "tables": tables,
        "problem_count": len(problems),
    }


def shift_words(shift) -> dict:
    """The words a message about a shift names: who, which post period, which day."""
    return {"name": shift.member.name, "period": shift.post_period, "day": shift.date.isoformat()}


class RosterView(PageMixin, TemplateView):
    """A school's roster for a week (?school=&week=YYYY-MM-DD), with the editor for those who may.

    Each post is a table: its periods down, the week's school days across,
    the members in the cells and the roster's problems flagged in them.
    """

    template_name = "posts/roster.html"
    # Forms of the editor, by context name; a POST view re-renders the page with its bound form.
    form_names = ("cell_form", "replace_form", "swap_form", "generate_form")

    def setup_roster(self):
        user = self.request.user
        self.school = roster_school(self.request)
        today = timezone.localdate()
        self.monday = week_of(self.request.GET.get("week"), today)
        self.can_edit = self.school is not None and may(user, Shift, CHANGE, self.school.pk)

    def roster_url(self, school=None, monday=None):
        school = school or self.school
        monday = monday or self.monday
        return f"{reverse('posts:roster')}?{urlencode({'school': school.pk, 'week': monday})}"

    def build_forms(self, data=None, bound=None):
        """The editor's forms; `bound` names the one built from `data`."""
        user, school = self.request.user, self.school
        shifts = editable_shifts(user, school)
        query = self.request.GET
        builders = {
            "cell_form": lambda data: RosterCellForm(
                data,
                user=user,
                school=school,
                initial={"post_period": query.get("period"), "date": query.get("day")},
            ),
            "replace_form": lambda data: ReplaceMemberForm(
                data, user=user, school=school, shifts=shifts, initial={"shift": query.get("shift")}
            ),
            "swap_form": lambda data: SwapShiftsForm(
                data, shifts=shifts, initial={"shift": query.get("shift")}
            ),
            "generate_form": lambda data: GenerateRosterForm(data, user=user, school=school),
        }
        return {
            name: builder(data if name == bound else None) for name, builder in builders.items()
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.setup_roster()
        if self.school is None:
            return context
        user = self.request.user
        context.update(roster_week(user, self.school, self.monday))
        context.update(
            can_edit=self.can_edit,
            today=timezone.localdate(),
            previous_url=self.roster_url(monday=self.monday - ONE_WEEK),
            next_url=self.roster_url(monday=self.monday + ONE_WEEK),
            this_url=self.roster_url(),
            query=urlencode({"school": self.school.pk, "week": self.monday}),
            schools=School.objects.for_user(user).order_by("name").only("pk", "name"),
        )
        if self.can_edit:
            forms = self.build_forms()
            forms.update({name: kwargs[name] for name in self.form_names if name in kwargs})
            context.update(forms)
        return context


class RosterEditView(RosterView):
    """One action of the roster editor (POST); invalid input re-renders the week with the errors."""

    http_method_names = ["post"]
    form_name = None

    def perform(self, form):
        """Apply the valid `form` through posts.rosters; return the success message."""
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        self.setup_roster()
        if self.school is None:
            raise Http404
        if not self.can_edit:
            raise PermissionDenied
        form = self.build_forms(request.POST, bound=self.form_name)[self.form_name]
        if form.is_valid():
            try:
                message = self.perform(form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(self.roster_url())
        return self.render_to_response(self.get_context_data(**{self.form_name: form}))


class ShiftAddView(RosterEditView):
    """Puts a member on a post period on a day."""

    form_name = "cell_form"

    def perform(self, form):
        data = form.cleaned_data
        shift = rosters.add_shift(data["member"], data["post_period"], data["date"], data["note"])
        return _("%(name)s is on %(period)s on %(day)s.") % shift_words(shift)


class ShiftReplaceView(RosterEditView):
    """Someone else stands a shift."""

    form_name = "replace_form"

    def perform(self, form):
        shift = rosters.replace_member(form.cleaned_data["shift"], form.cleaned_data["member"])
        return _("%(name)s now stands %(period)s on %(day)s.") % shift_words(shift)


class ShiftSwapView(RosterEditView):
    """Two members exchange their shifts."""

    form_name = "swap_form"

    def perform(self, form):
        first, second = rosters.swap_shifts(
            form.cleaned_data["shift"], form.cleaned_data["other_shift"]
        )
        return _("%(first)s and %(second)s have swapped their shifts.") % {
            "first": second.member.name,
            "second": first.member.name,
        }


class RosterGenerateView(RosterEditView):
    """Generates the shifts of the school's posts from the weekly pattern for N weeks."""

    form_name = "generate_form"

    def perform(self, form):
        post = form.cleaned_data["post"]
        periods = PostPeriod.objects.for_user(self.request.user, CHANGE).filter(
            post__school=self.school, post__is_active=True
        )
        if post is not None:
            periods = periods.filter(post=post)
        start = max(self.monday, timezone.localdate())
        weeks = min(form.cleaned_data["weeks"], MAX_GENERATED_WEEKS)
        end = self.monday + weeks * ONE_WEEK - ONE_DAY
        if end < start:
            raise ValidationError(_("This week is over: generate from this week or a later one."))
        result = rosters.generate_shifts(periods, start, end)
        return _(
            "Rostered %(start)s to %(end)s: %(created)s shifts added, %(removed)s removed, "
            "%(kept)s manual changes kept."
        ) % {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "created": result.created,
            "removed": result.removed,
            "kept": result.kept_manual,
        }


class ShiftRemoveView(PageMixin, View):
    """Takes a member off a shift (POST); a past shift cannot be changed."""

    def post(self, request, pk):
        shift = get_object_or_404(
            Shift.objects.for_user(request.user).select_related("member", "post_period__post"),
            pk=pk,
        )
        if not Scope.of(request.user).contains(shift, CHANGE):
            raise PermissionDenied
        try:
            rosters.remove_shift(shift)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(name)s is off %(period)s on %(day)s.") % shift_words(shift)
            )
        query = urlencode({"school": shift.school_id, "week": shift.date})
        return HttpResponseRedirect(f"{reverse('posts:roster')}?{query}")


class RosterPrintView(RosterView):
    """The week's roster of one school, laid out to print on A4 landscape for the booth."""

    template_name = "posts/roster_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.school is None:
            raise Http404
        return context

    def build_forms(self, data=None, bound=None):
        # A printed roster has no editor.
        return {}


class RosterPatternView(PageMixin, TemplateView):
    """The weekly pattern of a school's posts (who stands which period on which weekday)."""

    template_name = "posts/roster_pattern.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        school = roster_school(self.request)
        context["school"] = school
        if school is None:
            return context
        rules = defaultdict(list)
        for rule in (
            RosterRule.objects.for_user(user)
            .filter(post_period__post__school=school)
            .select_related("member")
            .order_by("member__name")
        ):
            rules[(rule.post_period_id, rule.weekday)].append(rule)
        periods = list(
            PostPeriod.objects.for_user(user)
            .filter(post__school=school)
            .select_related("post")
            .order_by("post__name", "start_time")
        )
        # Weekends only when some rule uses them: most schools are closed then.
        weekdays = [
            (number, label)
            for number, label in WEEKDAYS
            if number < 5 or any(key[1] == number for key in rules)
        ]
        can_edit = may(user, RosterRule, ADD, school.pk)
        context.update(
            weekdays=weekdays,
            rows=[
                (period, [rules[(period.pk, number)] for number, _label in weekdays])
                for period in periods
            ],
            can_edit=can_edit,
            roster_url=f"{reverse('posts:roster')}?{urlencode({'school': school.pk})}",
            query=urlencode({"school": school.pk}),
        )
        if can_edit:
            context.setdefault(
                "rule_form", kwargs.get("rule_form") or RosterRuleForm(user=user, school=school)
            )
        return context


class RosterRuleAddView(RosterPatternView):
    """Adds a member to the weekly pattern, with the same checks as the API."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        user = request.user
        school = roster_school(request)
        if school is None:
            raise Http404
        if not may(user, RosterRule, ADD, school.pk):
            raise PermissionDenied
        form = RosterRuleForm(request.POST, user=user, school=school)
        if form.is_valid() and save_in_scope(user, form, ADD):
            messages.success(request, _("Added %(rule)s.") % {"rule": form.instance})
            query = urlencode({"school": school.pk})
            return HttpResponseRedirect(f"{reverse('posts:pattern')}?{query}")
        return self.render_to_response(self.get_context_data(rule_form=form))


class RosterRuleDeleteView(PageMixin, ScopedDeleteView):
    """Takes a member out of the weekly pattern (shifts already generated stay)."""

    model = RosterRule

    def get_success_url(self):
        school_id = self.object.post_period.post.school_id
        return f"{reverse('posts:pattern')}?{urlencode({'school': school_id})}"


# Members -------------------------------------------------------------------------


def current_assignments(user):
    """Prefetch of each member's assignments in force today, at schools the user sees."""
    return Prefetch(
        "assignments",
        queryset=MemberAssignment.objects.for_user(user)
        .filter(MemberAssignment.active_on(timezone.localdate()))
        .select_related("school"),
        to_attr="current_assignments",
    )


class MemberListView(PageMixin, FilteredListMixin, FilterView):
    """The member registry: searched and filtered, ID numbers always masked, phones masked
    unless the user is the member's school or its police liaison."""

    filterset_class = MemberFilterSet
    template_name = "posts/member_list.html"

    def get_queryset(self):
        user = self.request.user
        # phone_visible: whether each phone shows in full; assignments: each row's schools.
        return (
            Member.objects.for_user(user)
            .with_phone_visibility(user)
            .prefetch_related(current_assignments(user))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = Scope.of(self.request.user)
        context.update(
            today=timezone.localdate(),
            can_add=scope.can(Member, ADD),
            can_verify=scope.can(Member, "verify"),
        )
        return context


class MemberCreateView(PageMixin, CreateView):
    """Registers a member under their real name at one of the user's schools."""

    model = Member
    form_class = MemberForm
    template_name = "posts/member_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not Scope.of(request.user).can(Member, ADD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        member = save_in_scope(self.request.user, form, ADD)
        if member is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Registered %(name)s; they can be rostered once verified.") % {"name": member.name},
        )
        return HttpResponseRedirect(reverse("posts:member-detail", args=[member.pk]))


class MemberUpdateView(PageMixin, ScopedObjectMixin, UpdateView):
    """Edits a member; a change to who they are sends them back to verification."""

    model = Member
    form_class = MemberForm
    scope_action = CHANGE
    template_name = "posts/member_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        member = save_in_scope(self.request.user, form, CHANGE)
        if member is None:
            return self.form_invalid(form)
        if member.verification_status == VerificationStatus.PENDING:
            message = _("Saved %(name)s; they now wait for verification.")
        else:
            message = _("Saved %(name)s.")
        messages.success(self.request, message % {"name": member.name})
        return HttpResponseRedirect(reverse("posts:member-detail", args=[member.pk]))


class MemberDetailView(PageMixin, ScopedObjectMixin, DetailView):
    """A member: identity (masked), qualification, assignments (add and end) and next shifts."""

    model = Member
    template_name = "posts/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return super().get_queryset().with_phone_visibility(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        member = self.object
        scope = Scope.of(user)
        today = timezone.localdate()
        assignments = list(
            MemberAssignment.objects.for_user(user)
            .filter(member=member)
            .select_related("school")
            .order_by("-start_date")
        )
        endable = set(
            MemberAssignment.objects.for_user(user, CHANGE)
            .filter(member=member)
            .exclude(end_date__lt=today)
            .values_list("pk", flat=True)
        )
        context.update(
            today=today,
            qualified_today=member.is_qualified_on(today),
            assignments=assignments,
            endable=endable,
            end_form=kwargs.get("end_form") or EndAssignmentForm(),
            failed_end=kwargs.get("failed_end"),
            can_edit=scope.contains(member, CHANGE),
            can_verify=member.verification_status == VerificationStatus.PENDING
            and scope.contains(member, "verify"),
            verify_form=kwargs.get("verify_form") or VerificationForm(),
            shifts=Shift.objects.for_user(user)
            .filter(member=member, date__gte=today, is_cancelled=False)
            .select_related("post_period__post", "school")
            .order_by("date", "post_period__start_time")[:10],
        )
        if scope.can(MemberAssignment, ADD):
            context["assignment_form"] = kwargs.get("assignment_form") or AssignmentForm(
                user=user, instance=MemberAssignment(member=member)
            )
        return context


class AssignmentAddView(MemberDetailView):
    """Assigns the member to a further school; invalid input re-renders the member's page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = member = self.get_object()
        if not Scope.of(request.user).can(MemberAssignment, ADD):
            raise PermissionDenied
        form = AssignmentForm(
            request.POST, user=request.user, instance=MemberAssignment(member=member)
        )
        if form.is_valid() and save_in_scope(request.user, form, ADD):
            messages.success(
                request,
                _("%(name)s now serves %(school)s.")
                % {"name": member.name, "school": form.instance.school},
            )
            return HttpResponseRedirect(
                reverse("posts:member-detail", args=[member.pk]) + "#assignments"
            )
        return self.render_to_response(self.get_context_data(assignment_form=form))


class AssignmentEndView(MemberDetailView):
    """Ends an assignment on a day; invalid input re-renders the member's page."""

    http_method_names = ["post"]

    def post(self, request, pk):
        user = request.user
        assignment = get_object_or_404(
            MemberAssignment.objects.for_user(user).select_related("school"), pk=pk
        )
        if not Scope.of(user).contains(assignment, CHANGE):
            raise PermissionDenied
        self.object = member = get_object_or_404(self.get_queryset(), pk=assignment.member_id)
        form = EndAssignmentForm(request.POST, instance=assignment)
        if form.is_valid() and save_in_scope(user, form, CHANGE):
            messages.success(
                request,
                _("%(name)s serves %(school)s until %(day)s.")
                % {
                    "name": member.name,
                    "school": assignment.school,
                    "day": assignment.end_date.isoformat(),
                },
            )
            return HttpResponseRedirect(
                reverse("posts:member-detail", args=[member.pk]) + "#assignments"
            )
        return self.render_to_response(
            self.get_context_data(end_form=form, failed_end=assignment.pk)
        )


class VerificationQueueView(PageMixin, ListView):
    """Members waiting for verification (核验), oldest first, for district staff and police."""

    template_name = "posts/verification_queue.html"
    paginate_by = PAGE_SIZE
    context_object_name = "members"

    def get_queryset(self):
        user = self.request.user
        if not Scope.of(user).can(Member, "verify"):
            raise PermissionDenied(
                _("Members are verified by district education bureau staff and police liaisons.")
            )
        # phone_visible: police see the phone to call the member; assignments: their schools.
        return (
            Member.objects.for_user(user, "verify")
            .filter(verification_status=VerificationStatus.PENDING)
            .with_phone_visibility(user)
            .prefetch_related(current_assignments(user))
            .order_by("created", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            failed=kwargs.get("failed"),
            verify_form=kwargs.get("verify_form") or VerificationForm(),
        )
        return context


class MemberVerifyView(VerificationQueueView):
    """Records a verification decision; a rejection without a reason re-renders the queue."""

    http_method_names = ["post"]

    def post(self, request, pk):
        user = request.user
        member = get_object_or_404(Member.objects.for_user(user), pk=pk)
        if not Scope.of(user).contains(member, "verify"):
            raise PermissionDenied(
                _("Members are verified by district education bureau staff and police liaisons.")
            )
        form = VerificationForm(request.POST)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            members.record_decision(member, user, decision, form.cleaned_data["reason"])
            if decision == VerificationStatus.VERIFIED:
                message = _("Verified %(name)s.")
            else:
                message = _("Rejected %(name)s.")
            messages.success(request, message % {"name": member.name})
            return redirect_back(request, reverse("posts:verify"))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(failed=member.pk, verify_form=form))


# Coverage ------------------------------------------------------------------------


def bureau_schools(user):
    """The schools whose coverage the user reads as bureau staff (admins: all); 403 for others."""
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*BUREAU)):
        raise PermissionDenied(
            _("Coverage is for education bureau staff; a school's own logs are on its pages.")
        )
    return School.objects.for_user(user, roles=BUREAU)


def sort_rows(rows, ordering):
    """Sort coverage rows by a column; rows without a rate (no school days) go last."""
    key = ordering.lstrip("-")
    if key == "label":
        rows.sort(key=lambda row: str(row.label))
        return rows
    present = [row for row in rows if getattr(row, key) is not None]
    absent = [row for row in rows if getattr(row, key) is None]
    present.sort(key=lambda row: (getattr(row, key), str(row.label)))
    if ordering.startswith("-"):
        present.reverse()
    return present + absent


class CoverageView(PageMixin, TemplateView):
    """Coverage of school days by duty logs over a date range, by school, district or day.

    The figures are counted in the database (posts/coverage.py); this page
    only sorts and pages the rows.
    """

    template_name = "posts/coverage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schools = bureau_schools(self.request.user)
        form = CoverageForm(self.request.GET)
        context["form"] = form
        if not form.is_valid():
            return context
        data = form.cleaned_data
        group_by = data["group_by"] or "school"
        rows = sort_rows(
            coverage(schools, data["start"], data["end"], group_by), data["sort"] or "label"
        )
        totals = {
            "school_days": sum(row.school_days for row in rows),
            "covered": sum(row.covered for row in rows),
            "partial": sum(row.partial for row in rows),
            "missed": sum(row.missed for row in rows),
            "understaffed_logs": sum(row.understaffed_logs for row in rows),
        }
        totals["rate"] = (
            totals["covered"] / totals["school_days"] if totals["school_days"] else None
        )
        range_query = {"date_after": data["start"], "date_before": data["end"]}
        unsorted = self.request.GET.copy()
        for key in ("sort", "page"):
            unsorted.pop(key, None)
        context.update(
            group_by=group_by,
            sort=data["sort"] or "label",
            # Column headers sort by themselves, keeping the range and grouping.
            sort_query=unsorted.urlencode(),
            page_obj=Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page")),
            totals=totals,
            filter_query=list_query(self.request),
            range_query=urlencode({"start": data["start"], "end": data["end"]}),
            logs_query=urlencode(range_query),
            understaffed_query=urlencode({**range_query, "understaffed": "true"}),
        )
        return context


class MissedDaysView(PageMixin, TemplateView):
    """School days on which a school logged no post at all, oldest first, paginated."""

    template_name = "posts/missed_days.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schools = bureau_schools(self.request.user)
        form = DateRangeForm(self.request.GET)
        context["form"] = form
        if not form.is_valid():
            return context
        missed = missed_days(schools, form.cleaned_data["start"], form.cleaned_data["end"])
        page = Paginator(missed, PAGE_SIZE).get_page(self.request.GET.get("page"))
        names = dict(
            School.objects.filter(pk__in={school for school, _day in page}).values_list(
                "pk", "name"
            )
        )
        context.update(
            page_obj=page,
            rows=[(school, names[school], day) for school, day in page],
            filter_query=list_query(self.request),
        )
        return context
