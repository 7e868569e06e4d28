"""Rosters: the week's shifts, editing them, generating them from the weekly pattern, printing."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.scope import ADD, CHANGE, SCHOOL_STAFF, Scope
from campussafety.export_views import ExportMixin
from campussafety.exports import Column, Table
from campussafety.ids import id_or_404
from campussafety.views import ScopedDeleteView, save_in_scope
from posts import rosters
from posts.forms import (
    GenerateRosterForm,
    ReplaceMemberForm,
    RosterCellForm,
    RosterRuleForm,
    RosterSchoolForm,
    SwapShiftsForm,
    add_service_errors,
    editable_shifts,
)
from posts.models import (
    Post,
    PostPeriod,
    RosterRule,
    Shift,
)
from posts.models.rosters import WEEKDAYS
from posts.rosters import MAX_GENERATED_WEEKS
from posts.views.base import (
    ONE_DAY,
    ONE_WEEK,
    PageMixin,
    may,
    week_of,
)
from schools.calendar import school_days
from schools.models import School


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


def roster_school(user, query) -> School | None:
    """The school a roster page is about: ?school= (404 outside the scope), else the user's own."""
    value = query.get("school", "")
    if value:
        return get_object_or_404(School.objects.for_user(user), pk=id_or_404(value))
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
        shift.unqualified_reason = shift.member.unqualified_reason(shift.date)
        shift.qualified = shift.unqualified_reason is None
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


def roster_table(user, query) -> Table:
    """The roster page's week as a file: a row per post period and school day, with the
    members on it (those not qualified marked, as on the page) and the cell's problems."""
    school = roster_school(user, query)
    if school is None:
        raise Http404
    week = roster_week(user, school, week_of(query.get("week"), timezone.localdate()))

    def members(cell):
        return "、".join(
            shift.member.name
            if shift.qualified
            else _("%(name)s (not qualified: %(reason)s)")
            % {"name": shift.member.name, "reason": shift.unqualified_reason}
            for shift in cell.shifts
        )

    return Table(
        name="roster",
        title=_("Roster · %(school)s · %(start)s – %(end)s")
        % {"school": school.name, "start": week["monday"], "end": week["sunday"]},
        model=Shift,
        rows=[
            (post, row.period, cell)
            for post, rows in week["tables"]
            for row in rows
            for cell in row.cells
        ],
        columns=[
            Column(gettext_lazy("Date"), lambda row: row[2].day),
            Column(gettext_lazy("Post"), lambda row: row[0].name),
            Column(gettext_lazy("Period"), lambda row: row[1].get_period_display()),
            Column(
                gettext_lazy("Time on duty"),
                lambda row: f"{row[1].start_time:%H:%M}–{row[1].end_time:%H:%M}",
            ),
            Column(gettext_lazy("Members"), lambda row: members(row[2])),
            Column(gettext_lazy("Problems"), lambda row: "；".join(map(str, row[2].problems))),
        ],
    )


def shift_words(shift) -> dict:
    """The words a message about a shift names: who, which post period, which day."""
    # The day as the pages write it, not in ISO form.
    return {"name": shift.member.name, "period": shift.post_period, "day": date_format(shift.date)}


class RosterView(PageMixin, ExportMixin, TemplateView):
    """A school's roster for a week (?school=&week=YYYY-MM-DD), with the editor for those who may.

    Each post is a table: its periods down, the week's school days across,
    the members in the cells and the roster's problems flagged in them;
    ?format=xlsx|csv exports the week.
    """

    template_name = "posts/roster.html"
    export_builder = staticmethod(roster_table)
    choose_school = True
    # Forms of the editor, by context name; a POST view re-renders the page with its bound form.
    form_names = ("cell_form", "replace_form", "swap_form", "generate_form")

    def setup_roster(self):
        user = self.request.user
        self.school = roster_school(self.request.user, self.request.GET)
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
        )
        # Another school to choose only for those with several; two ids say so, whatever the
        # number of schools in scope.
        several = School.objects.for_user(user).values_list("pk", flat=True)[:2]
        if self.choose_school and len(several) > 1:
            context["school_form"] = RosterSchoolForm(initial={"school": self.school}, user=user)
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
    # A printed roster has no school choice.
    choose_school = False

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
        school = roster_school(self.request.user, self.request.GET)
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
        school = roster_school(request.user, request.GET)
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
