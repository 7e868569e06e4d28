"""The checks API: service records, alarm tests, video checks, kit handovers and missing pieces,
and the "alarm and video" figures of the schools in scope.

Its own router (included from campussafety/urls.py), beside the equipment
API's. Records are created and read; they are never edited through the API
(the ledger's rule): a correction is a new record. Each create calls the
service in equipment/checks.py or equipment/handover.py, which checks the
write through accounts.scope.write_in_scope.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campussafety.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from campussafety.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from equipment import checks, handover
from equipment.filtersets_checks import (
    AlarmTestFilter,
    KitConfirmationFilter,
    KitShortageFilter,
    ServiceRecordFilter,
    VideoCheckFilter,
)
from equipment.models import (
    AlarmTest,
    EquipmentType,
    Item,
    KitConfirmation,
    KitShortage,
    ServiceRecord,
    VideoCheck,
)
from schools.filtersets import SchoolFilterSet
from schools.models import School

CREATE_AND_READ = ["get", "post", "head", "options"]


def as_drf(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(serializers.as_serializer_error(error))


class ServiceRecordSerializer(ScopedModelSerializer):
    items = ScopedPrimaryKeyRelatedField(many=True, queryset=Item.objects.all())

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "school",
            "firm",
            "certificate_number",
            "serviced_on",
            "items",
            "notes",
            "recorded_by",
            "created",
        ]
        read_only_fields = ["recorded_by", "created"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        try:
            checks.check_service_items(attrs["school"], attrs["items"], attrs["serviced_on"])
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return attrs

    def create(self, validated_data):
        try:
            return checks.record_service(self.context["request"].user, **validated_data)
        except DjangoValidationError as error:
            raise as_drf(error) from error


class CheckRecordSerializer(ScopedModelSerializer):
    def create(self, validated_data):
        try:
            return checks.record_check(
                self.context["request"].user, self.Meta.model(**validated_data)
            )
        except DjangoValidationError as error:
            raise as_drf(error) from error


class AlarmTestSerializer(CheckRecordSerializer):
    class Meta:
        model = AlarmTest
        fields = [
            "id",
            "school",
            "gate",
            "pressed_by",
            "pressed_at",
            "police_told_beforehand",
            "acknowledged_at",
            "arrived_at",
            "acknowledge_minutes",
            "arrival_minutes",
            "notes",
            "recorded_by",
        ]
        read_only_fields = ["recorded_by"]

    acknowledge_minutes = serializers.FloatField(read_only=True)
    arrival_minutes = serializers.FloatField(read_only=True)


class VideoCheckSerializer(CheckRecordSerializer):
    is_flagged = serializers.BooleanField(read_only=True)

    class Meta:
        model = VideoCheck
        fields = [
            "id",
            "school",
            "checked_at",
            "cameras_total",
            "cameras_working",
            "retention_days",
            "is_flagged",
            "notes",
            "recorded_by",
        ]
        read_only_fields = ["recorded_by"]


class KitShortageSerializer(serializers.ModelSerializer):
    class Meta:
        model = KitShortage
        fields = [
            "id",
            "school",
            "location",
            "equipment_type",
            "missing",
            "found_at",
            "resolved_at",
            "resolved_by",
            "hazard_reported_at",
            "confirmation",
        ]
        read_only_fields = fields


class MissingPieceSerializer(serializers.Serializer):
    equipment_type = serializers.PrimaryKeyRelatedField(queryset=EquipmentType.objects.all())
    missing = serializers.IntegerField(min_value=1, max_value=999)


class KitConfirmationSerializer(ScopedModelSerializer):
    """POST a place with nothing missing for "kit complete", or the pieces missing."""

    missing = MissingPieceSerializer(many=True, write_only=True, required=False)
    shortages = KitShortageSerializer(many=True, read_only=True)

    class Meta:
        model = KitConfirmation
        fields = [
            "id",
            "school",
            "location",
            "confirmed_at",
            "confirmed_by",
            "is_complete",
            "handover_ref",
            "missing",
            "shortages",
        ]
        read_only_fields = ["school", "confirmed_at", "confirmed_by", "is_complete", "shortages"]

    def validate(self, attrs):
        missing = attrs.pop("missing", [])
        attrs = super().validate(attrs)
        counts = {}
        for piece in missing:
            type_id = piece["equipment_type"].pk
            counts[type_id] = counts.get(type_id, 0) + piece["missing"]
        attrs["missing"] = counts
        return attrs

    def create(self, validated_data):
        try:
            return handover.confirm_kit(
                self.context["request"].user,
                validated_data["location"],
                validated_data["missing"],
                handover_ref=validated_data.get("handover_ref", ""),
            )
        except DjangoValidationError as error:
            raise as_drf(error) from error


class ServiceRecordViewSet(ScopedModelViewSet):
    # The pieces covered (items).
    queryset = ServiceRecord.objects.prefetch_related("items")
    serializer_class = ServiceRecordSerializer
    filterset_class = ServiceRecordFilter
    ordering_fields = ["serviced_on"]
    http_method_names = CREATE_AND_READ


class AlarmTestViewSet(ScopedModelViewSet):
    queryset = AlarmTest.objects.all()
    serializer_class = AlarmTestSerializer
    filterset_class = AlarmTestFilter
    ordering_fields = ["pressed_at"]
    http_method_names = CREATE_AND_READ


class VideoCheckViewSet(ScopedModelViewSet):
    queryset = VideoCheck.objects.all()
    serializer_class = VideoCheckSerializer
    filterset_class = VideoCheckFilter
    ordering_fields = ["checked_at"]
    http_method_names = CREATE_AND_READ


class KitConfirmationViewSet(ScopedModelViewSet):
    # The pieces named missing at this handover (shortages).
    queryset = KitConfirmation.objects.prefetch_related("shortages")
    serializer_class = KitConfirmationSerializer
    filterset_class = KitConfirmationFilter
    ordering_fields = ["confirmed_at"]
    http_method_names = CREATE_AND_READ


class KitShortageViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Pieces named missing at a handover; `resolve` says one is back."""

    queryset = KitShortage.objects.all()
    serializer_class = KitShortageSerializer
    filterset_class = KitShortageFilter
    ordering_fields = ["found_at"]
    object_actions = {"resolve": "resolve"}

    @property
    def scoped_model(self):
        return KitShortage

    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        shortage = self.get_object()
        try:
            handover.resolve_shortage(request.user, shortage)
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return Response(self.get_serializer(shortage).data)


