"""The forms of the requirement pages: a drill requirement with its obligation's terms, and an
override of one for a district or a school.

Their rules are the models' and drills/requirements.py's, which the API's serializers
run too: the form adds only how each value is entered (checkboxes for lists, days for
a grace period, a type-ahead for the school).
"""

from django import forms
from django.forms.models import construct_instance
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.scope import VIEW, Scope
from campussafety.forms import (
    DaysField,
    ModelJudgedChoiceField,
    ModelJudgedMultipleChoiceField,
    ScopedModelForm,
    SearchSelect,
)
from drills.choices import DOMAIN, DrillType
from drills.models import DrillRequirement
from drills.requirements import check_override
from schools.choices import PERIOD_BASES, SchoolType, SizeBand
from schools.models import City, District, ObligationOverride, ObligationRule, School

# The obligation's fields the requirement form edits; the city and the code are fixed
# once the rule exists (a code names what it replaces).
RULE_FIELDS = [
    "name",
    "code",
    "city",
    "basis",
    "required_count",
    "grace",
    "even_without_school_days",
    "school_types",
    "size_bands",
    "boarding",
    "buses_only",
    "source",
]
REQUIREMENT_FIELDS = ["drill_types", "at_night"]


def checkboxes(choices, label, help_text):
    """A list field of one TextChoices (a JSONField the model validates) as checkboxes."""
    return ModelJudgedMultipleChoiceField(
        label=label, choices=choices, required=False, help_text=help_text
    )


def model_label(model, name):
    return model._meta.get_field(name).verbose_name


class RequirementForm(ScopedModelForm):
    """A drill requirement: its obligation rule (ObligationRule, the form's instance) and which
    drills count (the DrillRequirement, `requirement`), saved together by save()."""

    school_types = checkboxes(
        SchoolType.choices,
        model_label(ObligationRule, "school_types"),
        _("None ticked: every type."),
    )
    size_bands = checkboxes(
        SizeBand.choices, model_label(ObligationRule, "size_bands"), _("None ticked: every size.")
    )
    # Only the bases drills recur by are offered; DrillRequirement.clean() refuses the others.
    basis = ModelJudgedChoiceField(
        label=model_label(ObligationRule, "basis"),
        choices=[(basis.value, basis.label) for basis in PERIOD_BASES],
    )
    # The field allows 0; the model's constraint asks for one at least.
    required_count = forms.IntegerField(
        label=model_label(ObligationRule, "required_count"),
        min_value=1,
        max_value=100,
        help_text=_("How many drills in each period."),
    )
    grace = DaysField(
        label=_("Grace period (days)"),
        help_text=_("Held this many days after the period's end counts as late, not missed."),
    )
    drill_types = checkboxes(
        DrillType.choices,
        model_label(DrillRequirement, "drill_types"),
        _("None ticked: a drill of any type counts."),
    )
    at_night = forms.BooleanField(
        label=model_label(DrillRequirement, "at_night"),
        required=False,
        help_text=DrillRequirement._meta.get_field("at_night").help_text,
    )

    # Which drills count comes right after the names: it is what a requirement is about.
    field_order = [*RULE_FIELDS[:3], *REQUIREMENT_FIELDS, *RULE_FIELDS[3:]]

    class Meta:
        model = ObligationRule
        fields = RULE_FIELDS
        widgets = {"source": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, requirement=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.requirement = requirement or DrillRequirement()
        if self.instance.pk is None:
            self.instance.domain = DOMAIN
        else:
            self.initial.update(
                drill_types=self.requirement.drill_types, at_night=self.requirement.at_night
            )
        scope = Scope.of(user)
        city = self.fields["city"]
        if scope.is_admin:
            city.queryset = City.objects.order_by("name")
            city.empty_label = _("National default (every city)")
        else:
            city.queryset = City.objects.for_user(
                user, VIEW, roles=DrillRequirement.access["add"]
            ).order_by("name")
            city.required = True
            city.empty_label = None
            # The model's help speaks of national defaults, which are the admins'.
            city.help_text = ""
        if self.instance.pk is not None or self.initial.get("code"):
            # A rule's code is what a city's rule replaces: fixed once chosen.
            self.fields["code"].disabled = True
        if self.instance.pk is not None:
            city.disabled = True

    def clean(self):
        data = super().clean()
        # The rule as it will be saved, judged by the requirement's rules before the
        # model's own checks: a field refused here is left out of the constraints'
        # checks, which would otherwise name themselves rather than the field.
        construct_instance(self, self.instance, fields=RULE_FIELDS)
        requirement = self.requirement
        requirement.obligation = self.instance
        for name in REQUIREMENT_FIELDS:
            if name in data:
                setattr(requirement, name, data[name])
        try:
            requirement.full_clean(exclude=["obligation"], validate_unique=False)
        except forms.ValidationError as error:
            self.add_error(None, error)
        return data

    def save(self, commit=True):
        """Save the rule (only if its terms changed: saving it forgets the materialised windows
        of the schools it decides) and the requirement; return the requirement."""
        if self.instance.pk is None or set(self.changed_data) & set(RULE_FIELDS):
            super().save()
        self.requirement.obligation = self.instance
        self.requirement.save()
        return self.requirement


class OverrideForm(ScopedModelForm):
    """A district's or a school's change to a drill requirement; the school is searched for."""

    grace = DaysField(
        label=_("Grace period (days)"),
        required=False,
        help_text=_("Empty: the requirement's own."),
    )

    class Meta:
        model = ObligationOverride
        fields = ["district", "school", "applies", "required_count", "grace", "reason"]
        widgets = {"school": SearchSelect(reverse_lazy("schools:search"))}
        help_texts = {"required_count": _("Empty: the requirement's own count.")}

    def __init__(self, *args, user, rule, action, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.instance.rule = rule
        # Only the districts and schools where the user may write overrides.
        roles = ObligationOverride.access[action]
        district, school = self.fields["district"], self.fields["school"]
        district.queryset = District.objects.for_user(user, VIEW, roles=roles).order_by("name")
        district.empty_label = _("No district: a school's override")
        school.queryset = School.objects.for_user(user, VIEW, roles=roles)
        district.help_text = _("A district or a school, not both.")
        self.fields["applies"].widget.choices = [
            ("unknown", _("As the requirement says")),
            ("true", _("Applies")),
            ("false", _("Does not apply")),
        ]

    def clean(self):
        data = super().clean()
        construct_instance(self, self.instance, fields=self._meta.fields)
        try:
            check_override(self.instance)
        except forms.ValidationError as error:
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return data
