"""The hazard ledger's pages: a school's ledger, registering a hazard, and a hazard's page.

A hazard's page shows its timeline, the photos before and after side by side,
and a form for each move the user may make now. Each form posts to
HazardActionView, which calls the move's function in inspections/hazards.py:
the services decide (state, role, "not your own work") inside write_in_scope,
the views only read the form and show the answer. A refusal is shown on the
page again with the form's errors: 400 for bad input, 403 for a move the user
may not make, 409 when someone else moved the hazard first.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView

from accounts.scope import ADD, CHANGE, Scope
from campussafety.export_views import ExportMixin
from campussafety.exports import Column, Table
from campussafety.ids import parse_id
from campussafety.views import PAGE_SIZE, keyset_context
from inspections import hazards
from inspections.choices import (
    OPEN_STATES,
    UNRECTIFIED_STATES,
    ExtensionStatus,
    HazardLevel,
    HazardPhotoKind,
    HazardState,
)
from inspections.forms_hazards import (
    AssignForm,
    ConfirmForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    LedgerFilterForm,
    MergeForm,
    NoteForm,
    PhotoNoteForm,
    ProgressForm,
    ReasonForm,
    RegisterForm,
    SubmitForm,
    SuperviseForm,
    age_bounds,
)
from inspections.models import (
    DeadlineExtension,
    Hazard,
    HazardEvent,
    HazardPhoto,
    SupervisionOrder,
    SupervisionReport,
)
from schools.models import School

S = HazardState


def ledger_queryset(user, data, today):
    """The hazards of the user's scope matching the ledger's filters (LedgerFilterForm data)."""
    rows = Hazard.objects.for_user(user).with_overdue(today)
    if data.get("school"):
        rows = rows.filter(school_id=data["school"])
    if data.get("district"):
        rows = rows.filter(school__district_id=data["district"])
    if data.get("year"):
        rows = rows.filter(year=data["year"])
    state = data.get("state")
    if state == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif state:
        rows = rows.filter(state=state)
    if data.get("level"):
        rows = rows.filter(level=data["level"])
    if data.get("overdue"):
        rows = rows.filter(state__in=UNRECTIFIED_STATES, deadline__lt=today)
    if data.get("supervised"):
        rows = rows.filter(supervised=True)
    if data.get("recurring"):
        rows = rows.filter(recurrence_of__isnull=False)
    if data.get("age"):
        earliest, latest = age_bounds(data["age"], today)
        rows = rows.filter(state__in=OPEN_STATES, found_at__date__lte=latest)
        if earliest is not None:
            rows = rows.filter(found_at__date__gte=earliest)
    return rows


# Newest first; the id breaks ties of one instant (a total order, for the keyset pages).
LEDGER_ORDER = ("-found_at", "-id")

LEDGER_ROW_FIELDS = (
    "year",
    "number",
    "description",
    "state",
    "level",
    "found_at",
    "deadline",
    "supervised",
    "recurrence_of",
    "place",
    "school__name",
    "checkpoint__name",
)

BADGE_CLASSES = {
    S.CLOSED: "text-bg-success",
    S.REJECTED: "text-bg-secondary",
    S.MERGED: "text-bg-secondary",
    S.RETURNED: "text-bg-warning",
}


def decorate(hazards, today=None) -> None:
    """What a ledger row and a hazard's page show of each hazard, worked out here once: its
    badges (state, overdue, supervision, recurrence) and its level's label. A row's
    badges were an {% include %} each, and get_FOO_display() hashes the field's lazy
    choices on every call: a page of rows paid for both in full."""
    states = {value: str(label) for value, label in HazardState.choices}
    levels = {value: str(label) for value, label in HazardLevel.choices}
    flags = [
        (lambda h: h.is_overdue_on(today), "text-bg-danger hazard-overdue", _("Overdue")),
        (lambda h: h.supervised, "text-bg-dark", _("Under supervision")),
        (lambda h: h.recurrence_of_id, "text-bg-warning", _("Recurrence")),
    ]
    for hazard in hazards:
        badge = BADGE_CLASSES.get(hazard.state, "text-bg-primary")
        hazard.badges = format_html(
            '<span class="badge hazard-state hazard-state-{} {}">{}</span>{}',
            hazard.state,
            badge,
            states.get(hazard.state, hazard.state),
            format_html_join(
                "",
                ' <span class="badge {}">{}</span>',
                ((css, label) for shown, css, label in flags if shown(hazard)),
            ),
        )
        hazard.level_label = levels.get(hazard.level, hazard.level)


def ledger_list(user, query):
    """The ledger page's filter form and hazards for its query, page and export alike."""
    filters = LedgerFilterForm(query)
    data = filters.cleaned_data if filters.is_valid() else {}
    today = timezone.localdate()
    hazards = (
        ledger_queryset(user, data, today)
        .select_related("school", "checkpoint")
        .order_by(*LEDGER_ORDER)
    )
    return filters, hazards