class AlarmAndVideoSerializer(serializers.Serializer):
    school = serializers.IntegerField(source="school_id")
    alarm_tested_at = serializers.DateTimeField()
    alarm_reached_police = serializers.BooleanField(allow_null=True)
    video_checked_at = serializers.DateTimeField()
    video_retention_days = serializers.IntegerField(allow_null=True)
    video_cameras_down = serializers.IntegerField(allow_null=True)
    video_ok = serializers.BooleanField(allow_null=True)


class AlarmAndVideoView(ScopedViewSetMixin, generics.GenericAPIView):
    """Each school's latest alarm test and video check: the "alarm and video" indicator."""

    queryset = School.objects.order_by("pk")
    filterset_class = SchoolFilterSet
    serializer_class = AlarmAndVideoSerializer
    filter_backends = [DjangoFilterBackend]

    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        figures = checks.alarm_and_video(School.objects.filter(pk__in=[s.pk for s in page]))
        rows = [figures[school.pk] for school in page]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


router = SimpleRouter()
router.register("service-records", ServiceRecordViewSet)
router.register("alarm-tests", AlarmTestViewSet)
router.register("video-checks", VideoCheckViewSet)
router.register("kit-confirmations", KitConfirmationViewSet)
router.register("kit-shortages", KitShortageViewSet)

urlpatterns = [
    path("equipment/alarm-and-video/", AlarmAndVideoView.as_view(), name="alarm-and-video"),
    *router.urls,
]
