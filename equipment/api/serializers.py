"""Serializers of the equipment API: the catalogue and standards, places, the ledger, compliance."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.scope import VIEW
from campussafety.api.serializers import (
    DateField,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from equipment import services
from equipment.compliance import GROUPS
from equipment.imports import FORMATS
from equipment.models import (
    EquipmentType,
    Item,
    KitLine,
    KitStandard,
    Location,
    Movement,
    StockBalance,
)
from equipment.recording import record_movement
from schools.models import School

RULE_FIELDS = ("check_interval_days", "first_service_years", "service_every_years", "scrap_years")


class EquipmentTypeSerializer(ScopedModelSerializer):
    class Meta:
        model = EquipmentType
        fields = [
            "id",
            "city",
            "code",
            "name",
            "category",
            "is_serialised",
            "checked_at_handover",
            *RULE_FIELDS,
            "source",
            "is_active",
        ]

    def update(self, instance, validated_data):
        rules_changed = any(
            name in validated_data and validated_data[name] != getattr(instance, name)
            for name in RULE_FIELDS
        )
        with transaction.atomic():
            instance = super().update(instance, validated_data)
            if rules_changed:
                # The held pieces' due dates follow the type's new rules.
                services.refresh_due_dates_of_type(instance)
        return instance


class KitLineSerializer(ScopedModelSerializer):
    class Meta:
        model = KitLine
        fields = ["id", "standard", "equipment_type", "location_kind", "quantity", "size_bands"]
        fields += ["source"]


class KitStandardSerializer(ScopedModelSerializer):
    # The lines, for reading; they are written at /kit-lines/.
    lines = KitLineSerializer(many=True, read_only=True)

    class Meta:
        model = KitStandard
        fields = ["id", "city", "district", "name", "source", "is_active", "lines"]


class LocationSerializer(ScopedModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "school", "kind", "name", "gate", "is_active"]


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = [
            "id",
            "school",
            "equipment_type",
            "location",
            "asset_tag",
            "serial_number",
            "manufactured_on",
            "acquired_on",
            "status",
            "last_checked_on",
            "last_serviced_on",
            "next_check_on",
            "service_due_on",
            "scrap_on",
        ]


class StockBalanceSerializer(serializers.ModelSerializer):
    usable = serializers.IntegerField(read_only=True)

    class Meta:
        model = StockBalance
        fields = ["id", "school", "location", "equipment_type", "held", "faulty", "usable"]


class MovementSerializer(ScopedModelSerializer):
    """A movement; creating one records it through the ledger (equipment/recording.py).

    Every field a kind needs is checked there: the page's form and this
    serializer refuse the same input alike. `school`, the deltas and who
    recorded it are the ledger's to set.
    """

    asset_tag = serializers.CharField(max_length=40, required=False, write_only=True)
    serial_number = serializers.CharField(max_length=60, required=False, write_only=True)
    manufactured_on = DateField(required=False, write_only=True)
    acquired_on = DateField(required=False, write_only=True)

    class Meta:
        model = Movement
        fields = [
            "id",
            "school",
            "kind",
            "equipment_type",
            "item",
            "quantity",
            "location",
            "to_location",
            "held_delta",
            "faulty_delta",
            "happened_at",
            "recorded_by",
            "reason",
            "report",
            "created",
            "asset_tag",
            "serial_number",
            "manufactured_on",
            "acquired_on",
        ]
        read_only_fields = [
            "school",
            "held_delta",
            "faulty_delta",
            "happened_at",
            "recorded_by",
            "created",
        ]
        # A piece names its own place and type.
        extra_kwargs = {"location": {"required": False}, "equipment_type": {"required": False}}

    def validate(self, attrs):
        # The ledger's services validate a movement; Movement.clean() has no rule of its own.
        return attrs

    def create(self, validated_data):
        return record_movement(self.context["request"].user, **validated_data)


class ComplianceQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=GROUPS, default="school")


class ComplianceSerializer(serializers.Serializer):
    level = serializers.CharField()
    key = serializers.IntegerField()
    name = serializers.CharField()
    schools = serializers.IntegerField()
    places = serializers.IntegerField()
    required = serializers.IntegerField()
    present = serializers.IntegerField()
    missing = serializers.IntegerField()
    short_places = serializers.IntegerField(help_text=_("Places short of at least one piece."))
    service_overdue = serializers.IntegerField()
    scrap_overdue = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class SchoolField(ScopedPrimaryKeyRelatedField):
    """A school the user reaches; whether they may stock it is the ledger's check."""

    def __init__(self, **kwargs):
        super().__init__(queryset=School.objects.all(), action=VIEW, **kwargs)


class ImportSerializer(serializers.Serializer):
    school = SchoolField()
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)


class ImportRowSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    action = serializers.CharField()
    quantity = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class ImportResultSerializer(serializers.Serializer):
    is_valid = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())
    new_locations = serializers.DictField(child=serializers.CharField())
    rows = ImportRowSerializer(many=True)


class ExportQuerySerializer(serializers.Serializer):
    school = SchoolField()
    # Not `format`: DRF reads that query parameter as the response's renderer.
    file_format = serializers.ChoiceField(choices=FORMATS, default="xlsx")
