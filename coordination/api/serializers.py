"""Serializers of the coordination API: meetings, their decisions and action items, the
instability register, legal vice-presidents' appointments and activities, compliance."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from campussafety.api.serializers import ScopedModelSerializer
from campussafety.personal import mask_phone, submitted_phone
from coordination import legal, services
from coordination.choices import Level, ShareUnit
from coordination.models import (
    ActionItem,
    Activity,
    Appointment,
    Decision,
    Factor,
    Meeting,
)

# A meeting lists at most this many attendees; a longer list is a paste gone wrong.
MAX_ATTENDEES = 200


class AttendeeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    organisation = serializers.CharField(max_length=100, required=False, allow_blank=True)


class MeetingSerializer(ScopedModelSerializer):
    """A meeting at its level: a city meeting names its city, a district meeting its
    district, a school meeting its school; the wider units are filled in."""

    attendees = AttendeeSerializer(many=True, required=False, max_length=MAX_ATTENDEES)
    items_count = serializers.IntegerField(read_only=True)
    open_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
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
            "named_districts",
            "attendees",
            "items_count",
            "open_count",
        ]
        extra_kwargs = {"city": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["attendees"] = [
            {"name": a.name, "organisation": a.organisation} for a in instance.attendees.all()
        ]
        data["attachments"] = [
            {"title": str(a), "url": reverse("media", args=[a.file.name])}
            for a in instance.attachments.all()
        ]
        return data

    def validate(self, attrs):
        level = attrs.get("level", getattr(self.instance, "level", None))
        school = attrs.get("school", getattr(self.instance, "school", None))
        district = attrs.get("district", getattr(self.instance, "district", None))
        if level == Level.SCHOOL and school is not None:
            attrs["district"] = school.district
            attrs["city"] = school.district.city
        elif level == Level.DISTRICT and district is not None:
            attrs["city"] = district.city
        elif level == Level.CITY and not attrs.get("city", getattr(self.instance, "city", None)):
            raise serializers.ValidationError({"city": _("A city meeting names its city.")})
        # Attendees are rows of their own, not a field of the meeting to clean.
        attendees = attrs.pop("attendees", None)
        attrs = super().validate(attrs)
        if attendees is not None:
            attrs["attendees"] = attendees
        return attrs

    def _save(self, meeting, validated_data):
        attendees = validated_data.pop("attendees", None)
        schools = validated_data.pop("schools", None)
        districts = validated_data.pop("named_districts", None)
        for field, value in validated_data.items():
            setattr(meeting, field, value)
        return services.save_meeting(
            meeting,
            schools=schools,
            districts=districts,
            attendees=None
            if attendees is None
            else [(a["name"], a.get("organisation", ""), None) for a in attendees],
        )

    def create(self, validated_data):
        return self._save(Meeting(recorded_by=self.context["request"].user), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class AttachmentSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MeetingDecisionSerializer(ScopedModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "meeting", "text"]


class ActionItemSerializer(ScopedModelSerializer):
    """An action item of a decision; `overdue` is computed. Marking it done is an action."""

    meeting = serializers.PrimaryKeyRelatedField(read_only=True)
    overdue = serializers.SerializerMethodField()
    evidence_note = serializers.CharField(source="evidence.note", read_only=True, default="")

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "meeting",
            "decision",
            "title",
            "owner_school",
            "owner_district",
            "due_on",
            "status",
            "overdue",
            "hazard_ref",
            "hazard_label",
            "evidence_note",
        ]
        read_only_fields = ["status", "hazard_ref", "hazard_label"]

    def get_overdue(self, item) -> bool:
        return item.is_overdue()

    def validate(self, attrs):
        decision = attrs.get("decision")
        if decision is not None:
            attrs["meeting"] = decision.meeting
        return super().validate(attrs)


class CompleteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    photo = serializers.ImageField(required=False)


class FactorSerializer(ScopedModelSerializer):
    """A factor of the register. Police keep it; school staff report one."""

    shared_with = serializers.SerializerMethodField()
    reported_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Factor
        fields = [
            "id",
            "school",
            "category",
            "risk",
            "description",
            "place",
            "measures",
            "responsible_unit",
            "review_on",
            "status",
            "reported_by",
            "shared_with",
            "hazard_ref",
            "hazard_label",
        ]
        read_only_fields = ["hazard_ref", "hazard_label"]

    def get_shared_with(self, factor) -> list[str]:
        return sorted(
            ShareUnit.DISTRICT if share.district_id else ShareUnit.CITY
            for share in factor.shares.all()
        )

    def create(self, validated_data):
        validated_data["reported_by"] = self.context["request"].user
        return super().create(validated_data)


class ShareSerializer(serializers.Serializer):
    unit = serializers.ChoiceField(choices=ShareUnit.choices)


class AppointmentSerializer(ScopedModelSerializer):
    """A legal vice-president's appointment; the phone is shown masked."""

    is_current = serializers.SerializerMethodField()
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "school",
            "name",
            "organisation",
            "unit",
            "position",
            "phone",
            "starts_on",
            "ends_on",
            "is_current",
        ]

    def get_is_current(self, appointment) -> bool:
        return appointment.is_current()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = mask_phone(instance.phone)
        return data

    def validate_phone(self, value):
        if not value:
            return ""
        try:
            return submitted_phone(value, getattr(self.instance, "phone", ""))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def create(self, validated_data):
        return legal.appoint(Appointment(**validated_data))


