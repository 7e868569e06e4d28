"""The forms of the hazard ledger's pages: registering, each move of the lifecycle, the filters.

The forms only read input; every rule (who may, in which state, which
deadline) is inspections/hazards.py's, which the views call with the cleaned
data. Related choices come from `for_user(user)`; a school is named by its
code, never picked from a list of every school in a city.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scope import ADD
from campussafety.forms import BootstrapFormMixin, DateInput
from campussafety.ids import MAX_ID
from inspections.choices import HazardCategory, HazardLevel, HazardState, SupervisionLevel
from inspections.forms import school_by_code
from inspections.hazards import NOTE_LENGTH
from inspections.models import Checkpoint, Hazard

TEXT = forms.Textarea(attrs={"rows": 3})
PHOTO_ACCEPT = {"accept": "image/*", "capture": "environment"}
# Ageing buckets of open hazards (days since found): key, label, lowest age, highest age.
AGE_BUCKETS = (
    ("under7", _("under 7 days"), 0, 6),
    ("to30", _("7–30 days"), 7, 30),
    ("to90", _("31–90 days"), 31, 90),
    ("over90", _("over 90 days"), 91, None),
)


NOTE = _("Note")


def note_field(label=NOTE, required=False):
    return forms.CharField(label=label, required=required, max_length=NOTE_LENGTH, widget=TEXT)


def photo_field(label, required=False):
    return forms.ImageField(
        label=label, required=required, widget=forms.ClearableFileInput(attrs=PHOTO_ACCEPT)
    )


class HazardForm(BootstrapFormMixin, forms.Form):
    """A form of one hazard's page; `user` and `hazard` name whose page it is."""

    def __init__(self, *args, user=None, hazard=None, **kwargs):
        self.user, self.hazard = user, hazard
        super().__init__(*args, **kwargs)

    def photos(self, field="photo"):
        photo = self.cleaned_data.get(field)
        return [photo] if photo else []


class RegisterForm(HazardForm):
    """Direct registration by school staff, police or bureau staff."""

    school = forms.CharField(
        label=_("School code"), max_length=20, help_text=_("The school's code.")
    )
    checkpoint = forms.ModelChoiceField(
        label=_("Checkpoint"), queryset=Checkpoint.objects.none(), required=False
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=HazardCategory.choices)
    level = forms.ChoiceField(
        label=_("Level"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL
    )
    description = forms.CharField(label=_("Description"), max_length=2000, widget=TEXT)
    interim_measures = note_field(_("Interim measures"))
    photo = photo_field(_("Photo before"))

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        if school is not None:
            self.fields["school"].initial = school.code
            self.fields["checkpoint"].queryset = Checkpoint.objects.for_user(self.user).filter(
                school=school, is_active=True
            )
        else:
            del self.fields["checkpoint"]

    def clean_school(self):
        return school_by_code(self.user, self.cleaned_data["school"], Hazard.access[ADD])

    def clean(self):
        data = super().clean()
        checkpoint, school = data.get("checkpoint"), data.get("school")
        if checkpoint is not None and school is not None and checkpoint.school_id != school.pk:
            self.add_error("checkpoint", _("This checkpoint belongs to another school."))
        if not data.get("checkpoint") and not (data.get("place") or "").strip():
            self.add_error("place", _("Name the place or choose a checkpoint."))
        return data


class ConfirmForm(HazardForm):
    level = forms.ChoiceField(label=_("Level"), choices=HazardLevel.choices)
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the city's default for the level."),
    )
    note = note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.hazard is not None:
            self.fields["level"].initial = self.hazard.level


class ReasonForm(HazardForm):
    reason = note_field(_("Reason"), required=True)


class MergeForm(HazardForm):
    into = forms.CharField(
        label=_("Duplicate of (ledger number)"), max_length=20, help_text=_("e.g. 2026-004")
    )
    note = note_field()

    def clean_into(self):
        year, _sep, number = self.cleaned_data["into"].strip().partition("-")
        found = None
        if year.isdigit() and number.isdigit():
            found = (
                Hazard.objects.for_user(self.user)
                .filter(school_id=self.hazard.school_id, year=int(year), number=int(number))
                .first()
            )
        if found is None:
            raise forms.ValidationError(_("No hazard with this number on the school's ledger."))
        return found


