"""Serializers of the hazard ledger's API: the hazard, its history, and each action's input.

Inputs are plain serializers handed to the services in inspections/hazards.py,
which hold every rule; objects they name resolve through the user's scope.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from accounts.scope import VIEW
from campussafety.api.serializers import DateField, ScopedPrimaryKeyRelatedField
from inspections import hazards
from inspections.choices import HazardCategory, HazardLevel, SupervisionLevel
from inspections.models import (
    Checkpoint,
    DeadlineExtension,
    Hazard,
    HazardEvent,
    HazardPhoto,
    SupervisionOrder,
    SupervisionReport,
)
from schools.models import School

NOTE = {"max_length": 2000, "required": False, "allow_blank": True, "default": ""}
# The most photos one request adds.
MAX_PHOTOS = 6


class PhotoListField(serializers.ListField):
    """Photos uploaded with an action (multipart), checked by the model field's limits."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.ImageField(),
            max_length=MAX_PHOTOS,
            required=kwargs.pop("required", False),
            **kwargs,
        )

    def to_internal_value(self, data):
        photos = super().to_internal_value(data)
        for photo in photos:
            for validator in HazardPhoto._meta.get_field("image").validators:
                validator(photo)
        return photos


class HazardPhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardPhoto
        fields = ["id", "kind", "image", "event", "sha256", "taken_at", "flags", "uploaded_at"]


class HazardSerializer(serializers.ModelSerializer):
    ledger_number = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    is_recurrence = serializers.BooleanField(read_only=True)
    photos = HazardPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Hazard
        fields = [
            "id",
            "school",
            "year",
            "number",
            "ledger_number",
            "found_at",
            "checkpoint",
            "place",
            "category",
            "description",
            "level",
            "interim_measures",
            "responsible_unit",
            "responsible_person",
            "measures",
            "funds",
            "deadline",
            "rectification",
            "submitted_by",
            "submitted_at",
            "verified_by",
            "verified_at",
            "signed_off_by",
            "signed_off_at",
            "closed_at",
            "state",
            "is_overdue",
            "supervised",
            "duplicate_of",
            "recurrence_of",
            "is_recurrence",
            "origin",
            "origin_ref",
            "origin_url",
            "round",
            "reported_by",
            "photos",
        ]
        read_only_fields = fields


class HazardCreateSerializer(serializers.Serializer):
    """Direct registration: by school staff, police or bureau staff, at a school they reach."""

    scope_write = (Hazard, "add")

    school = ScopedPrimaryKeyRelatedField(queryset=School.objects.all())
    description = serializers.CharField(max_length=2000)
    category = serializers.ChoiceField(choices=HazardCategory.choices)
    level = serializers.ChoiceField(choices=HazardLevel.choices, default=HazardLevel.GENERAL)
    checkpoint = ScopedPrimaryKeyRelatedField(
        queryset=Checkpoint.objects.all(), action=VIEW, required=False, allow_null=True
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    interim_measures = serializers.CharField(**NOTE)
    photos = PhotoListField()

    def validate(self, attrs):
        checkpoint = attrs.get("checkpoint")
        if checkpoint is not None and checkpoint.school_id != attrs["school"].pk:
            raise serializers.ValidationError(
                {"checkpoint": _("This checkpoint belongs to another school.")}
            )
        if checkpoint is None and not attrs["place"].strip():
            raise serializers.ValidationError({"place": _("Name the checkpoint or the place.")})
        return attrs

    def create(self, validated_data):
        values = dict(validated_data)
        return hazards.register(self.context["request"].user, values.pop("school"), **values)

    def to_representation(self, instance):
        return HazardSerializer(instance, context=self.context).data


class ConfirmSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=HazardLevel.choices, required=False)
    deadline = DateField(required=False, allow_null=True)
    note = serializers.CharField(**NOTE)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(**NOTE)


class NoteWithPhotosSerializer(NoteSerializer):
    photos = PhotoListField()


class HazardReturnSerializer(ReasonSerializer):
    photos = PhotoListField()


class MergeSerializer(NoteSerializer):
    duplicate_of = ScopedPrimaryKeyRelatedField(queryset=Hazard.objects.all(), action=VIEW)


class AssignSerializer(serializers.Serializer):
    # Whether the person works on this school's hazards is the service's rule.
    responsible_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    responsible_unit = serializers.CharField(max_length=100, required=False)
    measures = serializers.CharField(max_length=2000, required=False)
    funds = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    deadline = DateField(required=False, allow_null=True)
    interim_measures = serializers.CharField(max_length=2000, required=False)
    note = serializers.CharField(**NOTE)


class SubmitSerializer(serializers.Serializer):
    rectification = serializers.CharField(max_length=2000)
    photos = PhotoListField(required=True, min_length=1)
    note = serializers.CharField(**NOTE)


class ExtensionRequestSerializer(serializers.Serializer):
    new_deadline = DateField()
    reason = serializers.CharField(max_length=1000)


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SuperviseSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=SupervisionLevel.choices)
    measures = serializers.CharField(max_length=2000)
    responsibility = serializers.CharField(max_length=1000)
    funds = serializers.CharField(max_length=200)
    deadline = DateField()
    contingency_plan = serializers.CharField(max_length=2000)
    report_every_days = serializers.IntegerField(
        min_value=1, max_value=90, required=False, allow_null=True
    )


class ProgressSerializer(serializers.Serializer):
    progress = serializers.CharField(max_length=2000)
    photos = PhotoListField()


class HazardEventSerializer(serializers.ModelSerializer):
    photos = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = HazardEvent
        fields = ["id", "hazard", "kind", "from_state", "to_state", "actor", "at", "note", "photos"]


class DeadlineExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadlineExtension
        fields = [
            "id",
            "hazard",
            "requested_by",
            "requested_at",
            "reason",
            "previous_deadline",
            "new_deadline",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class SupervisionOrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "hazard",
            "level",
            "measures",
            "responsibility",
            "funds",
            "deadline",
            "contingency_plan",
            "report_every_days",
            "issued_by",
            "issued_at",
            "lifted_by",
            "lifted_at",
            "lift_note",
        ]


class SupervisionReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisionReport
        fields = ["id", "order", "event", "reported_by", "reported_at", "progress"]
