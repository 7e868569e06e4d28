"""The member registry: the list, registration, assignments to schools and verification."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView
from django_filters.views import FilterView

from accounts.scope import ADD, CHANGE, VIEW, Scope
from campussafety import audit
from campussafety.errors import Conflict
from campussafety.export_views import ExportMixin
from campussafety.panels import object_panels
from campussafety.views import PAGE_SIZE, FilteredListMixin, ScopedObjectMixin, save_in_scope
from posts import exports, members
from posts.choices import VerificationStatus
from posts.filtersets import MemberFilterSet
from posts.forms import (
    AssignmentForm,
    EndAssignmentForm,
    MemberForm,
    VerificationForm,
)
from posts.models import (
    GuardRule,
    Member,
    MemberAssignment,
    Shift,
)
from posts.views.base import (
    PageMixin,
    redirect_back,
)


def log_phones_shown(request, members):
    """Log each member whose full phone the page shows (phone_visible, one query at most)."""
    audit.log_phones_shown(
        request, [member for member in members if getattr(member, "phone_visible", False)]
    )


class MemberListView(PageMixin, ExportMixin, FilteredListMixin, FilterView):
    """The member registry: searched and filtered, ID numbers always masked, phones masked
    unless the user is the member's school or its police liaison; ?format=xlsx|csv exports it."""

    filterset_class = MemberFilterSet
    template_name = "posts/member_list.html"
    export_builder = staticmethod(exports.member_table)

    def get_queryset(self):
        # phone_visible: whether each phone shows in full; assignments: each row's schools.
        return exports.member_rows(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = Scope.of(self.request.user)
        context.update(
            today=timezone.localdate(),
            can_add=scope.can(Member, ADD),
            can_verify=scope.can(Member, "verify"),
            # The guards a school needs are the city's rule: linked from its guards' list.
            may_read_guard_rules=scope.can(GuardRule, VIEW),
        )
        log_phones_shown(self.request, context["object_list"])
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

    def get_queryset(self):
        # phone_visible: the form shows the phone only as the viewer may see it.
        return super().get_queryset().with_phone_visibility(self.request.user)

    def get_context_data(self, **kwargs):
        log_phones_shown(self.request, [self.object])
        return super().get_context_data(**kwargs)

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
            # Cards other apps add to a member's page (their training, say).
            object_panels=object_panels(user, member),
            can_verify=member.verification_status == VerificationStatus.PENDING
            and scope.contains(member, "verify"),
            verify_form=kwargs.get("verify_form") or VerificationForm(),
            shifts=Shift.objects.for_user(user)
            .filter(member=member, date__gte=today, is_cancelled=False)
            .select_related("post_period__post", "school")
            .order_by("date", "post_period__start_time")[:10],
        )
        if scope.contains(member, "view_history"):
            context["show_history"] = True
            context["history"] = audit.history_of(
                {Member: [member.pk], MemberAssignment: [a.pk for a in assignments]}
            )
        log_phones_shown(self.request, [member])
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


class VerificationQueueView(PageMixin, ExportMixin, ListView):
    """Members waiting for verification (核验), oldest first, for district staff and police;
    ?format=xlsx|csv exports them, masked as shown."""

    template_name = "posts/verification_queue.html"
    paginate_by = PAGE_SIZE
    context_object_name = "members"
    export_builder = staticmethod(exports.verification_table)

    def get_queryset(self):
        return exports.verification_rows(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            today=timezone.localdate(),
            failed=kwargs.get("failed"),
            verify_form=kwargs.get("verify_form") or VerificationForm(),
        )
        log_phones_shown(self.request, context["members"])
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
            # Decide on the member as the page showed them: one decided since by
            # someone else is a Conflict, as two decisions at once are.
            member.verification_status = form.cleaned_data["seen"] or member.verification_status
            try:
                members.record_decision(member, user, decision, form.cleaned_data["reason"])
            except Conflict as conflict:
                messages.error(request, conflict.messages[0])
                return redirect_back(request, reverse("posts:verify"))
            if decision == VerificationStatus.VERIFIED:
                message = _("Verified %(name)s.")
            else:
                message = _("Rejected %(name)s.")
            messages.success(request, message % {"name": member.name})
            return redirect_back(request, reverse("posts:verify"))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(failed=member.pk, verify_form=form))
