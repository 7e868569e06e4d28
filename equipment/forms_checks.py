"""Forms of the checks pages: a service record, an alarm test, a video check.

Each form is bound to one school (from the page's address). The rules live in
the models' clean() and in equipment/checks.py (`check_service_items`), which
the API's serializers call too; saving goes through the services there.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from campussafety.forms import BootstrapFormMixin, DateInput, DateTimeInput
from equipment import checks
from equipment.models import AlarmTest, Item, ServiceRecord, VideoCheck


class SchoolRecordForm(BootstrapFormMixin, forms.ModelForm):
    """A record of one school: the school is set, never chosen."""

    def __init__(self, *args, school, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.school, self.user = school, user
        self.instance.school = school


class ServiceRecordForm(SchoolRecordForm):
    class Meta:
        model = ServiceRecord
        fields = ["firm", "certificate_number", "serviced_on", "items", "notes"]
        widgets = {
            "serviced_on": DateInput(),
            "items": forms.CheckboxSelectMultiple(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The school's pieces held, of types a licensed firm services, soonest due first.
        self.fields["items"].queryset = (
            Item.objects.for_user(self.user)
            .held()
            .filter(school=self.school, equipment_type__first_service_years__isnull=False)
            .select_related("equipment_type", "location")
            .order_by("service_due_on", "pk")
        )
        self.fields["items"].label_from_instance = lambda item: (
            f"{item} · {item.location.name if item.location else ''}"
            f" · {_('service due')} {item.service_due_on or '—'}"
        )

    def clean(self):
        data = super().clean()
        if "items" in data and data.get("serviced_on"):
            try:
                checks.check_service_items(self.school, list(data["items"]), data["serviced_on"])
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data

    def save(self, commit=True):
        data = self.cleaned_data
        return checks.record_service(
            self.user,
            school=self.school,
            firm=data["firm"],
            certificate_number=data["certificate_number"],
            serviced_on=data["serviced_on"],
            items=data["items"],
            notes=data["notes"],
        )


class CheckRecordForm(SchoolRecordForm):
    def save(self, commit=True):
        return checks.record_check(self.user, self.instance)


class AlarmTestForm(CheckRecordForm):
    class Meta:
        model = AlarmTest
        fields = [
            "gate",
            "pressed_by",
            "pressed_at",
            "police_told_beforehand",
            "acknowledged_at",
            "arrived_at",
            "notes",
        ]
        widgets = {
            "pressed_at": DateTimeInput(),
            "acknowledged_at": DateTimeInput(),
            "arrived_at": DateTimeInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gate"].queryset = self.school.gates.all()


class VideoCheckForm(CheckRecordForm):
    class Meta:
        model = VideoCheck
        fields = ["checked_at", "cameras_total", "cameras_working", "retention_days", "notes"]
        widgets = {
            "checked_at": DateTimeInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
