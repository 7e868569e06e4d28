"""The forms of the inspection pages: the month asked for, excuses, checkpoints, items, overrides,
and the guard's answer at a checkpoint (the same inputs as the API's answer action).

Every related choice comes from `for_user(user)` (campussafety/forms.py); a
school is named by its code or id in a text field, never chosen from a list of
every school in a city.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import BUREAU, SCHOOL_STAFF
from campussafety.dates import date_range_errors
from campussafety.forms import BootstrapFormMixin, DateInput, ScopedModelForm
from campussafety.ids import parse_id
from inspections.checklists import ITEM_FIELDS
from inspections.models import Answer, ChecklistItem, Checkpoint, InspectionRule
from schools.models import District, Gate, ObligationOverride, School

# An excuse covers a closure, not a policy: longer ranges are a change of the rule.
MAX_EXCUSE_DAYS = 120


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month containing `month`."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


class MonthField(forms.CharField):
    """A month written YYYY-MM (what <input type="month"> submits), as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise ValidationError(_("Write the month as YYYY-MM."), code="invalid") from None


def school_by_code(user, value, roles):
    """The school of `value` (its code, or its id) among those the user reaches through `roles`."""
    value = (value or "").strip()
    schools = School.objects.for_user(user, roles=roles)
    found = schools.filter(code=value).first()
    if found is None and parse_id(value) is not None:
        found = schools.filter(pk=parse_id(value)).first()
    if found is None:
        raise ValidationError(_("No school with this code in your area."), code="unknown")
    return found


class MonthForm(BootstrapFormMixin, forms.Form):
    """?month= (this month when empty) and ?rule= (every inspection rule when empty)."""

    month = MonthField(label=_("Month"), required=False)
    rule = forms.ModelChoiceField(
        label=_("Inspection"), queryset=InspectionRule.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = (
            InspectionRule.objects.for_user(user).select_related("obligation").order_by("pk")
        )
        self.fields["rule"].empty_label = _("Every inspection")

    def clean_month(self):
        return self.cleaned_data["month"] or timezone.localdate().replace(day=1)


class ExcuseForm(BootstrapFormMixin, forms.Form):
    """Excuse a rule's windows at one school, or at every school of a district, over some days."""

    rule = forms.ModelChoiceField(label=_("Inspection"), queryset=InspectionRule.objects.none())
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        help_text=_("Every school of the district, unless a school is named."),
    )
    school = forms.CharField(
        label=_("School code"), required=False, help_text=_("The school's code (or its id).")
    )
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["rule"].queryset = (
            InspectionRule.objects.for_user(user).select_related("obligation").order_by("pk")
        )
        self.fields["district"].queryset = District.objects.for_user(user).order_by("code")

    def clean_school(self):
        value = self.cleaned_data["school"]
        return school_by_code(self.user, value, BUREAU) if value.strip() else None

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            for name, error in date_range_errors(start, end, MAX_EXCUSE_DAYS).items():
                self.add_error(name, error)
        if not self.errors and not data.get("school") and not data.get("district"):
            raise ValidationError(_("Name a school or choose a district."))
        return data

    def schools(self):
        """The schools the excuse covers: the named school, else the district's in the scope."""
        if self.cleaned_data["school"]:
            return [self.cleaned_data["school"].pk]
        return list(
            School.objects.for_user(self.user, roles=BUREAU)
            .filter(district=self.cleaned_data["district"])
            .values_list("pk", flat=True)
        )


class CheckpointForm(ScopedModelForm):
    class Meta:
        model = Checkpoint
        fields = ["school", "name", "kind", "gate", "description", "position", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # Only school staff add checkpoints, at their own schools: a short list.
        self.fields["school"].queryset = School.objects.for_user(user, roles=SCHOOL_STAFF)
        self.fields["gate"].queryset = Gate.objects.for_user(user).select_related("school")
        if self.instance.pk:
            # A checkpoint stays at its school; its QR codes name it.
            self.fields["school"].disabled = True


class ItemForm(BootstrapFormMixin, forms.ModelForm):
    """One item of a new version; the position is the order of the forms."""

    class Meta:
        model = ChecklistItem
        fields = list(ITEM_FIELDS)

    def item(self) -> dict:
        return {name: self.cleaned_data[name] for name in ITEM_FIELDS}


ItemFormSet = forms.formset_factory(ItemForm, extra=1, can_delete=True, max_num=100)


class PublishForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("What changed"), max_length=200)


class OverrideForm(ScopedModelForm):
    """A city's change to a rule for one district or one school (named by its code)."""

    school_code = forms.CharField(label=_("School code"), required=False)

    class Meta:
        model = ObligationOverride
        fields = ["district", "applies", "required_count", "grace", "slots", "reason"]

    def __init__(self, *args, user, rule, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.instance.rule = rule
        self.fields["district"].required = False
        self.fields["district"].queryset = District.objects.for_user(
            user, "view", roles=ObligationOverride.access["add"]
        ).order_by("code")
        self.fields["grace"].help_text = _("As HH:MM:SS, e.g. 02:00:00.")

    def clean_school_code(self):
        value = self.cleaned_data["school_code"]
        if not value.strip():
            return None
        return school_by_code(self.user, value, ObligationOverride.access["add"])

    def clean(self):
        data = super().clean()
        school = data.get("school_code")
        if bool(school) == bool(data.get("district")):
            raise ValidationError(_("Choose a district or name a school, not both."))
        self.instance.school = school
        self.instance.district = None if school else data.get("district")
        rule = self.instance.rule
        taken = ObligationOverride.objects.filter(rule=rule)
        taken = taken.filter(school=school) if school else taken.filter(district=data["district"])
        if taken.exists():
            raise ValidationError(_("This rule is overridden there already: remove that first."))
        return data


class AnswerForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    passed = forms.TypedChoiceField(
        choices=[("1", _("Pass")), ("0", _("Fail"))],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=None,
    )
    number = forms.DecimalField(label=_("Reading"), max_digits=9, decimal_places=2, required=False)
    text = forms.CharField(label=_("Note"), max_length=500, required=False)
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        validators=Answer._meta.get_field("photo").validators,
    )
    corrected_on_spot = forms.BooleanField(label=_("Corrected on the spot"), required=False)
