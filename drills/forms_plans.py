"""The forms of the emergency plan and training pages, on the rules of drills/plans.py.

Each choice comes from `for_user(user)`: a school where the user may add
records, the post members they see at the session's school, the users who
work there.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from campussafety.forms import BootstrapFormMixin, DateInput, ScopedModelForm
from drills.models import EmergencyPlan, TrainingSession
from drills.models_training import attendee_members
from schools.models import School


class EmergencyPlanForm(ScopedModelForm):
    """A new version: the school and type, the document and its key fields."""

    class Meta:
        model = EmergencyPlan
        fields = ["school", "plan_type", "title", "document", "approved_on", "revision_due"]
        widgets = {"approved_on": DateInput(), "revision_due": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["school"].queryset = School.objects.for_user(
            user, roles=EmergencyPlan.access["add"]
        ).order_by("name")


def school_users(school):
    """The users holding a role at `school` (its principal, safety officers, guards)."""
    return (
        get_user_model()
        .objects.filter(role_assignments__school=school, is_active=True)
        .distinct()
        .order_by("username")
    )


class TrainingSessionForm(ScopedModelForm):
    """A session at one school: the members and users listed are that school's."""

    members = forms.ModelMultipleChoiceField(
        label=_("Post members who attended"),
        queryset=attendee_members().none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    users = forms.ModelMultipleChoiceField(
        label=_("School staff who attended"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = TrainingSession
        fields = ["audience", "held_on", "topic", "trainer", "attendees_count", "hours"]
        widgets = {"held_on": DateInput()}

    def __init__(self, *args, user, school, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.instance.school = school
        self.fields["members"].queryset = (
            attendee_members().for_user(user).filter(assignments__school=school).distinct()
        )
        self.fields["users"].queryset = school_users(school)
        if self.instance.pk:
            attendees = list(self.instance.attendees.all())
            self.initial["members"] = [a.member_id for a in attendees if a.member_id]
            self.initial["users"] = [a.user_id for a in attendees if a.user_id]
        for name in ("members", "users"):
            # Checkboxes: Bootstrap's form-control would stretch them.
            self.fields[name].widget.attrs["class"] = "form-check-input"


class TermForm(BootstrapFormMixin, forms.Form):
    """?on= a day of the term asked for (today by default)."""

    on = forms.DateField(label=_("A day of the term"), required=False, widget=DateInput())
