"""The forms of the drill pages: the plan, the record and evaluation, the problems found.

The plan's related choices come from `for_user(user)` (campussafety/forms.py);
the evaluation's fields are the ones drills.services.evaluate() takes, checked
there as the API's evaluate action checks them.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import SCHOOL_STAFF
from campussafety.forms import BootstrapFormMixin, ScopedModelForm
from drills.choices import ALARM_TYPES
from drills.models import Drill
from drills.services import EVALUATION_FIELDS
from schools.models import School


class DateTimeInput(forms.DateTimeInput):
    # The browser's own picker; it submits ISO date-times whatever the language.
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DrillPlanForm(ScopedModelForm):
    class Meta:
        model = Drill
        fields = [
            "school",
            "drill_type",
            "planned_at",
            "commander",
            "scenario",
            "announced",
            "target_seconds",
        ]
        widgets = {"planned_at": DateTimeInput(), "scenario": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the schools where the user may plan drills.
        self.fields["school"].queryset = School.objects.for_user(self.user, roles=SCHOOL_STAFF)
        self.fields["target_seconds"].required = False
        if self.instance.pk:
            self.fields["school"].disabled = True


class EvaluationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Drill
        fields = list(EVALUATION_FIELDS)
        widgets = {
            "police_arrived_at": DateTimeInput(),
            "routes_used": forms.Textarea(attrs={"rows": 2}),
            "blocked_exits": forms.Textarea(attrs={"rows": 2}),
            "injuries": forms.Textarea(attrs={"rows": 2}),
            "evaluation": forms.Textarea(attrs={"rows": 3}),
            "alarm_audible": forms.NullBooleanSelect(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The police are timed in alarm drills only (Drill.clean refuses it elsewhere).
        if self.instance.drill_type not in ALARM_TYPES:
            del self.fields["police_arrived_at"]


class ProblemsForm(BootstrapFormMixin, forms.Form):
    problems = forms.CharField(
        label=_("Problems found"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One problem a line."),
    )
