"""Pages of emergency plans and training sessions (the drill pages are in drills/views/).

- plans: the current version of each plan in the user's scope (?school=),
  with a review date passed flagged, and the drills still waiting for the
  revision their evaluation asked for; a plan's history; uploading a version.
- training: sessions in scope (?school=, ?audience=, ?member= for a post
  member's training history); adding and editing one with its attendees.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from accounts.scope import ADD, CHANGE, OutOfScope, Scope
from campussafety.export_views import ExportMixin
from campussafety.exports import Column, Table
from campussafety.ids import parse_id
from campussafety.views import PAGE_SIZE, list_query
from drills import plans
from drills.choices import PlanType
from drills.forms_plans import EmergencyPlanForm, TrainingSessionForm
from drills.models import Drill, EmergencyPlan, TrainingSession
from drills.models_training import attendee_members
from schools.models import School

# Drills waiting for a revision, listed on the plans page; the reminders carry the rest.
REVISIONS_LISTED = 20


def _write(form, write):
    """Run a service write for `form`; its refusal becomes the form's error (None returned)."""
    try:
        return write()
    except ValidationError as error:
        form.add_error(None, error.messages)
    except OutOfScope as refused:
        form.add_error(None, refused.args[0])
    return None


def plan_rows(user, query):
    """The current version of each plan in scope (?school=): the list and its export."""
    scoped = EmergencyPlan.objects.for_user(user)
    school_id = parse_id(query.get("school"))
    if school_id is not None:
        scoped = scoped.filter(school_id=school_id)
    # school: each row names it.
    return (
        plans.current_plans(scoped).select_related("school").order_by("school__name", "plan_type")
    )


def plan_table(user, query) -> Table:
    today = timezone.localdate()
    return Table(
        name="emergency-plans",
        title=_("Emergency plans"),
        model=EmergencyPlan,
        rows=plan_rows(user, query),
        columns=[
            Column(gettext_lazy("School"), lambda plan: plan.school.name),
            Column(gettext_lazy("Type"), lambda plan: plan.get_plan_type_display()),
            Column(gettext_lazy("Title"), lambda plan: plan.title),
            Column(gettext_lazy("Version"), lambda plan: plan.version),
            Column(gettext_lazy("Approved on"), lambda plan: plan.approved_on),
            Column(gettext_lazy("Review due by"), lambda plan: plan.revision_due),
            Column(gettext_lazy("Review overdue"), lambda plan: plan.revision_due < today),
        ],
    )


