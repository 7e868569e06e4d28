"""Duty logs: the full form, the history, countersigning, the list and the police board."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from accounts.choices import Role
from accounts.scope import ADD, BUREAU, CHANGE, OutOfScope, Scope, write_in_scope
from campussafety.dutylog import Handover, slots_for
from campussafety.export_views import ExportMixin
from campussafety.ids import parse_id
from campussafety.views import (
    PAGE_SIZE,
    FilteredListMixin,
    ScopedObjectMixin,
    keyset_context,
)
from posts import dutylogs
from posts.choices import Weather
from posts.exports import LOG_LIST_ORDER, log_rows, log_table
from posts.filtersets import DutyLogFilterSet
from posts.forms import (
    DutyLogForm,
    add_service_errors,
)
from posts.models import (
    DutyLog,
    DutyLogRevision,
    Member,
    PostPeriod,
)
from posts.views.base import (
    LOCKED,
    RECENT_LOGS,
    PageMixin,
    may,
    parse_day,
    redirect_back,
)
from posts.views.today import logged_message, todays_posts
from schools.models import School


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
            PostPeriod.objects.for_user(request.user).select_related(
                "post__school__district__city", "post__gate"
            ),
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
        form = DutyLogForm(
            data,
            files,
            instance=instance,
            initial=initial,
            user=self.request.user,
            listed=listed,
            day=day,
        )
        # The date picker offers only the days this user may log: none to come,
        # and for school staff none before the city's late-entry window.
        form.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        earliest = dutylogs.earliest_loggable_day(self.request.user, self.period)
        if earliest is not None:
            form.fields["date"].widget.attrs["min"] = earliest.isoformat()
        return form

    def get(self, request, pk):
        self.setup_period(request, pk)
        form = self.get_form()
        # Logged already: say so at once, with the way to the log, rather than a
        # blank form that fails on submit.
        existing = (
            DutyLog.objects.filter(post_period=self.period, date=form.initial["date"])
            .select_related("submitted_by", "post_period__post")
            .first()
        )
        return self.render_form(
            form,
            duplicate=existing,
            already_logged=existing and dutylogs.duplicate_message(existing),
        )

    def post(self, request, pk):
        self.setup_period(request, pk)
        form = self.get_form(request.POST, request.FILES)
        duplicate = None
        if form.is_valid():
            try:
                log = write_in_scope(
                    request.user,
                    ADD,
                    lambda: dutylogs.submit_log(
                        request.user,
                        self.period,
                        form.cleaned_data["date"],
                        attendance=form.attendance(),
                        **form.log_fields(),
                    ),
                )
            except OutOfScope:
                # The written log re-checked, as every write is: a 403, not a form error.
                raise
            except dutylogs.DuplicateLog as error:
                duplicate = error.existing
                form.add_error(None, dutylogs.duplicate_message(duplicate))
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
            .select_related(
                "school__district__city",
                "post_period__post__gate",
                "submitted_by",
                "countersigned_by",
            )
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
            # What other apps show on the log (the kit handed over at the gate).
            handover_slots=slots_for(
                Handover(
                    user=self.request.user,
                    school_id=log.school_id,
                    gate_id=log.post_period.post.gate_id,
                    date=log.date,
                    ref=f"posts.dutylog:{log.pk}",
                    url=self.request.get_full_path(),
                )
            ),
        )
        return context


class PoliceActionView(PageMixin, View):
    """A police liaison's decision on a duty log (POST), through the one write check."""

    def act(self, log):
        raise NotImplementedError

    def done(self, log) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        log = get_object_or_404(
            DutyLog.objects.for_user(request.user).select_related("post_period__post"), pk=pk
        )
        try:
            log = write_in_scope(request.user, "countersign", lambda: self.act(log))
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(request, self.done(log))
        return redirect_back(request, reverse("posts:log-detail", args=[log.pk]))


def shown_log(log) -> str:
    """A log named in a message: its day as the pages write it, and its post period."""
    return f"{date_format(log.date)} {log.post_period}"


class CountersignView(PoliceActionView):
    """The police liaison countersigns a duty log in one tap, with an optional remark; it
    then closes."""

    def act(self, log):
        return dutylogs.countersign(self.request.user, log, self.request.POST.get("remark", ""))

    def done(self, log):
        return _("Countersigned %(log)s.") % {"log": shown_log(log)}


class ReturnView(PoliceActionView):
    """The police liaison returns a duty log to the school with a reason (required)."""

    def act(self, log):
        return dutylogs.return_log(self.request.user, log, self.request.POST.get("reason", ""))

    def done(self, log):
        return _("Returned %(log)s to the school.") % {"log": shown_log(log)}


class CountersignDayView(PageMixin, TemplateView):
    """A day's compliant logs, all selected, countersigned with one confirmation (POST).

    ?date= names the day (today by default). Only logs that still meet the
    rules and wait for a countersignature are listed and signed.
    """

    template_name = "posts/countersign_day.html"

    def setup_day(self, request):
        if not Scope.of(request.user).has_role(Role.POLICE_LIAISON):
            raise PermissionDenied(_("This board is for police liaisons."))
        source = request.POST if request.method == "POST" else request.GET
        return parse_day(source.get("date"), timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = self.setup_day(self.request)
        context.update(
            day=day,
            # school and post_period__post: each row names its school and post.
            logs=dutylogs.countersignable(self.request.user, day)
            .select_related("school", "post_period__post")
            .order_by("school__name", "post_period__start_time"),
        )
        return context

    def post(self, request):
        day = self.setup_day(request)
        ids = [pk for pk in map(parse_id, request.POST.getlist("log")) if pk is not None]
        signed = write_in_scope(
            request.user,
            "countersign",
            lambda: dutylogs.countersign_many(request.user, day, ids),
            # The check reads only their ids: no need to load the logs again.
            changed=lambda signed: [DutyLog(pk=pk) for pk in signed],
        )
        messages.success(
            request,
            ngettext(
                "Countersigned %(count)s log of %(day)s.",
                "Countersigned %(count)s logs of %(day)s.",
                len(signed),
            )
            % {"count": len(signed), "day": date_format(day)},
        )
        return HttpResponseRedirect(reverse("posts:police"))


class DutyLogListView(PageMixin, ExportMixin, FilteredListMixin, FilterView):
    """The duty logs in scope, newest first, filtered (understaffed, uncountersigned, by day);
    ?format=xlsx|csv exports every page of them."""

    filterset_class = DutyLogFilterSet
    export_builder = staticmethod(log_table)
    template_name = "posts/dutylog_list.html"
    # Keyset pages (get_context_data): a city's two million logs are never counted.
    paginate_by = None
    page_size = PAGE_SIZE

    def get_queryset(self):
        # The city: its qualified share, to say which rule a log failed.
        return log_rows(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            keyset_context(self.request, self.object_list, LOG_LIST_ORDER, self.page_size)
        )
        return context


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
            recent=list(
                DutyLog.objects.for_user(user, "countersign")
                .filter(
                    date__gte=today - RECENT_LOGS, date__lt=today, countersigned_at__isnull=True
                )
                .select_related("school", "post_period__post")
                .order_by("-date", "school__name", "post_period__start_time")[:PAGE_SIZE]
            ),
        )
        # The count at the top is of every log the board lists to countersign.
        context["pending"] = len(context["to_countersign"]) + len(context["recent"])
        return context
