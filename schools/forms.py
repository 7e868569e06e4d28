"""HTML forms for the organisation and the calendar.

Every choice of a related object lists only what the user may see (the same
`for_user` the API's related fields use), so a hidden object fails validation
exactly like a missing one. Cross-field rules stay in each model's clean(),
which ModelForm runs.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from campussafety.forms import DateInput, ScopedModelForm
from schools.models import CalendarException, District, Gate, School, Term


class DistrictField(forms.ModelChoiceField):
    """The district filter of a bureau page (coverage, missed days): the form sets `queryset`
    to the districts the user sees, so another is a form error. A select, unlike schools
    (a type-ahead): a city has a handful of districts."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", District.objects.none())
        kwargs.setdefault("label", _("District"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("Every district"))
        super().__init__(**kwargs)


class SchoolForm(ScopedModelForm):
    class Meta:
        model = School
        fields = [
            "name",
            "code",
            "school_type",
            "district",
            "police_station",
            "address",
            "latitude",
            "longitude",
            "enrolment",
            "staff_count",
            "is_boarding",
            "runs_buses",
            "has_police_room",
            "has_protection_booth",
            "legal_vice_president",
            "legal_vice_president_unit",
        ]

    def __init__(self, *args, bureau: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not bureau:
            # A principal edits their school's details, not where it sits in the
            # organisation. A disabled field ignores what is posted and keeps
            # the saved value, so a crafted request cannot change it either.
            for name in School.bureau_only_fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only education bureau staff may change this.")


class GateForm(ScopedModelForm):
    class Meta:
        model = Gate
        fields = ["name", "kind", "description", "latitude", "longitude"]

    def clean_name(self):
        # The school is set by the view, not by a field of this form, so
        # ModelForm would skip the unique (school, name) constraint and the
        # database would refuse the row with an error page instead.
        name = self.cleaned_data["name"]
        duplicates = Gate.objects.filter(school=self.instance.school, name=name)
        if duplicates.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This school already has a gate with this name."))
        return name


class TermForm(ScopedModelForm):
    class Meta:
        model = Term
        fields = ["name", "audience", "start_date", "end_date", "city", "district"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        help_texts = {
            "city": _("Choose a city or a district, not both."),
        }


class CalendarExceptionForm(ScopedModelForm):
    class Meta:
        model = CalendarException
        fields = ["date", "kind", "follows_weekday", "reason", "city", "district", "school"]
        widgets = {"date": DateInput()}
        help_texts = {
            "city": _("Choose one of a city, a district or a school."),
            "reason": _("For example: closed for a red rainstorm warning."),
        }
