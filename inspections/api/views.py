"""The inspections API: checkpoints, checklists, rules, rounds, obligation windows and rates."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campussafety.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from inspections import services
from inspections.api import serializers
from inspections.filtersets import (
    ChecklistTemplateFilter,
    CheckpointFilter,
    InspectionRuleFilter,
    RoundFilter,
)
from inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Checkpoint,
    InspectionRule,
    Round,
)
from schools.filtersets import SchoolSelectionFilterSet
from schools.models import School
from schools.obligation_rates import ORDERINGS, completion_rates
from schools.obligations import due_windows

DATE_RANGE = [
    OpenApiParameter("start", OpenApiTypes.DATE, required=True),
    OpenApiParameter("end", OpenApiTypes.DATE, required=True),
]
CHANGE = "change"


class CheckpointViewSet(ScopedModelViewSet):
    queryset = Checkpoint.objects.all()
    serializer_class = serializers.CheckpointSerializer
    filterset_class = CheckpointFilter
    ordering_fields = ["position", "name"]


class ChecklistTemplateViewSet(ScopedModelViewSet):
    # current_version: the newest version's number.
    queryset = ChecklistTemplate.objects.with_current_version().order_by("code", "city")
    serializer_class = serializers.ChecklistTemplateSerializer
    filterset_class = ChecklistTemplateFilter
    ordering_fields = ["code", "name"]
    read_back_after_write = True


class InspectionRuleViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The rules are declared with their obligations (city staff, in the obligations' pages)."""

    # code, name and basis come from the obligation.
    queryset = InspectionRule.objects.select_related("obligation")
    serializer_class = serializers.InspectionRuleSerializer
    filterset_class = InspectionRuleFilter


class RoundViewSet(ScopedModelViewSet):
    """Rounds: POST starts one; its actions scan, answer, tap "all fine" and finish.

    A guard reaches only their own rounds; school staff their schools'.
    """

    # The answer's related rows, for the representation.
    queryset = Round.objects.select_related(
        "school", "rule__obligation", "version"
    ).prefetch_related("scans", "answers", "findings", "skipped")
    serializer_class = serializers.RoundSerializer
    filterset_class = RoundFilter
    ordering_fields = ["started_at"]
    # Rounds change only through their actions; nobody but an administrator deletes one.
    http_method_names = ["get", "post", "delete", "head", "options"]
    object_actions = {"scan": CHANGE, "answer": CHANGE, "all_fine": CHANGE, "finish": CHANGE}
    read_back_after_write = True

    def perform_destroy(self, instance):
        services.delete_round(instance)

    def _round(self):
        # The round alone, with what the services read (school, rule, version):
        # the representation's prefetches are not needed by an action.
        round_ = generics.get_object_or_404(
            Round.objects.for_user(self.request.user).select_related(
                "school", "rule__obligation", "version"
            ),
            pk=self.kwargs["pk"],
        )
        self.check_object_permissions(self.request, round_)
        return round_

    def _checkpoint(self, request):
        data = serializers.CheckpointChoiceSerializer(
            data=request.data, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        return data.validated_data["checkpoint"]

    def _read_back(self, round_):
        return Response(self.get_serializer(self.get_queryset().get(pk=round_.pk)).data)

    @extend_schema(
        request=serializers.CheckpointChoiceSerializer, responses=serializers.ScanSerializer
    )
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        """The round reached a checkpoint (the server's time); a second scan keeps the first."""
        round_ = self._round()
        checkpoint = self._checkpoint(request)
        scan = self.write_in_scope(
            CHANGE, lambda: services.scan(round_, checkpoint), changed=lambda _s: round_
        )
        return Response(serializers.ScanSerializer(scan).data)

    @extend_schema(
        request=serializers.AnswerInputSerializer, responses=serializers.AnswerSerializer
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer one item at a checkpoint; a fail not corrected on the spot opens a finding."""
        round_ = self._round()
        data = serializers.AnswerInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        item = generics.get_object_or_404(
            ChecklistItem.objects.for_user(request.user),
            pk=values.pop("item"),
            version=round_.version_id,
        )
        checkpoint = values.pop("checkpoint", None)
        answer = self.write_in_scope(
            CHANGE,
            lambda: services.answer(round_, item, checkpoint, **values),
            changed=lambda _a: round_,
        )
        return Response(serializers.AnswerSerializer(answer, context={"request": request}).data)

    @extend_schema(
        request=serializers.CheckpointChoiceSerializer,
        responses=serializers.AnswerSerializer(many=True),
    )
    @action(detail=True, methods=["post"], url_path="all-fine")
    def all_fine(self, request, pk=None):
        """One tap: every pass/fail item at the checkpoint not yet answered passes."""
        round_ = self._round()
        checkpoint = self._checkpoint(request)
        self.write_in_scope(
            CHANGE, lambda: services.all_fine(round_, checkpoint), changed=lambda _a: round_
        )
        answers = Answer.objects.filter(round=round_, checkpoint=checkpoint)
        return Response(serializers.AnswerSerializer(answers, many=True).data)

    @extend_schema(request=None, responses=serializers.RoundSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        """Close the round: complete, or incomplete naming the skipped checkpoints."""
        round_ = self._round()
        self.write_in_scope(CHANGE, lambda: services.finish(round_))
        return self._read_back(round_)


class WindowsView(ScopedViewSetMixin, generics.GenericAPIView):
    """The inspection obligations' due windows of the schools in scope, with their status."""

    queryset = School.objects.all()
    filterset_class = SchoolSelectionFilterSet
    serializer_class = serializers.WindowSerializer
    # Only the school selection: the windows are computed, not a queryset to order.
    filter_backends = [DjangoFilterBackend]

    @extend_schema(parameters=DATE_RANGE, responses=serializers.WindowSerializer(many=True))
    def get(self, request):
        query = serializers.WindowQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        schools = self.filter_queryset(self.get_queryset())
        windows = due_windows(
            schools,
            query.validated_data["start"],
            query.validated_data["end"],
            domain="inspections",
        )
        page = self.paginate_queryset(windows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CompletionView(ScopedViewSetMixin, generics.GenericAPIView):
    """Completion rates of the inspection obligations by school, district, city or day."""

    queryset = School.objects.all()
    filterset_class = SchoolSelectionFilterSet
    serializer_class = serializers.RateSerializer
    filter_backends = [DjangoFilterBackend]

    @extend_schema(
        parameters=[
            *DATE_RANGE,
            OpenApiParameter(
                "group_by", OpenApiTypes.STR, enum=["school", "district", "city", "day"]
            ),
            OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(ORDERINGS)),
        ],
        responses=serializers.RateSerializer(many=True),
    )
    def get(self, request):
        query = serializers.RateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = completion_rates(
            request.user,
            params["start"],
            params["end"],
            params["group_by"],
            domain="inspections",
            schools=self.filter_queryset(self.get_queryset()),
            ordering=params.get("ordering"),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
