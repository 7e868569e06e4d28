"""The monthly extinguisher check pages: the school's list to start, answer and finish it,
and the answer posted from a piece's own page (reached by scanning its QR code).

The writes are the services of equipment/extinguishers.py (checked once by
write_in_scope); a school or piece outside the user's scope is a 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.scope import OutOfScope
from campussafety.forms import BootstrapFormMixin
from equipment import extinguishers
from equipment.choices import ItemStatus
from equipment.models import ExtinguisherCheck, Item
from equipment.views_checks import SchoolMixin, safe_next


class AnswerForm(BootstrapFormMixin, forms.Form):
    passed = forms.TypedChoiceField(
        label=gettext_lazy("Result"),
        choices=[("1", gettext_lazy("Passed")), ("0", gettext_lazy("Failed"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    photo = forms.ImageField(label=gettext_lazy("Photo"), required=False)


def report(request, write) -> None:
    """Run a service call, turning its refusals into messages on the next page."""
    try:
        write()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except OutOfScope as refused:
        messages.error(request, refused.args[0])
    else:
        messages.success(request, _("Saved."))


class CheckPageView(SchoolMixin, TemplateView):
    """The school's extinguishers by place, each with its answer in the open check or a form."""

    template_name = "equipment/checks/extinguishers.html"

    def get_context_data(self, **kwargs):
        check = extinguishers.open_check(self.school.pk)
        answers = {}
        if check is not None:
            answers = {answer.item_id: answer for answer in check.answers.all()}
        pieces = list(extinguishers.extinguishers(self.school.pk))
        return {
            **super().get_context_data(**kwargs),
            "school": self.school,
            "check": check,
            "rows": [(piece, answers.get(piece.pk)) for piece in pieces],
            "pending": sum(
                1
                for piece in pieces
                if piece.pk not in answers and piece.status == ItemStatus.IN_SERVICE
            ),
            "may_record": self.may_add(ExtinguisherCheck),
            "form": AnswerForm(),
            "finished": ExtinguisherCheck.objects.for_user(self.request.user)
            .filter(school=self.school)
            .exclude(finished_at=None)
            .select_related("checked_by")[:6],
        }


class StartView(SchoolMixin, View):
    def post(self, request, school):
        report(request, lambda: extinguishers.start_check(request.user, self.school))
        return HttpResponseRedirect(reverse("equipment-checks:extinguishers", args=[school]))


class AnswerView(LoginRequiredMixin, View):
    """One piece's answer (POST), from the list or from the piece's page."""

    def post(self, request, pk):
        item = get_object_or_404(
            Item.objects.for_user(request.user).select_related("equipment_type", "location"), pk=pk
        )
        fallback = reverse("equipment-checks:extinguishers", args=[item.school_id])
        form = AnswerForm(request.POST, request.FILES)
        check = extinguishers.open_check(item.school_id)
        if check is None:
            messages.error(request, _("No extinguisher check is open at this school."))
        elif not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        else:
            data = form.cleaned_data
            report(
                request,
                lambda: extinguishers.answer(
                    request.user,
                    check,
                    item,
                    passed=data["passed"],
                    note=data["note"],
                    photo=data["photo"],
                ),
            )
        return HttpResponseRedirect(safe_next(request, fallback))


class FinishView(LoginRequiredMixin, View):
    def post(self, request, pk):
        check = get_object_or_404(
            ExtinguisherCheck.objects.for_user(request.user).select_related("school__district"),
            pk=pk,
        )
        report(request, lambda: extinguishers.finish_check(request.user, check))
        return HttpResponseRedirect(
            reverse("equipment-checks:extinguishers", args=[check.school_id])
        )
