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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from accounts.scope import ADD, CHANGE, VIEW, Scope
from campussafety.views import PAGE_SIZE, list_query
from inspections import hazards
from inspections.choices import (
    OPEN_STATES,
    UNRECTIFIED_STATES,
    ExtensionStatus,
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


class LedgerView(LoginRequiredMixin, ListView):
    """The ledger: newest first, overdue ones marked, with one-click filters.

    Queries: the count and the page of hazards with their school and checkpoint
    (two, whatever the page holds), the school named by ?school=, and the scope.
    """

    template_name = "inspections/hazards/ledger.html"
    context_object_name = "hazards"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.today = timezone.localdate()
        self.filters = LedgerFilterForm(self.request.GET)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return (
            ledger_queryset(self.request.user, data, self.today)
            .select_related("school", "checkpoint")
            .order_by("-found_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        school = None
        school_id = self.filters.cleaned_data.get("school") if self.filters.is_bound else None
        if school_id:
            school = School.objects.for_user(self.request.user).filter(pk=school_id).first()
        return super().get_context_data(
            filters=self.filters,
            filter_query=list_query(self.request),
            school=school,
            may_register=Scope.of(self.request.user).can(Hazard, ADD),
            today=self.today,
            **kwargs,
        )


class RegisterView(LoginRequiredMixin, FormView):
    """Direct registration; ?school= (an id) preselects the school and offers its checkpoints."""

    template_name = "inspections/hazards/register.html"
    form_class = RegisterForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not Scope.of(request.user).can(Hazard, ADD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def school(self):
        school_id = self.request.GET.get("school", "")
        if not school_id.isdigit():
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


# Each move: (form, the state(s) it is offered in, the scope action it needs, the service call).
# The states and actions only decide which forms the page shows; the services check again.
ACTIONS = {
    "confirm": (
        ConfirmForm,
        (S.REPORTED,),
        CHANGE,
        lambda u, h, f: hazards.confirm(
            u,
            h,
            level=f.cleaned_data["level"],
            deadline=f.cleaned_data["deadline"],
            note=f.cleaned_data["note"],
        ),
    ),
    "reject": (
        ReasonForm,
        (S.REPORTED,),
        CHANGE,
        lambda u, h, f: hazards.reject(u, h, f.cleaned_data["reason"]),
    ),
    "merge": (
        MergeForm,
        (S.REPORTED,),
        CHANGE,
        lambda u, h, f: hazards.merge(u, h, f.cleaned_data["into"], f.cleaned_data["note"]),
    ),
    "assign": (
        AssignForm,
        (S.CONFIRMED, S.RETURNED),
        CHANGE,
        lambda u, h, f: hazards.start_rectifying(u, h, **f.service_kwargs()),
    ),
    "submit": (
        SubmitForm,
        (S.RECTIFYING,),
        CHANGE,
        lambda u, h, f: hazards.submit(u, h, **_submit_kwargs(f)),
    ),
    "return": (
        ReasonForm,
        (S.SUBMITTED,),
        hazards.VERIFY,
        lambda u, h, f: hazards.return_for_work(u, h, f.cleaned_data["reason"]),
    ),
    "verify": (
        PhotoNoteForm,
        (S.SUBMITTED,),
        hazards.VERIFY,
        lambda u, h, f: hazards.verify(u, h, f.cleaned_data["note"], f.photos()),
    ),
    "sign-off": (
        NoteForm,
        (S.VERIFIED,),
        hazards.SIGN_OFF,
        lambda u, h, f: hazards.sign_off(u, h, f.cleaned_data["note"]),
    ),
    "close": (
        NoteForm,
        (S.VERIFIED,),
        hazards.VERIFY,
        lambda u, h, f: hazards.close(u, h, f.cleaned_data["note"]),
    ),
    "extension": (
        ExtensionRequestForm,
        UNRECTIFIED_STATES,
        CHANGE,
        lambda u, h, f: hazards.request_extension(
            u, h, new_deadline=f.cleaned_data["new_deadline"], reason=f.cleaned_data["reason"]
        ),
    ),
    "decide-extension": (
        ExtensionDecisionForm,
        OPEN_STATES,
        hazards.DECIDE,
        lambda u, h, f: hazards.decide_extension(
            u, h.pending_extension, approve=f.cleaned_data["approve"], note=f.cleaned_data["note"]
        ),
    ),
    "supervise": (
        SuperviseForm,
        OPEN_STATES,
        hazards.SUPERVISE,
        lambda u, h, f: hazards.supervise(u, h, **f.cleaned_data),
    ),
    "progress": (
        ProgressForm,
        OPEN_STATES,
        CHANGE,
        lambda u, h, f: hazards.report_progress(
            u, h.active_order, progress=f.cleaned_data["progress"], photos=f.photos()
        ),
    ),
    "lift": (
        NoteForm,
        tuple(S),
        hazards.SUPERVISE,
        lambda u, h, f: hazards.lift_supervision(u, h.active_order, f.cleaned_data["note"]),
    ),
}


def offered(hazard, name, allowed_actions) -> bool:
    """Whether the page offers move `name` now (the service still decides on the post)."""
    _form, states, action, _call = ACTIONS[name]
    if hazard.state not in states or action not in allowed_actions:
        return False
    if name == "sign-off":
        return hazard.is_major and hazard.signed_off_at is None
    if name == "close":
        return not hazard.is_major or hazard.signed_off_at is not None
    if name in ("return", "verify"):
        # Re-checked by someone other than whoever carried it out (hazards._not_own_work).
        return hazard.viewer_id not in (hazard.submitted_by_id, hazard.responsible_person_id)
    if name == "extension":
        return hazard.pending_extension is None
    if name == "decide-extension":
        return hazard.pending_extension is not None
    if name == "supervise":
        return not hazard.supervised
    if name in ("progress", "lift"):
        return hazard.active_order is not None
    return True


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
    hazard.viewer_id = user.pk
    extensions = list(hazard.extensions.all())
    hazard.pending_extension = next(
        (e for e in extensions if e.status == ExtensionStatus.PENDING), None
    )
    orders = list(hazard.supervision_orders.all())
    hazard.active_order = next((o for o in orders if o.is_active), None)
    return hazard


def allowed_actions(user, hazard) -> set:
    """The scope actions the user holds on this hazard (one query an action)."""
    scope = Scope.of(user)
    if scope.is_admin:
        return set(Hazard.access)
    return {
        action
        for action in Hazard.access
        if action not in (VIEW, ADD)
        and scope.restrict(Hazard.objects.filter(pk=hazard.pk), action).exists()
    }


def hazard_page(request, hazard, bound=None, status=200, error=None):
    """Render a hazard's page; `bound` is (move, form) re-shown with its errors."""
    user = request.user
    allowed = allowed_actions(user, hazard)
    forms = {}
    for name, (form_class, *_rest) in ACTIONS.items():
        if bound is not None and bound[0] == name:
            forms[name] = bound[1]
        elif offered(hazard, name, allowed):
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
        form_class, _states, _action, call = ACTIONS[move]
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
