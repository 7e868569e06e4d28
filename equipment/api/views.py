"""The equipment API: catalogue, standards, places, pieces, balances, the ledger, compliance.

Pieces and balances are read-only here: they change only through movements,
which are recorded (never edited) through the ledger's services.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from campussafety.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from campussafety.replica import reads_from_replica
from equipment import imports
from equipment.api import serializers
from equipment.compliance import GROUPS, compliance
from equipment.filtersets import (
    EquipmentTypeFilter,
    ItemFilter,
    KitLineFilter,
    KitStandardFilter,
    LocationFilter,
    MovementFilter,
    StockBalanceFilter,
)
from equipment.models import (
    EquipmentType,
    Item,
    KitLine,
    KitStandard,
    Location,
    Movement,
    StockBalance,
)
from equipment.views.access import require_board_roles
from schools.filtersets import SchoolSelectionFilterSet
from schools.models import School


class EquipmentTypeViewSet(ScopedModelViewSet):
    queryset = EquipmentType.objects.all()
    serializer_class = serializers.EquipmentTypeSerializer
    filterset_class = EquipmentTypeFilter
    ordering_fields = ["category", "code", "name"]


class KitStandardViewSet(ScopedModelViewSet):
    # lines: the standard's lines, for the representation.
    queryset = KitStandard.objects.prefetch_related("lines")
    serializer_class = serializers.KitStandardSerializer
    filterset_class = KitStandardFilter
    read_back_after_write = True


class KitLineViewSet(ScopedModelViewSet):
    queryset = KitLine.objects.all()
    serializer_class = serializers.KitLineSerializer
    filterset_class = KitLineFilter


class LocationViewSet(ScopedModelViewSet):
    queryset = Location.objects.all()
    serializer_class = serializers.LocationSerializer
    filterset_class = LocationFilter
    ordering_fields = ["kind", "name"]


class ItemViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Pieces tracked one by one: they arrive, move and leave by movements."""

    queryset = Item.objects.all()
    serializer_class = serializers.ItemSerializer
    filterset_class = ItemFilter
    ordering_fields = ["asset_tag", "service_due_on", "scrap_on"]


class StockBalanceViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The ledger's sums per place and type."""

    queryset = StockBalance.objects.all()
    serializer_class = serializers.StockBalanceSerializer
    filterset_class = StockBalanceFilter


class MovementViewSet(ScopedModelViewSet):
    """The ledger: POST records a movement through the services; nothing is changed or deleted."""

    queryset = Movement.objects.all()
    serializer_class = serializers.MovementSerializer
    filterset_class = MovementFilter
    ordering_fields = ["happened_at"]
    http_method_names = ["get", "post", "head", "options"]


class ComplianceView(ScopedViewSetMixin, generics.GenericAPIView):
    """Kit compliance of the schools in scope, by school, district or city."""

    queryset = School.objects.all()
    filterset_class = SchoolSelectionFilterSet
    serializer_class = serializers.ComplianceSerializer
    # Only the school selection: the rows are computed, not a queryset to order.
    filter_backends = [DjangoFilterBackend]

    @extend_schema(
        parameters=[OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(GROUPS))],
        responses=serializers.ComplianceSerializer(many=True),
    )
    def get(self, request):
        query = serializers.ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = compliance(
            self.filter_queryset(self.get_queryset()), query.validated_data["group_by"]
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ImportView(ScopedViewSetMixin, generics.GenericAPIView):
    """Import a school's .xlsx or .csv: a dry run answers the plan; otherwise all rows or none."""

    queryset = School.objects.all()
    serializer_class = serializers.ImportSerializer
    parser_classes = [MultiPartParser]
    filter_backends = []

    @extend_schema(
        request=serializers.ImportSerializer, responses=serializers.ImportResultSerializer
    )
    def post(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        school, upload = data.validated_data["school"], data.validated_data["file"]
        imports.require_stocker(request.user, school)
        rows = imports.read_upload(upload)
        plan = imports.plan(request.user, school, rows)
        result = serializers.ImportResultSerializer(plan).data
        if not plan.is_valid:
            return Response(result, status=status.HTTP_400_BAD_REQUEST)
        if data.validated_data["dry_run"]:
            return Response(result)
        imports.commit(request.user, school, plan)
        return Response(result)


@reads_from_replica
class ExportView(ScopedViewSetMixin, generics.GenericAPIView):
    """A school's equipment as .xlsx or .csv, in the import's own columns."""

    queryset = School.objects.all()
    serializer_class = serializers.ExportQuerySerializer
    filter_backends = []

    @extend_schema(
        parameters=[serializers.ExportQuerySerializer], responses={200: OpenApiTypes.BINARY}
    )
    def get(self, request):
        query = self.get_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        require_board_roles(request.user, query.validated_data["school"])
        return imports.export_response(
            request, query.validated_data["school"], query.validated_data["file_format"]
        )