class PlanListView(LoginRequiredMixin, ExportMixin, ListView):
    """The current emergency plans in scope; ?format=xlsx|csv exports them."""

    template_name = "drills/plans/plan_list.html"
    paginate_by = PAGE_SIZE
    export_builder = staticmethod(plan_table)

    def school_id(self):
        return parse_id(self.request.GET.get("school"))

    def get_queryset(self):
        return plan_rows(self.request.user, self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        drills = Drill.objects.for_user(user)
        if self.school_id() is not None:
            drills = drills.filter(school_id=self.school_id())
        context["revisions"] = list(
            plans.revisions_requested(drills)
            .select_related("school")
            .order_by("all_clear_at")[:REVISIONS_LISTED]
        )
        context["plan_types"] = dict(PlanType.choices)
        context["today"] = timezone.localdate()
        context["may_add"] = Scope.of(user).can(EmergencyPlan, ADD)
        context["filter_query"] = list_query(self.request)
        return context


class PlanHistoryView(LoginRequiredMixin, ListView):
    """Every version of one school's plan of one type, newest first."""

    template_name = "drills/plans/plan_history.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        if self.kwargs["plan_type"] not in PlanType.values:
            raise Http404
        self.school = get_object_or_404(
            School.objects.for_user(self.request.user), pk=self.kwargs["pk"]
        )
        return (
            EmergencyPlan.objects.for_user(self.request.user)
            .filter(school=self.school, plan_type=self.kwargs["plan_type"])
            .select_related("uploaded_by")
            .order_by("-version")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["school"] = self.school
        context["plan_type"] = PlanType(self.kwargs["plan_type"])
        context["may_add"] = Scope.of(self.request.user).contains(
            self.school, roles=EmergencyPlan.access[ADD]
        )
        return context


class PlanUploadView(LoginRequiredMixin, View):
    """Upload the next version of a plan (?school= and ?type= preselect them)."""

    template = "drills/plans/form_page.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not Scope.of(request.user).can(EmergencyPlan, ADD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        heading = _("Upload an emergency plan")
        return render(
            self.request,
            self.template,
            {"form": form, "heading": heading, "multipart": True},
            status=status,
        )

    def get(self, request):
        initial = {
            "school": parse_id(request.GET.get("school")),
            "plan_type": request.GET.get("type"),
        }
        return self.render_form(EmergencyPlanForm(initial=initial, user=request.user))

    def post(self, request):
        form = EmergencyPlanForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            plan = _write(form, lambda: plans.upload_plan(request.user, form.instance))
            if plan is not None:
                messages.success(request, _("Saved %(object)s.") % {"object": plan})
                return redirect(
                    reverse("drillplans:plan-history", args=[plan.school_id, plan.plan_type])
                )
        return self.render_form(form, status=400)


def training_rows(user, query):
    """(the member asked for or None, the sessions) the training list shows for its query:
    ?school=, ?audience=, ?member= (a member's history, only of a member the user sees)."""
    sessions = TrainingSession.objects.for_user(user)
    school = parse_id(query.get("school"))
    if school is not None:
        sessions = sessions.filter(school_id=school)
    audience = query.get("audience")
    if audience:
        sessions = sessions.filter(audience=audience)
    member = None
    member_id = parse_id(query.get("member"))
    if member_id is not None:
        member = attendee_members().for_user(user).filter(pk=member_id).first()
        if member is None:
            return None, sessions.none()
        sessions = plans.training_of_member(sessions, member_id)
    # attendees: the names listed under each session.
    return member, (
        sessions.select_related("school")
        .prefetch_related("attendees__member", "attendees__user")
        .order_by("-held_on", "pk")
    )


def attendee_names(session) -> str:
    return "、".join(
        attendee.member.name if attendee.member else str(attendee.user)
        for attendee in session.attendees.all()
    )


def training_table(user, query) -> Table:
    _member, sessions = training_rows(user, query)
    return Table(
        name="training-sessions",
        title=_("Training sessions"),
        model=TrainingSession,
        rows=sessions,
        columns=[
            Column(gettext_lazy("Date"), lambda s: s.held_on),
            Column(gettext_lazy("Topic"), lambda s: s.topic),
            Column(gettext_lazy("School"), lambda s: s.school.name),
            Column(gettext_lazy("Audience"), lambda s: s.get_audience_display()),
            Column(gettext_lazy("Trainer"), lambda s: s.trainer),
            Column(gettext_lazy("Hours"), lambda s: s.hours),
            Column(gettext_lazy("Attendees"), lambda s: s.attendees_count),
            Column(gettext_lazy("Attendees' names"), attendee_names),
        ],
    )


class TrainingListView(LoginRequiredMixin, ExportMixin, ListView):
    """Training sessions in scope (?school=, ?audience=, ?member=); ?format=xlsx|csv."""

    template_name = "drills/plans/training_list.html"
    paginate_by = PAGE_SIZE
    export_builder = staticmethod(training_table)

    def get_queryset(self):
        self.member, sessions = training_rows(self.request.user, self.request.GET)
        return sessions

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["member"] = self.member
        context["schools"] = School.objects.for_user(
            user, roles=TrainingSession.access["add"]
        ).order_by("name")[:PAGE_SIZE]
        context["filter_query"] = list_query(self.request)
        return context


class TrainingFormView(LoginRequiredMixin, View):
    """Add a session at a school (`school_pk`) or edit one (`pk`), with its attendees."""

    template = "drills/plans/form_page.html"

    def setup_session(self, request, school_pk=None, pk=None):
        if pk is not None:
            session = get_object_or_404(
                TrainingSession.objects.for_user(request.user).select_related("school"), pk=pk
            )
            if not Scope.of(request.user).contains(session, CHANGE):
                raise PermissionDenied
            return session, session.school
        school = get_object_or_404(School.objects.for_user(request.user), pk=school_pk)
        if not Scope.of(request.user).contains(school, roles=TrainingSession.access[ADD]):
            raise PermissionDenied
        return TrainingSession(school=school), school

    def render_form(self, form, school, status=200):
        heading = _("Training session at %(school)s") % {"school": school.name}
        return render(
            self.request, self.template, {"form": form, "heading": heading}, status=status
        )

    def get(self, request, school_pk=None, pk=None):
        session, school = self.setup_session(request, school_pk, pk)
        form = TrainingSessionForm(instance=session, user=request.user, school=school)
        return self.render_form(form, school)

    def post(self, request, school_pk=None, pk=None):
        session, school = self.setup_session(request, school_pk, pk)
        form = TrainingSessionForm(request.POST, instance=session, user=request.user, school=school)
        if form.is_valid():
            saved = _write(
                form,
                lambda: plans.save_training(
                    request.user,
                    form.instance,
                    list(form.cleaned_data["members"]),
                    list(form.cleaned_data["users"]),
                ),
            )
            if saved is not None:
                messages.success(request, _("Saved %(object)s.") % {"object": saved})
                return redirect(f"{reverse('drillplans:training')}?school={school.pk}")
        return self.render_form(form, school, status=400)
