"""The drills API: requirements and overrides, drills and their actions, headcounts, compliance.

A drill's plan is written with POST/PATCH; the rest of its life goes through
its actions, each a service of drills/services.py run inside the user's scope.
Class teachers report headcounts without an account, through the per-drill
link the commander shares (HeadcountReportView).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.scope import CHANGE
from campussafety.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from campussafety.client_ip import client_ip
from drills import qrcodes, services
from drills.api import serializers as drill_serializers
from drills.filtersets import (
    ClassHeadcountFilter,
    DrillFilter,
    DrillRequirementFilter,
    RequirementOverrideFilter,
)
from drills.models import ClassHeadcount, Drill, DrillRequirement
from schools.api import obligations
from schools.models import ObligationOverride

DOMAIN = "drills"


def refused(error: DjangoValidationError):
    """A service's refusal as the API's 400 body."""
    return serializers.ValidationError(serializers.as_serializer_error(error))


class DrillRequirementViewSet(ScopedModelViewSet):
    """Everyone in scope reads the requirements; city staff change which drills count."""

    # The obligation's terms are part of each row.
    queryset = DrillRequirement.objects.select_related("obligation")
    serializer_class = drill_serializers.DrillRequirementSerializer
    filterset_class = DrillRequirementFilter
    # Requirements come with their obligation rules (data migration, city replacements).
    http_method_names = ["get", "patch", "head", "options"]


class RequirementOverrideViewSet(ScopedModelViewSet):
    """A drill requirement changed for one district or school, by city staff."""

    queryset = ObligationOverride.objects.filter(rule__domain=DOMAIN).order_by("pk")
    serializer_class = drill_serializers.RequirementOverrideSerializer
    filterset_class = RequirementOverrideFilter


class DrillViewSet(ScopedModelViewSet):
    """Drills: POST plans one; its actions run it, record it and sign it off."""

    queryset = Drill.objects.select_related("school")
    serializer_class = drill_serializers.DrillSerializer
    filterset_class = DrillFilter
    ordering_fields = ["planned_at"]
    object_actions = {
        "start": CHANGE,
        "all_clear": CHANGE,
        "problems": CHANGE,
        "hazard": CHANGE,
        "evaluate": CHANGE,
        "prenotify": CHANGE,
        "share": CHANGE,
        "sign_off": "sign_off",
        "acknowledge": "acknowledge",
    }

    def perform_destroy(self, instance):
        try:
            services.delete_drill(instance)
        except DjangoValidationError as error:
            raise refused(error) from error

    def _drill(self):
        drill = generics.get_object_or_404(
            Drill.objects.for_user(self.request.user).select_related("school"),
            pk=self.kwargs["pk"],
        )
        self.check_object_permissions(self.request, drill)
        return drill

    def _run(self, service, *args):
        drill = self._drill()
        try:
            service(self.request.user, drill, *args)
        except DjangoValidationError as error:
            raise refused(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=drill.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """The signal: the stopwatch starts at the server's time."""
        return self._run(services.start_drill)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="all-clear")
    def all_clear(self, request, pk=None):
        """The all clear: the stopwatch stops and the evacuation time is kept."""
        return self._run(services.record_all_clear)

    @extend_schema(request=drill_serializers.ProblemsSerializer)
    @action(detail=True, methods=["post"])
    def problems(self, request, pk=None):
        """The problems found, one a line (replacing those recorded before)."""
        data = drill_serializers.ProblemsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._run(services.record_problems, data.validated_data["problems"])

    @extend_schema(
        request=drill_serializers.HazardRequestSerializer,
        responses=inline_serializer("DrillHazard", {"hazard": serializers.CharField()}),
    )
    @action(detail=True, methods=["post"])
    def hazard(self, request, pk=None):
        """Open one of the problems as a hazard in the ledger (once per problem)."""
        drill = self._drill()
        data = drill_serializers.HazardRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        url = reverse("drills:record", args=[drill.pk])
        try:
            hazard = services.problem_hazard(
                request.user, drill, data.validated_data["problem"], url
            )
        except DjangoValidationError as error:
            raise refused(error) from error
        return Response({"hazard": str(hazard)})

    @extend_schema(request=drill_serializers.EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """Routes, blocked exits, alarm, police arrival, injuries, score and notes."""
        data = drill_serializers.EvaluationSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._run(services.evaluate, data.validated_data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        """The principal's signature: the drill counts towards its requirements."""
        return self._run(services.sign_off)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def prenotify(self, request, pk=None):
        """Send the pre-notification of an alarm drill to the school's police station."""
        return self._run(services.send_prenotice)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The station's police liaison acknowledges the pre-notification."""
        return self._run(services.acknowledge_prenotice)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "HeadcountLink", {"token": serializers.CharField(), "url": serializers.URLField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """The per-drill link class teachers report through, valid for a few hours."""
        drill = self._drill()
        return Response(
            {"token": services.headcount_token(drill), "url": qrcodes.headcount_url(request, drill)}
        )

    @extend_schema(responses=drill_serializers.LiveSerializer)
    @action(detail=True, methods=["get"])
    def live(self, request, pk=None):
        """The stopwatch and the class reports, as the commander's screen polls them."""
        return Response(drill_serializers.LiveSerializer(services.live_state(self._drill())).data)


class ClassHeadcountViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The class reports of the drills in scope (filter by drill)."""

    queryset = ClassHeadcount.objects.all()
    serializer_class = drill_serializers.ClassHeadcountSerializer
    filterset_class = ClassHeadcountFilter
    ordering_fields = ["class_name", "missing", "reported_at"]


class HeadcountThrottle(AnonRateThrottle):
    # A school's sixty classes report within a minute, often from one address
    # (the school's network); a flood beyond that is not a drill.
    rate = "240/min"
    scope = "drill-headcount"

    def get_ident(self, request):
        return client_ip(request)


class HeadcountReportView(APIView):
    """A class teacher's headcount through the shared link: no account, the drill's window only.

    Two queries: the drill the link names, and the insert-or-update of the
    class's row. The same report sent again (its `report_id`) leaves the same row.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [HeadcountThrottle]

    @extend_schema(
        request=drill_serializers.HeadcountReportSerializer,
        responses=drill_serializers.ClassHeadcountSerializer,
    )
    def post(self, request, token):
        data = drill_serializers.HeadcountReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            drill = services.drill_for_token(token)
            row = services.record_headcount(
                drill,
                values["class_name"],
                values["teacher_name"],
                values["expected"],
                values["arrived"],
                report_id=values["report_id"],
            )
        except DjangoValidationError as error:
            if getattr(error, "code", None) in ("expired", "invalid", "closed"):
                return Response({"detail": error.messages[0]}, status=status.HTTP_403_FORBIDDEN)
            raise refused(error) from error
        return Response(drill_serializers.ClassHeadcountSerializer(row).data)


class RequirementRules:
    def rules(self, params):
        requirement = params.get("requirement")
        return [requirement.obligation] if requirement else None


class ComplianceView(RequirementRules, obligations.CompletionView):
    """Drill requirements met by school, district, city or day, over a period."""

    domain = DOMAIN
    query_serializer = drill_serializers.DrillRateQuerySerializer


class DrillWindowsView(RequirementRules, obligations.WindowsView):
    """The drill requirements' periods at the schools in scope, with their status."""

    domain = DOMAIN
    query_serializer = drill_serializers.DrillWindowQuerySerializer
