"""The forms of the equipment pages: recording a movement, importing a spreadsheet, drill-down.

A movement form collects what the API's movement serializer collects and hands
it to the same entry (equipment/recording.py), so the rules of each kind of
movement live in the ledger's services alone. Every choice lists only what the
user may write with (`for_user`, the roles that may record movements).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from campussafety.forms import BootstrapFormMixin, DateInput, SearchSelect, label_blank_choices
from equipment.choices import MovementKind
from equipment.imports import FORMATS, read_upload
from equipment.models import EquipmentType, Item, Location, Movement
from equipment.recording import kinds_using, record_movement
from schools.models import City, District


class MovementForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=MovementKind.choices)
    item = forms.ModelChoiceField(
        label=_("Piece"),
        queryset=Item.objects.none(),
        required=False,
        help_text=_("For a piece tracked one by one; otherwise give the type and the place."),
    )
    equipment_type = forms.ModelChoiceField(
        label=_("Equipment type"), queryset=EquipmentType.objects.none(), required=False
    )
    location = forms.ModelChoiceField(
        label=_("At"), queryset=Location.objects.none(), required=False
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)
    # A transfer may go to any place of any school the user reaches (a city's bureau:
    # tens of thousands), so the destination is searched for, never listed.
    to_location = forms.ModelChoiceField(
        label=_("To"),
        queryset=Location.objects.none(),
        required=False,
        widget=SearchSelect(reverse_lazy("equipment:location-search")),
        help_text=_("For an issue or a transfer: where the stock goes."),
    )
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)
    report = forms.CharField(
        label=_("Written report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a loss."),
    )
    asset_tag = forms.CharField(label=_("Asset tag"), max_length=40, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=60, required=False)
    manufactured_on = forms.DateField(label=_("Manufactured on"), required=False, widget=DateInput)
    acquired_on = forms.DateField(label=_("Acquired on"), required=False, widget=DateInput)

    def __init__(self, *args, user, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The roles that may record movements at all; services check the place.
        roles = Movement.access["add"]
        places = Location.objects.for_user(user, roles=roles).filter(is_active=True)
        self.fields["location"].queryset = places.filter(school=school)
        # A transfer may go to another school the user reaches (the bureaus').
        self.fields["to_location"].queryset = places.select_related("school")
        self.fields["item"].queryset = (
            Item.objects.for_user(user, roles=roles)
            .held()
            .filter(school=school)
            .select_related("equipment_type")
        )
        self.fields["equipment_type"].queryset = EquipmentType.objects.for_user(user).filter(
            is_active=True
        )
        label_blank_choices(self, _("Choose…"))
        # static/js/site.js shows each field only for the kinds that use it.
        for name, field in self.fields.items():
            if name != "kind":
                field.widget.attrs["data-kinds"] = " ".join(kinds_using(name))

    def save(self):
        return record_movement(self.user, **self.cleaned_data)


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("An .xlsx or .csv file with the columns of the export."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.rows = read_upload(upload)
        if not self.rows:
            raise ValidationError(_("The file holds no rows."))
        upload.seek(0)
        # The preview carries the file on to the confirmation (equipment/views/transfer.py).
        self.content, self.name = upload.read(), upload.name
        return upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS], initial="xlsx", required=False)


class DrillDownForm(forms.Form):
    """Which city or district the compliance list is for (none: the user's whole area)."""

    city = forms.ModelChoiceField(queryset=City.objects.none(), required=False)
    district = forms.ModelChoiceField(queryset=District.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.for_user(user)
        self.fields["district"].queryset = District.objects.for_user(user).select_related("city")
