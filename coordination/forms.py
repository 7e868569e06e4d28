"""The forms of the coordination pages; each writes through a service or save_in_scope."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.scope import ADD
from campussafety.forms import (
    BootstrapFormMixin,
    DateInput,
    ScopedModelForm,
    SearchSelect,
    SearchSelectMultiple,
)
from coordination.choices import Level
from coordination.models import ActionItem, Activity, Decision, Factor, Meeting
from schools.models import School

# Schools are chosen by type-ahead search (schools.views.SchoolSearchView, the user's
# scope): a page never lists every school, so it weighs the same in any city.
SCHOOL_SEARCH = reverse_lazy("schools:search")


class MeetingForm(ScopedModelForm):
    """A meeting at the level of the unit named: a school, else a district, else the city."""

    class Meta:
        model = Meeting
        fields = [
            "level",
            "city",
            "district",
            "school",
            "title",
            "held_on",
            "place",
            "agenda",
            "minutes",
            "schools",
        ]
        widgets = {
            "held_on": DateInput(),
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "school": SearchSelect(SCHOOL_SEARCH),
            "schools": SearchSelectMultiple(SCHOOL_SEARCH),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The wider units are filled in from the one named (clean()).
        self.fields["city"].required = False

    def clean(self):
        cleaned = super().clean()
        school, district = cleaned.get("school"), cleaned.get("district")
        if school is not None:
            cleaned["district"] = school.district
            cleaned["city"] = school.district.city
        elif district is not None:
            cleaned["city"] = district.city
        for field in ("district", "city"):
            setattr(self.instance, field, cleaned.get(field))
        return cleaned


class DecisionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class ActionItemForm(ScopedModelForm):
    class Meta:
        model = ActionItem
        fields = ["decision", "title", "owner_school", "owner_district", "due_on"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["decision"].queryset = meeting.decisions.all()
        owner = self.fields["owner_school"]
        if meeting.level != Level.SCHOOL:
            # A district's or the city's meeting may assign work to any of its schools:
            # searched, not listed; the queryset below still decides what is valid.
            owner.widget = SearchSelect(SCHOOL_SEARCH, attrs={"class": "form-select"})
            owner.widget.is_required = owner.required
        # Setting the queryset hands the widget its choices.
        owner.queryset = owner.queryset.filter(**meeting_unit_filter(meeting))


def meeting_unit_filter(meeting) -> dict:
    """The schools a meeting may assign work to: its own unit's."""
    if meeting.school_id:
        return {"pk": meeting.school_id}
    if meeting.district_id:
        return {"district_id": meeting.district_id}
    return {"district__city_id": meeting.city_id}


class CompleteForm(BootstrapFormMixin, forms.Form):
    """Marking an action item done, from a phone: what was done and a photo."""

    note = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.ImageField(label=_("Photo"), required=False)


class FactorForm(ScopedModelForm):
    """Reporting a factor, phone-first: the few fields a report needs come first."""

    class Meta:
        model = Factor
        fields = [
            "school",
            "category",
            "risk",
            "description",
            "place",
            "measures",
            "responsible_unit",
            "review_on",
        ]
        widgets = {
            "review_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # The schools the user may report at, not every school they see.
        self.fields["school"].queryset = School.objects.for_user(user, roles=Factor.access[ADD])


class FactorStatusForm(ScopedModelForm):
    """The police keep a factor current: its risk, measures, review date and status."""

    class Meta:
        model = Factor
        fields = ["risk", "measures", "responsible_unit", "review_on", "status"]
        widgets = {"review_on": DateInput(), "measures": forms.Textarea(attrs={"rows": 2})}


class ActivityForm(ScopedModelForm):
    """Logging a legal vice-president's activity, phone-first."""

    class Meta:
        model = Activity
        fields = ["school", "held_on", "activity_type", "audience", "participants", "note"]
        widgets = {"held_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}