def ledger_page_rows(user, query):
    """ledger_list() with only what a page's row shows (not the descriptions of measures,
    notes and the like): the page's filters and rows, before its keyset page is cut."""
    filters, hazards = ledger_list(user, query)
    return filters, hazards.only(*LEDGER_ROW_FIELDS)


def ledger_table(user, query) -> Table:
    _filters, hazards = ledger_list(user, query)
    return Table(
        name="hazards",
        title=gettext_lazy("Hazard ledger"),
        model=Hazard,
        rows=hazards,
        columns=[
            Column(gettext_lazy("Ledger number"), lambda h: h.ledger_number),
            Column(gettext_lazy("School"), lambda h: h.school.name),
            Column(gettext_lazy("Place"), lambda h: h.where),
            Column(gettext_lazy("Description"), lambda h: h.description),
            Column(gettext_lazy("Level"), lambda h: h.get_level_display()),
            Column(gettext_lazy("Date found"), lambda h: timezone.localdate(h.found_at)),
            Column(gettext_lazy("Deadline"), lambda h: h.deadline),
            Column(gettext_lazy("Overdue"), lambda h: h.is_overdue),
            Column(gettext_lazy("Status"), lambda h: h.get_state_display()),
        ],
    )


class LedgerView(LoginRequiredMixin, ExportMixin, ListView):
    """The ledger: newest first, overdue ones marked, with one-click filters.

    Paged by keyset (after the last hazard shown, read in the order of the
    indexes on found_at) and never counted: a city's ledger holds hundreds of
    thousands of hazards over the years, and the overview gives the counts.
    Queries: the page of hazards with their school and checkpoint, the school
    named by ?school=, and the scope.
    """

    template_name = "inspections/hazards/ledger.html"
    context_object_name = "hazards"
    paginate_by = None
    page_size = PAGE_SIZE

    export_builder = staticmethod(ledger_table)

    def get_queryset(self):
        self.today = timezone.localdate()
        self.filters, hazards = ledger_page_rows(self.request.user, self.request.GET)
        return hazards

    def get_context_data(self, **kwargs):
        school = None
        school_id = self.filters.cleaned_data.get("school") if self.filters.is_bound else None
        if school_id:
            school = School.objects.for_user(self.request.user).filter(pk=school_id).first()
        page = keyset_context(self.request, self.object_list, LEDGER_ORDER, self.page_size)
        context = super().get_context_data(
            **page,
            filters=self.filters,
            school=school,
            may_register=Scope.of(self.request.user).can(Hazard, ADD),
            today=self.today,
            **kwargs,
        )
        # Worked out once per row here, not by template tags per row: the link (one
        # reverse for the page), the badge's colour and the labels.
        prefix = reverse("inspections:hazard", args=[0]).removesuffix("0/")
        for hazard in context["hazards"]:
            hazard.url = f"{prefix}{hazard.pk}/"
        decorate(context["hazards"], self.today)
        return context


