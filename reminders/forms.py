from django import forms
from django.utils.translation import gettext_lazy as _

from campussafety.forms import BootstrapFormMixin
from campussafety.personal import validate_phone
from reminders.models import NotificationSettings


class TimeInput(forms.TimeInput):
    input_type = "time"


class NotificationSettingsForm(BootstrapFormMixin, forms.ModelForm):
    """A user's own channels. The email address is the account's."""

    email = forms.EmailField(label=_("Email address"), required=False)

    class Meta:
        model = NotificationSettings
        fields = [
            "email_enabled",
            "email",
            "sms_enabled",
            "phone",
            "quiet_start",
            "quiet_end",
            "webhook_url",
        ]
        widgets = {"quiet_start": TimeInput(), "quiet_end": TimeInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["email"].initial = user.email

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        return validate_phone(phone) if phone else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email_enabled") and not cleaned.get("email"):
            self.add_error("email", _("Give an address to receive email."))
        if cleaned.get("sms_enabled") and not cleaned.get("phone"):
            self.add_error("phone", _("Give a mobile number to receive SMS."))
        return cleaned

    def save(self, commit=True):
        settings = super().save(commit=False)
        settings.user = self.user
        if commit:
            if self.user.email != self.cleaned_data["email"]:
                self.user.email = self.cleaned_data["email"]
                self.user.save(update_fields=["email"])
            settings.save()
        return settings