class AssignForm(HazardForm):
    """Who rectifies it, how, with what money and by when; starts the rectification."""

    responsible_person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), required=False
    )
    responsible_unit = forms.CharField(label=_("Responsible unit"), max_length=100, required=False)
    measures = note_field(_("Measures"))
    funds = forms.DecimalField(
        label=_("Funds (yuan)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())
    note = note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hazard = self.hazard
        if hazard is not None:
            # The school's own staff: the people who answer for its hazards.
            self.fields["responsible_person"].queryset = User.objects.filter(
                is_active=True, role_assignments__school_id=hazard.school_id
            ).distinct()
            for name in ("responsible_person", "responsible_unit", "measures", "funds"):
                value = getattr(
                    hazard, name if name != "responsible_person" else "responsible_person_id"
                )
                self.fields[name].initial = value
            self.fields["deadline"].initial = hazard.deadline

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "responsible_person": data["responsible_person"],
            "responsible_unit": data["responsible_unit"],
            "measures": data["measures"],
            "funds": data["funds"],
            "deadline": data["deadline"],
            "note": data["note"],
        }


class SubmitForm(HazardForm):
    rectification = note_field(_("How it was rectified"), required=True)
    photo = photo_field(_("Photo after"), required=True)
    note = note_field()


class NoteForm(HazardForm):
    note = note_field()


class PhotoNoteForm(HazardForm):
    note = note_field()
    photo = photo_field(_("Photo"))


class ExtensionRequestForm(HazardForm):
    new_deadline = forms.DateField(label=_("New deadline"), widget=DateInput())
    reason = note_field(_("Reason"), required=True)


class ExtensionDecisionForm(HazardForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class SuperviseForm(HazardForm):
    """挂牌督办 with the five fixed items and the progress-report cadence."""

    level = forms.ChoiceField(label=_("Supervised by"), choices=SupervisionLevel.choices)
    measures = note_field(_("Measures"), required=True)
    responsibility = forms.CharField(label=_("Responsibility"), max_length=1000, widget=TEXT)
    funds = forms.CharField(label=_("Funds"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    contingency_plan = note_field(_("Contingency plan"), required=True)
    report_every_days = forms.IntegerField(
        label=_("Report progress every (days)"), min_value=1, max_value=365, required=False
    )


class ProgressForm(HazardForm):
    progress = note_field(_("Progress"), required=True)
    photo = photo_field(_("Photo"))


# -- Lists, overview and exports --------------------------------------------------------------


class LedgerFilterForm(BootstrapFormMixin, forms.Form):
    """The ledger's one-click filters; the same names as the overview's links."""

    school = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    district = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    year = forms.IntegerField(
        label=_("Ledger year"), required=False, min_value=2000, max_value=2100
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any")), ("open", _("Open")), *HazardState.choices],
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any")), *HazardLevel.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    supervised = forms.BooleanField(label=_("Under supervision"), required=False)
    recurring = forms.BooleanField(label=_("Recurrences"), required=False)
    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[("", _("Any")), *((key, label) for key, label, _lo, _hi in AGE_BUCKETS)],
    )


def age_bounds(key, today):
    """The found-at dates [earliest, latest] of the ageing bucket `key` (None: open-ended)."""
    for bucket, _label, low, high in AGE_BUCKETS:
        if bucket == key:
            latest = today - datetime.timedelta(days=low)
            earliest = today - datetime.timedelta(days=high) if high is not None else None
            return earliest, latest
    return None, None


class AsOfForm(BootstrapFormMixin, forms.Form):
    """The ledger year and the date its state is shown as of (default: today, or 31 Dec)."""

    year = forms.IntegerField(
        label=_("Ledger year"), required=False, min_value=2000, max_value=2100
    )
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())

    def bounds(self):
        today = timezone.localdate()
        year = self.cleaned_data.get("year") or today.year
        as_of = self.cleaned_data.get("as_of") or min(today, datetime.date(year, 12, 31))
        return year, as_of