class RegisterView(LoginRequiredMixin, FormView):
    """Direct registration; ?school= (an id) preselects the school and offers its checkpoints."""

    template_name = "inspections/hazards/register.html"
    form_class = RegisterForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not Scope.of(request.user).can(Hazard, ADD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def school(self):
        school_id = parse_id(self.request.GET.get("school"))
        if school_id is None:
            return None
        return School.objects.for_user(self.request.user).filter(pk=school_id).first()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "school": self.school()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            hazard = hazards.register(
                self.request.user,
                data["school"],
                description=data["description"],
                category=data["category"],
                level=data["level"],
                place=data["place"],
                checkpoint=data.get("checkpoint"),
                interim_measures=data["interim_measures"],
                photos=form.photos(),
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request, _("Hazard %(number)s registered.") % {"number": hazard.ledger_number}
        )
        return redirect("inspections:hazard", hazard.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def add_errors(form, error: ValidationError):
    """Put a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# -- A hazard's page and its moves -------------------------------------------------------------


def _submit_kwargs(form):
    data = form.cleaned_data
    return {"rectification": data["rectification"], "photos": form.photos(), "note": data["note"]}


# Each move the page offers: its form and the service call. The transitions of the
# lifecycle are named as in inspections/hazards.py (TRANSITIONS), which says when each may
# be made (hazards.allowed_actions); the moves on an extension or a supervision order
# follow (offered_moves). The services check everything again on the post.
ACTIONS = {
    "confirm": (
        ConfirmForm,
        lambda u, h, f: hazards.confirm(
            u,
            h,
            level=f.cleaned_data["level"],
            deadline=f.cleaned_data["deadline"],
            note=f.cleaned_data["note"],
        ),
    ),
    "reject": (ReasonForm, lambda u, h, f: hazards.reject(u, h, f.cleaned_data["reason"])),
    "merge": (
        MergeForm,
        lambda u, h, f: hazards.merge(u, h, f.cleaned_data["into"], f.cleaned_data["note"]),
    ),
    "assign": (
        AssignForm,
        lambda u, h, f: hazards.start_rectifying(u, h, **f.service_kwargs()),
    ),
    "submit": (SubmitForm, lambda u, h, f: hazards.submit(u, h, **_submit_kwargs(f))),
    "return": (
        ReasonForm,
        lambda u, h, f: hazards.return_for_work(u, h, f.cleaned_data["reason"]),
    ),
    "verify": (
        PhotoNoteForm,
        lambda u, h, f: hazards.verify(u, h, f.cleaned_data["note"], f.photos()),
    ),
    "sign_off": (NoteForm, lambda u, h, f: hazards.sign_off(u, h, f.cleaned_data["note"])),
    "close": (NoteForm, lambda u, h, f: hazards.close(u, h, f.cleaned_data["note"])),
    "extend": (
        ExtensionRequestForm,
        lambda u, h, f: hazards.request_extension(
            u, h, new_deadline=f.cleaned_data["new_deadline"], reason=f.cleaned_data["reason"]
        ),
    ),
    "decide_extension": (
        ExtensionDecisionForm,
        lambda u, h, f: hazards.decide_extension(
            u, h.pending_extension, approve=f.cleaned_data["approve"], note=f.cleaned_data["note"]
        ),
    ),
    "supervise": (SuperviseForm, lambda u, h, f: hazards.supervise(u, h, **f.cleaned_data)),
    "progress": (
        ProgressForm,
        lambda u, h, f: hazards.report_progress(
            u, h.active_order, progress=f.cleaned_data["progress"], photos=f.photos()
        ),
    ),
    "lift": (
        NoteForm,
        lambda u, h, f: hazards.lift_supervision(u, h.active_order, f.cleaned_data["note"]),
    ),
}


def offered_moves(user, hazard) -> set:
    """The moves the page offers `user` now: the transitions hazards.allowed_actions names,
    and those on the hazard's pending extension and open supervision order."""
    scope = Scope.of(user)
    moves = set(hazards.allowed_actions(user, hazard))
    if hazard.pending_extension is not None:
        moves.discard("extend")
        deciders = hazards.extension_deciders(hazard)
        if hazard.is_open and scope.contains(hazard, hazards.DECIDE, roles=deciders):
            moves.add("decide_extension")
    if hazard.active_order is not None:
        if hazard.is_open and scope.contains(hazard, CHANGE):
            moves.add("progress")
        if scope.contains(hazard, hazards.SUPERVISE):
            moves.add("lift")
    return moves


def load_hazard(user, pk) -> Hazard:
    """The hazard `pk` in the user's scope (404 otherwise), with what its page shows.

    Queries: the hazard with its school, checkpoint and people; its events with
    their actors and photos; its photos; its extensions; its supervision orders
    with their reports: five, however long its history.
    """
    hazard = get_object_or_404(
        Hazard.objects.for_user(user)
        .select_related(
            "school",
            "checkpoint",
            "responsible_person",
            "submitted_by",
            "verified_by",
            "signed_off_by",
            "reported_by",
            "duplicate_of",
            "recurrence_of",
        )
        .prefetch_related(
            Prefetch(
                "events",
                HazardEvent.objects.select_related("actor")
                .prefetch_related(Prefetch("photos", HazardPhoto.objects.order_by("pk")))
                .order_by("at", "pk"),
            ),
            Prefetch("photos", HazardPhoto.objects.order_by("uploaded_at", "pk")),
            Prefetch(
                "extensions",
                DeadlineExtension.objects.select_related("requested_by", "decided_by").order_by(
                    "-requested_at"
                ),
            ),
            Prefetch(
                "supervision_orders",
                SupervisionOrder.objects.select_related("issued_by")
                .prefetch_related(
                    Prefetch(
                        "reports",
                        SupervisionReport.objects.select_related("reported_by").order_by(
                            "-reported_at"
                        ),
                    )
                )
                .order_by("-issued_at"),
            ),
        ),
        pk=pk,
    )
    extensions = list(hazard.extensions.all())
    hazard.pending_extension = next(
        (e for e in extensions if e.status == ExtensionStatus.PENDING), None
    )
    orders = list(hazard.supervision_orders.all())
    hazard.active_order = next((o for o in orders if o.is_active), None)
    decorate([hazard])
    return hazard


def hazard_page(request, hazard, bound=None, status=200, error=None):
    """Render a hazard's page; `bound` is (move, form) re-shown with its errors."""
    user = request.user
    offered = offered_moves(user, hazard)
    forms = {}
    for name, (form_class, _call) in ACTIONS.items():
        if bound is not None and bound[0] == name:
            forms[name] = bound[1]
        elif name in offered:
            forms[name] = form_class(user=user, hazard=hazard)
    photos = list(hazard.photos.all())
    context = {
        "hazard": hazard,
        "today": timezone.localdate(),
        "overdue": hazard.is_overdue_on(),
        "events": list(hazard.events.all()),
        "before": [p for p in photos if p.kind == HazardPhotoKind.BEFORE],
        "after": [p for p in photos if p.kind == HazardPhotoKind.AFTER],
        "progress_photos": [p for p in photos if p.kind == HazardPhotoKind.PROGRESS],
        "extensions": list(hazard.extensions.all()),
        "orders": list(hazard.supervision_orders.all()),
        "forms": forms,
        "error": error,
    }
    return render(request, "inspections/hazards/hazard.html", context, status=status)


class HazardView(LoginRequiredMixin, View):
    def get(self, request, pk):
        return hazard_page(request, load_hazard(request.user, pk))


class HazardActionView(LoginRequiredMixin, View):
    """POST /hazards/<pk>/<move>/: read the move's form, call its service, show the answer."""

    http_method_names = ["post"]

    def post(self, request, pk, move):
        if move not in ACTIONS:
            raise Http404
        hazard = load_hazard(request.user, pk)
        form_class, call = ACTIONS[move]
        form = form_class(request.POST, request.FILES, user=request.user, hazard=hazard)
        if not form.is_valid():
            return hazard_page(request, hazard, (move, form), status=400)
        try:
            call(request.user, hazard, form)
        except PermissionDenied as refused:
            message = str(refused) or _("You may not do this with this hazard.")
            return hazard_page(request, hazard, status=403, error=message)
        except ValidationError as error:
            status = 409 if getattr(error, "code", None) == "conflict" else 400
            add_errors(form, error)
            return hazard_page(request, load_hazard(request.user, pk), (move, form), status)
        messages.success(request, _("Saved."))
        return redirect("inspections:hazard", pk)
