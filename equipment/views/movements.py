"""Recording a movement from a page: the same entry and rules as the API (equipment/recording.py).

The form's choices are the places, pieces and types the user may record with;
the ledger's services refuse what a kind does not allow (a loss without its
written report, a transfer between schools by school staff), with the same
message the API gives, and nothing is saved.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from accounts.scope import ADD
from campussafety.views import ScopedSearchView, save_in_scope
from equipment.forms import MovementForm
from equipment.models import Location, Movement
from equipment.views.access import equipment_school, may_record


class RecordMovementView(LoginRequiredMixin, FormView):
    template_name = "equipment/record.html"
    form_class = MovementForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.school = equipment_school(request.user, kwargs["pk"])
            if not may_record(request.user):
                raise PermissionDenied(_("Only school staff and the bureaus record movements."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "school": self.school}

    def get_initial(self):
        # The item page's buttons name the piece and the kind.
        return {
            key: self.request.GET[key]
            for key in ("kind", "item", "location", "equipment_type")
            if key in self.request.GET
        }

    def form_valid(self, form):
        try:
            movement = save_in_scope(self.request.user, form, ADD)
        except ValidationError as refused:
            form.add_error(None, refused)
            movement = None
        if movement is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Recorded: %(movement)s.") % {"movement": movement.get_kind_display()},
        )
        if movement.item_id:
            return redirect("equipment:item", pk=movement.item_id)
        return redirect("equipment:board", pk=self.school.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, school=self.school)


class LocationSearchView(ScopedSearchView):
    """The active places the user may record movements at whose name or school's name
    contains `q`: the type-ahead choice of a movement's destination."""

    model = Location
    roles = Movement.access[ADD]
    label = Concat("school__name", Value(" · "), "name", output_field=CharField())

    def choices(self, user):
        return super().choices(user).filter(is_active=True)

    def search(self, rows, text):
        return rows.filter(Q(name__icontains=text) | Q(school__name__icontains=text))