class ActivitySerializer(ScopedModelSerializer):
    class Meta:
        model = Activity
        fields = [
            "id",
            "school",
            "appointment",
            "held_on",
            "activity_type",
            "audience",
            "participants",
            "note",
        ]

    def create(self, validated_data):
        validated_data["recorded_by"] = self.context["request"].user
        return super().create(validated_data)


class ComplianceQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    district = serializers.IntegerField(required=False)
    attention = serializers.BooleanField(required=False, default=False)


class ComplianceRowSerializer(serializers.Serializer):
    school = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    district = serializers.IntegerField(source="district_id")
    has_legal_vice_president = serializers.BooleanField(source="has_vp")
    activities = serializers.IntegerField()
    expected = serializers.IntegerField()
    behind = serializers.BooleanField()


class CadenceQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    district = serializers.IntegerField(required=False)


class CadenceRuleSerializer(serializers.Serializer):
    basis = serializers.CharField()
    required = serializers.IntegerField(source="required_count")
    grace_days = serializers.SerializerMethodField()
    counted_from = serializers.DateField(source="starts_on")
    source = serializers.CharField()
    national_default = serializers.SerializerMethodField()

    def get_grace_days(self, cadence) -> int:
        return cadence.grace.days

    def get_national_default(self, cadence) -> bool:
        return cadence.city_id is None


class CadencePeriodSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    due_at = serializers.DateTimeField(source="due")
    held = serializers.IntegerField()
    required = serializers.IntegerField()
    status = serializers.CharField()


class CadenceRowSerializer(serializers.Serializer):
    """A unit's meetings per period (coordination.cadence.UnitCadence); a district's
    `schools` is the drill-down to its schools' monthly meeting obligation."""

    level = serializers.CharField(source="unit.level")
    unit = serializers.IntegerField(source="unit.pk")
    name = serializers.CharField(source="unit.name")
    city = serializers.IntegerField(source="unit.city_id")
    rule = CadenceRuleSerializer(source="cadence", allow_null=True)
    due = serializers.IntegerField()
    held = serializers.IntegerField()
    missed = serializers.IntegerField()
    meetings = serializers.IntegerField()
    periods = CadencePeriodSerializer(source="windows", many=True)
    schools = serializers.SerializerMethodField()

    def get_schools(self, plan) -> str | None:
        if plan.unit.level != Level.DISTRICT:
            return None
        start, end = self.context["bounds"]
        url = reverse("meeting-cadence-schools")
        return f"{url}?district={plan.unit.pk}&start={start}&end={end}"
