"""A drill's record and evaluation: what happened, the problems found (each may open a hazard
in the ledger), the evaluation and the principal's sign-off."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.scope import CHANGE, Scope
from campussafety.ids import parse_id
from drills import services
from drills.choices import DrillStatus
from drills.forms import EvaluationForm, ProblemsForm
from drills.models import ClassHeadcount
from drills.views import DrillActionView, drill_for

RECORDED = (DrillStatus.HELD, DrillStatus.EVALUATED)


class RecordView(LoginRequiredMixin, TemplateView):
    """The record: times against the target, headcounts, problems, the evaluation form (POST)."""

    template_name = "drills/record.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        drill = kwargs.pop("drill", None) or drill_for(user, self.kwargs["pk"])
        form = kwargs.pop("form", None)
        scope = Scope.of(user)
        may_change = drill.status in RECORDED and scope.contains(drill, CHANGE)
        context = {
            "drill": drill,
            "headcounts": list(ClassHeadcount.objects.filter(drill=drill).order_by("class_name")),
            "problems": list(enumerate(services.problem_lines(drill), start=1)),
            "may_change": may_change,
            "may_sign": drill.status in RECORDED and scope.contains(drill, "sign_off"),
        }
        if may_change:
            context["form"] = form or EvaluationForm(instance=drill)
            context["problems_form"] = ProblemsForm(initial={"problems": drill.problems_found})
        return super().get_context_data(**context, **kwargs)

    def post(self, request, pk):
        drill = drill_for(request.user, pk, CHANGE)
        form = EvaluationForm(request.POST, instance=drill)
        if form.is_valid():
            try:
                services.evaluate(request.user, drill, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The evaluation is saved."))
                return redirect("drills:record", drill.pk)
        fresh = drill_for(request.user, pk)
        return self.render_to_response(self.get_context_data(drill=fresh, form=form))


class ProblemsView(DrillActionView):
    next_page = "drills:record"
    done_message = gettext_lazy("The problems are recorded.")

    def run(self, drill):
        form = ProblemsForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["problems"])
        services.record_problems(self.request.user, drill, form.cleaned_data["problems"])


class HazardView(DrillActionView):
    """Open one problem found as a hazard in the ledger (once: the ledger keys it by line)."""

    next_page = "drills:record"
    done_message = gettext_lazy("The problem is in the hazard ledger.")

    def run(self, drill):
        number = parse_id(self.request.POST.get("problem"))
        if number is None:
            raise ValidationError(_("The drill found no such problem."))
        services.problem_hazard(
            self.request.user, drill, number, reverse("drills:record", args=[drill.pk])
        )


class SignOffView(DrillActionView):
    action = "sign_off"
    next_page = "drills:record"
    done_message = gettext_lazy("Signed off: the drill counts towards its requirements.")

    def run(self, drill):
        services.sign_off(self.request.user, drill)
