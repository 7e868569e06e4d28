from django import forms
from django.utils.translation import gettext_lazy as _

from campussafety.forms import BootstrapFormMixin
from campussafety.personal import validate_phone
from reminders.models import NotificationSettings
from reminders.schedule import crontab_at, interval_minutes, interval_of


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
            "language",
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


class ScheduleForm(BootstrapFormMixin, forms.Form):
    """When one scheduled task runs, and whether it runs: a time of day or an interval."""

    enabled = forms.BooleanField(label=_("On"), required=False)
    time = forms.TimeField(label=_("Time of day"), widget=TimeInput(format="%H:%M"))
    every_minutes = forms.IntegerField(label=_("Every (minutes)"), min_value=1, max_value=24 * 60)

    def __init__(self, *args, task, **kwargs):
        self.task = task
        super().__init__(*args, **kwargs)
        # A task runs at a time of day or at an interval: the form offers its own.
        del self.fields["every_minutes" if task.crontab_id else "time"]

    def save(self):
        task = self.task
        if task.crontab_id:
            moment = self.cleaned_data["time"]
            # A new or shared row, never the old one edited: other tasks may use it.
            task.crontab = crontab_at(moment.hour, moment.minute, task.crontab.day_of_week)
        else:
            task.interval = interval_of(self.cleaned_data["every_minutes"])
        task.enabled = self.cleaned_data["enabled"]
        # PeriodicTask.save() tells beat that the schedule changed.
        task.save()
        return task


def schedule_initial(task) -> dict:
    initial = {"enabled": task.enabled}
    if task.crontab_id:
        hour, minute = task.crontab.hour, task.crontab.minute
        if hour.isdigit() and minute.isdigit():
            initial["time"] = f"{int(hour):02d}:{int(minute):02d}"
    elif task.interval_id:
        initial["every_minutes"] = interval_minutes(task.interval)
    return initial
