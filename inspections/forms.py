"""The answer form of the guard's checkpoint page: the same inputs as the API's answer action."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import Answer


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
