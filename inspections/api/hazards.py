"""The hazard ledger's API: hazards with an action per transition, their events,
deadline extensions, supervision orders and progress reports.

Every action hands its input to inspections/hazards.py, which checks the
state, the rules and the user's scope for the action (write_in_scope) and
writes the event. A hazard that moved on meanwhile is a 409 (StateConflict).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, parsers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scope import CHANGE
from campussafety.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from inspections import hazards
from inspections.api import hazard_serializers as s
from inspections.filtersets import HazardFilter
from inspections.hazards import SIGN_OFF, SUPERVISE, VERIFY
from inspections.models import (
    DeadlineExtension,
    Hazard,
    HazardEvent,
    SupervisionOrder,
    SupervisionReport,
)

PARSERS = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]


class _ActionMixin:
    parser_classes = PARSERS

    def _object(self, queryset):
        # The object alone (the representation's prefetches are not needed to act).
        obj = generics.get_object_or_404(queryset.for_user(self.request.user), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)


class HazardViewSet(_ActionMixin, ScopedModelViewSet):
    """The ledger. POST registers a hazard; its actions move it through its lifecycle.

    Hazards change only through their actions; only an administrator deletes one.
    """

    # photos: the representation's photo list.
    queryset = Hazard.objects.prefetch_related("photos")
    serializer_class = s.HazardSerializer
    filterset_class = HazardFilter
    ordering_fields = ["found_at", "deadline", "number", "level", "state"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    read_back_after_write = True
    object_actions = {
        "confirm": CHANGE,
        "reject": CHANGE,
        "merge": CHANGE,
        "assign": CHANGE,
        "submit": CHANGE,
        "return_for_work": VERIFY,
        "verify": VERIFY,
        "sign_off": SIGN_OFF,
        "close": VERIFY,
        "extend": CHANGE,
        "supervise": SUPERVISE,
    }

    def get_queryset(self):
        # Overdue against today's date, per request: a class attribute would keep the
        # date the worker process started on.
        return super().get_queryset().with_overdue()

    def get_serializer_class(self):
        if self.action == "create":
            return s.HazardCreateSerializer
        return super().get_serializer_class()

    def _representation(self, hazard):
        return s.HazardSerializer(
            self.get_queryset().get(pk=hazard.pk), context=self.get_serializer_context()
        )

    def _hazard(self):
        return self._object(Hazard.objects.all())

    def _act(self, function, serializer_class=None):
        hazard = self._hazard()
        values = self._input(serializer_class) if serializer_class else {}
        result = function(self.request.user, hazard, **values)
        return Response(self._representation(result).data)

    @extend_schema(request=s.ConfirmSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """It is a hazard: on the ledger with a deadline (by default the city's for its level)."""
        return self._act(hazards.confirm, s.ConfirmSerializer)

    @extend_schema(request=s.ReasonSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Not a hazard, with the reason."""
        return self._act(hazards.reject, s.ReasonSerializer)

    @extend_schema(request=s.MergeSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """A duplicate of another open hazard of the school."""
        hazard = self._hazard()
        values = self._input(s.MergeSerializer)
        result = hazards.merge(request.user, hazard, values.pop("duplicate_of"), **values)
        return Response(self._representation(result).data)

    @extend_schema(request=s.AssignSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign the rectification and start it (also after a return)."""
        return self._act(hazards.start_rectifying, s.AssignSerializer)

    @extend_schema(request=s.SubmitSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Rectified: how, with "after" photos (multipart), for the re-check."""
        return self._act(hazards.submit, s.SubmitSerializer)

    @extend_schema(request=s.HazardReturnSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_work(self, request, pk=None):
        """The re-check found it not done: back to the school with the reason."""
        return self._act(hazards.return_for_work, s.HazardReturnSerializer)

    @extend_schema(request=s.NoteWithPhotosSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """The re-check, by someone other than whoever did the work."""
        return self._act(hazards.verify, s.NoteWithPhotosSerializer)

    @extend_schema(request=s.NoteSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        """The bureau's sign-off of a major hazard."""
        return self._act(hazards.sign_off, s.NoteSerializer)

    @extend_schema(request=s.NoteSerializer, responses=s.HazardSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Strike it off (销号)."""
        return self._act(hazards.close, s.NoteSerializer)

    @extend_schema(request=s.ExtensionRequestSerializer, responses=s.DeadlineExtensionSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """Ask for a later deadline, with the reason."""
        hazard = self._hazard()
        extension = hazards.request_extension(
            request.user, hazard, **self._input(s.ExtensionRequestSerializer)
        )
        return Response(s.DeadlineExtensionSerializer(extension).data, status=201)

    @extend_schema(request=s.SuperviseSerializer, responses=s.SupervisionOrderSerializer)
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        """挂牌督办: the bureau's order with the five fixed items."""
        hazard = self._hazard()
        order = hazards.supervise(request.user, hazard, **self._input(s.SuperviseSerializer))
        return Response(s.SupervisionOrderSerializer(order).data, status=201)


class HazardEventViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """A hazard's history, oldest first (filter by `hazard`)."""

    # photos: the ids of each event's photos.
    queryset = HazardEvent.objects.prefetch_related("photos")
    serializer_class = s.HazardEventSerializer
    filterset_fields = ["hazard", "kind"]


class DeadlineExtensionViewSet(_ActionMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Requests for more time and their decisions; `decide` approves or refuses one."""

    queryset = DeadlineExtension.objects.all()
    serializer_class = s.DeadlineExtensionSerializer
    filterset_fields = ["hazard", "status"]
    object_actions = {"decide": hazards.DECIDE}

    @extend_schema(request=s.DecisionSerializer, responses=s.DeadlineExtensionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The principal decides (a major hazard: the bureau)."""
        extension = self._object(DeadlineExtension.objects.select_related("hazard"))
        result = hazards.decide_extension(
            request.user, extension, **self._input(s.DecisionSerializer)
        )
        return Response(self.get_serializer(result).data)


class SupervisionOrderViewSet(_ActionMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Supervision orders (挂牌督办); the school reports progress, the bureau lifts them."""

    queryset = SupervisionOrder.objects.all()
    serializer_class = s.SupervisionOrderSerializer
    filterset_fields = ["hazard", "level"]
    object_actions = {"report": CHANGE, "lift": SUPERVISE}

    def _order(self):
        return self._object(SupervisionOrder.objects.select_related("hazard"))

    @extend_schema(request=s.ProgressSerializer, responses=s.SupervisionReportSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """A progress report, with photos (multipart)."""
        order = self._order()
        report = hazards.report_progress(request.user, order, **self._input(s.ProgressSerializer))
        return Response(s.SupervisionReportSerializer(report).data, status=201)

    @extend_schema(request=s.NoteSerializer, responses=s.SupervisionOrderSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        """End the supervision (closing the hazard ends it too)."""
        order = self._order()
        result = hazards.lift_supervision(request.user, order, **self._input(s.NoteSerializer))
        return Response(self.get_serializer(result).data)


class SupervisionReportViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Progress reports on supervised hazards (filter by `order`)."""

    queryset = SupervisionReport.objects.all()
    serializer_class = s.SupervisionReportSerializer
    filterset_fields = ["order"]
