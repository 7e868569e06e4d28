"""Meeting pages: the list, a meeting with its decisions and items, the printable minutes,
the owner's action items, and marking one done from a phone with its evidence."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from accounts.scope import ADD, CHANGE, Scope
from campussafety.export_views import ExportMixin
from campussafety.exports import Column, Table
from campussafety.ids import id_or_404
from campussafety.views import PAGE_SIZE, ScopedObjectMixin, list_query, save_in_scope
from coordination import services
from coordination.forms import ActionItemForm, CompleteForm, DecisionForm, MeetingForm
from coordination.models import ActionEvidence, ActionItem, Meeting


def meeting_rows(user, query):
    """The meetings the list shows for its query, newest first: page and export. ?level=,
    ?district= and ?school= (the holding unit) narrow it, as the cadence's drill-down does."""
    rows = Meeting.objects.for_user(user).with_counts()
    level = query.get("level")
    if level:
        rows = rows.filter(level=level)
    for unit in ("district", "school"):
        if query.get(unit):
            rows = rows.filter(**{f"{unit}_id": id_or_404(query[unit])})
    # city, district, school: each row names its unit.
    return rows.select_related("city", "district", "school").order_by("-held_on", "-pk")


def meeting_table(user, query) -> Table:
    return Table(
        name="security-meetings",
        title=_("Security meetings"),
        model=Meeting,
        rows=meeting_rows(user, query),
        columns=[
            Column(gettext_lazy("Held on"), lambda meeting: meeting.held_on),
            Column(gettext_lazy("Title"), lambda meeting: meeting.title),
            Column(gettext_lazy("Level"), lambda meeting: meeting.get_level_display()),
            Column(gettext_lazy("Unit"), lambda meeting: meeting.unit.name),
            Column(gettext_lazy("Place"), lambda meeting: meeting.place),
            Column(gettext_lazy("Action items"), lambda meeting: meeting.items_count),
            Column(gettext_lazy("Open action items"), lambda meeting: meeting.open_count),
        ],
    )


class MeetingListView(LoginRequiredMixin, ExportMixin, ListView):
    """The meetings the user sees, newest first, with their open items counted;
    ?format=xlsx|csv exports them."""

    template_name = "coordination/meetings.html"
    paginate_by = PAGE_SIZE
    export_builder = staticmethod(meeting_table)

    def get_queryset(self):
        return meeting_rows(self.request.user, self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_add"] = Scope.of(self.request.user).can(Meeting, ADD)
        context["query"] = list_query(self.request)
        return context


class MeetingFormView(LoginRequiredMixin, View):
    def get(self, request):
        if not Scope.of(request.user).can(Meeting, ADD):
            raise PermissionDenied
        form = MeetingForm(user=request.user, initial={"held_on": timezone.localdate()})
        return render(
            request, "coordination/form.html", {"form": form, "heading": _("Record a meeting")}
        )

    def post(self, request):
        if not Scope.of(request.user).can(Meeting, ADD):
            raise PermissionDenied
        form = MeetingForm(request.POST, user=request.user)
        form.instance.recorded_by = request.user
        if form.is_valid():
            meeting = save_in_scope(request.user, form, ADD)
            if meeting is not None:
                services.count_towards_cadence(meeting)
                return redirect(meeting)
        return render(
            request,
            "coordination/form.html",
            {"form": form, "heading": _("Record a meeting")},
            status=400,
        )


class MeetingDetailView(ScopedObjectMixin, DetailView):
    """A meeting: attendees, agenda, minutes, decisions with their items; its unit adds more."""

    model = Meeting
    template_name = "coordination/meeting.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("city", "district", "school")
            .prefetch_related("attendees", "attachments", "schools")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        context["decisions"] = meeting.decisions.prefetch_related(
            "action_items__owner_school", "action_items__owner_district"
        )
        context["may_change"] = self.scope.contains(meeting, CHANGE)
        context["today"] = timezone.localdate()
        if context["may_change"]:
            context.setdefault("decision_form", DecisionForm())
            context.setdefault("item_form", ActionItemForm(user=self.request.user, meeting=meeting))
        return context

    def post(self, request, pk):
        """A decision (`text`), or an action item of one, added by the meeting's unit."""
        self.object = meeting = self.get_object()
        if not self.scope.contains(meeting, CHANGE):
            raise PermissionDenied
        if "text" in request.POST:
            form, name, action = DecisionForm(request.POST), "decision_form", CHANGE
            form.instance.meeting = meeting
        else:
            form = ActionItemForm(request.POST, user=request.user, meeting=meeting)
            name, action = "item_form", ADD
        if form.is_valid() and save_in_scope(request.user, form, action) is not None:
            messages.success(request, _("Saved."))
            return redirect(meeting)
        context = self.get_context_data(object=meeting, **{name: form})
        return self.render_to_response(context, status=400)


class MeetingPrintView(MeetingDetailView):
    """The minutes with their action items, to print (or save as PDF from the browser)."""

    template_name = "coordination/meeting_print.html"


def item_rows(user, query=None):
    """The user's own open action items (and their units'), soonest due first."""
    return (
        ActionItem.objects.for_user(user)
        .owned_by(user)
        .open()
        .with_overdue()
        # meeting, owner_school, owner_district: each row names its meeting and owner.
        .select_related("meeting", "owner_school", "owner_district")
        .order_by("due_on", "pk")
    )


def item_table(user, query) -> Table:
    return Table(
        name="action-items",
        title=_("Your action items"),
        model=ActionItem,
        rows=item_rows(user, query),
        columns=[
            Column(gettext_lazy("Action"), lambda item: item.title),
            Column(gettext_lazy("Owner"), lambda item: item.owner_unit.name),
            Column(gettext_lazy("Due"), lambda item: item.due_on),
            Column(gettext_lazy("Overdue"), lambda item: item.overdue),
            Column(gettext_lazy("Meeting"), lambda item: item.meeting.title),
            Column(gettext_lazy("Held on"), lambda item: item.meeting.held_on),
        ],
    )


class ActionItemListView(LoginRequiredMixin, ExportMixin, ListView):
    """The user's own open action items (and their units'), overdue first; ?format=xlsx|csv."""

    template_name = "coordination/items.html"
    paginate_by = PAGE_SIZE
    export_builder = staticmethod(item_table)

    def get_queryset(self):
        return item_rows(self.request.user, self.request.GET)


class ActionItemView(ScopedObjectMixin, View):
    """An action item on a phone: what, by when, for whom; its owner marks it done with a photo."""

    model = ActionItem
    template_name = "coordination/item.html"

    def item(self, pk):
        return get_object_or_404(
            self.get_queryset().select_related("meeting", "owner_school", "owner_district"),
            pk=pk,
        )

    def may_complete(self, item):
        # Whoever the evidence's scope lets add it: the owner, or the meeting's unit.
        return Scope.of(self.request.user).can(ActionEvidence, ADD)

    def render_item(self, item, form, status=200):
        evidence = ActionEvidence.objects.filter(item=item).first()
        return render(
            self.request,
            self.template_name,
            {"item": item, "form": form, "evidence": evidence, "today": timezone.localdate()},
            status=status,
        )

    def get(self, request, pk):
        item = self.item(pk)
        return self.render_item(item, CompleteForm() if item.status == "open" else None)

    def post(self, request, pk):
        item = self.item(pk)
        form = CompleteForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.complete_item(
                    request.user, item, form.cleaned_data["note"], form.cleaned_data.get("photo")
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Marked done."))
                return redirect(item)
        return self.render_item(item, form, status=400)
