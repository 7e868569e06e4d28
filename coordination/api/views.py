"""The coordination API: meetings, decisions and action items; the instability register;
legal vice-presidents' appointments, activities and compliance.

Every viewset starts from `for_user`; writes go through write_in_scope (the base
viewset, or the services the actions call). Reading factors is logged.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.scope import BUREAU, CHANGE, VIEW, Scope
from campussafety.api.viewsets import ScopedModelViewSet
from coordination import cadence, legal, register, services
from coordination.access_log import log_factors_read
from coordination.api import serializers as api
from coordination.choices import Level
from coordination.models import (
    ActionItem,
    Activity,
    Appointment,
    Decision,
    Factor,
    FactorShare,
    Meeting,
)
from schools.api import obligations
from schools.models import District, ObligationRule, School


def refused(error: DjangoValidationError):
    """A service's refusal as the API's 400 body."""
    return serializers.ValidationError(serializers.as_serializer_error(error))


class MeetingViewSet(ScopedModelViewSet):
    """Security meetings at the levels the user sees (filter by level, school, district)."""

    queryset = (
        Meeting.objects.with_counts()
        .prefetch_related("schools", "named_districts", "attendees", "attachments")
        .order_by("-held_on", "-pk")
    )
    serializer_class = api.MeetingSerializer
    filterset_fields = ["level", "school", "district", "city"]
    ordering_fields = ["held_on"]
    read_back_after_write = True

    object_actions = {"attach": CHANGE}

    def perform_destroy(self, instance):
        services.delete_meeting(instance)

    @extend_schema(request=api.AttachmentSerializer)
    @action(detail=True, methods=["post"])
    def attach(self, request, pk=None):
        """Add a document to the minutes (a signed scan, a presentation): multipart `file`."""
        meeting = self.get_object()
        data = api.AttachmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.attach(request.user, meeting, **data.validated_data)
        except DjangoValidationError as error:
            raise refused(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)


class DecisionViewSet(ScopedModelViewSet):
    """A meeting's decisions (filter by meeting)."""

    queryset = Decision.objects.all()
    serializer_class = api.MeetingDecisionSerializer
    filterset_fields = ["meeting"]


class ActionItemViewSet(ScopedModelViewSet):
    """Action items: the meeting's unit writes them; the owner marks one done with evidence."""

    queryset = ActionItem.objects.select_related("evidence")
    serializer_class = api.ActionItemSerializer
    filterset_fields = ["meeting", "decision", "status", "owner_school", "owner_district"]
    ordering_fields = ["due_on"]
    # Marking done is judged on the evidence's scope (the owner's) by the service.
    object_actions = {"complete": VIEW, "hazard": CHANGE}

    def _item(self):
        item = generics.get_object_or_404(
            ActionItem.objects.for_user(self.request.user).select_related(
                "owner_school", "meeting"
            ),
            pk=self.kwargs["pk"],
        )
        self.check_object_permissions(self.request, item)
        return item

    @extend_schema(request=api.CompleteSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the item done: what was done, with an optional photo."""
        item = self._item()
        data = api.CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.complete_item(
                request.user, item, data.validated_data["note"], data.validated_data.get("photo")
            )
        except DjangoValidationError as error:
            raise refused(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def hazard(self, request, pk=None):
        """Open the hazard this item concerns in the ledger (once) and link it."""
        item = self._item()
        try:
            services.item_hazard(request.user, item, reverse("coordination:item", args=[item.pk]))
        except DjangoValidationError as error:
            raise refused(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


class FactorViewSet(ScopedModelViewSet):
    """The instability register: police keep it, school staff report, shared bureaus read.

    Every factor a response shows is written to the access log.
    """

    queryset = Factor.objects.select_related("school").prefetch_related(
        Prefetch("shares", queryset=FactorShare.objects.order_by("pk"))
    )
    serializer_class = api.FactorSerializer
    filterset_fields = ["school", "status", "risk", "category"]
    ordering_fields = ["risk", "review_on"]
    # A register keeps what it recorded: resolve a factor instead.
    http_method_names = ["get", "post", "patch", "head", "options"]
    object_actions = {"share": register.SHARE, "unshare": register.SHARE, "hazard": register.HAZARD}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        log_factors_read(self.request, page if page is not None else queryset)
        return page

    def get_object(self):
        factor = super().get_object()
        if self.request.method == "GET":
            log_factors_read(self.request, [factor])
        return factor

    def _answer(self, factor):
        return Response(self.get_serializer(self.get_queryset().get(pk=factor.pk)).data)

    def _share(self, service):
        factor = self.get_object()
        data = api.ShareSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        service(self.request.user, factor, data.validated_data["unit"])
        return self._answer(factor)

    @extend_schema(request=api.ShareSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """Share the factor with the school's district or city education bureau."""
        return self._share(register.share)

    @extend_schema(request=api.ShareSerializer)
    @action(detail=True, methods=["post"])
    def unshare(self, request, pk=None):
        """Stop sharing the factor with that bureau."""
        return self._share(register.unshare)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def hazard(self, request, pk=None):
        """Open the physical fix this factor needs as a hazard in the ledger (once)."""
        factor = self.get_object()
        register.open_hazard(request.user, factor, reverse("coordination:factor", args=[factor.pk]))
        return self._answer(factor)


class AppointmentViewSet(ScopedModelViewSet):
    """Legal vice-presidents' appointments, with their history (filter by school)."""

    queryset = Appointment.objects.select_related("school")
    serializer_class = api.AppointmentSerializer
    filterset_fields = ["school", "organisation"]
    ordering_fields = ["starts_on"]


class ActivityViewSet(ScopedModelViewSet):
    """Legal vice-presidents' activities (filter by school, type)."""

    queryset = Activity.objects.all()
    serializer_class = api.ActivitySerializer
    filterset_fields = ["school", "appointment", "activity_type"]
    ordering_fields = ["held_on"]


class ComplianceView(generics.ListAPIView):
    """The schools in scope with their current legal vice-president and this year's
    activities against the minimum; `attention=true` keeps those without one or behind."""

    serializer_class = api.ComplianceRowSerializer
    query_serializer = api.ComplianceQuerySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # The schema is built without a request or a database to read the minimum from.
            return School.objects.none()
        query = api.ComplianceQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        schools = School.objects.for_user(self.request.user)
        if "district" in params:
            district_in_area(self.request.user, params["district"])
            schools = schools.filter(district_id=params["district"])
        year = params.get("year") or timezone.localdate().year
        rows = legal.compliance(schools, year)
        if params["attention"]:
            rows = legal.needing_attention(rows)
        return rows.order_by("district_id", "name", "pk")

    @extend_schema(parameters=[api.ComplianceQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def district_in_area(user, pk) -> None:
    """A district named in a query must be one the user sees: else a 400."""
    if not District.objects.for_user(user).filter(pk=pk).exists():
        raise serializers.ValidationError({"district": [_("Not a district in your area.")]})


class CadenceView(generics.ListAPIView):
    """The city's (for its city staff) and each district's security meetings in a `year`,
    held against due, period by period; `district` keeps one district. Each district's
    `schools` leads to its schools' monthly meetings (meeting-cadence/schools/)."""

    serializer_class = api.CadenceRowSerializer
    # The rows are computed, not a queryset to filter or order.
    filter_backends = []

    def query(self):
        query = api.CadenceQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            year = self.query().get("year") or timezone.localdate().year
            context["bounds"] = cadence.year_bounds(year)
        return context

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return []
        params = self.query()
        user = self.request.user
        units = cadence.units_for(user)
        if "district" in params:
            district_in_area(user, params["district"])
            units = [u for u in units if u.level == Level.DISTRICT and u.pk == params["district"]]
            if not units:
                raise PermissionDenied(_("The meeting cadence is for education bureau staff."))
        else:
            scope = Scope.of(user)
            if not (scope.is_admin or scope.has_role(*BUREAU)):
                raise PermissionDenied(_("The meeting cadence is for education bureau staff."))
        year = params.get("year") or timezone.localdate().year
        return cadence.unit_cadences(
            units,
            *cadence.year_bounds(year),
            timezone.now(),
            meetings=Meeting.objects.for_user(user),
        )

    @extend_schema(parameters=[api.CadenceQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CadenceSchoolsView(obligations.CompletionView):
    """The schools' monthly security meetings (the obligation `school-security-meeting`)
    held against due, by school, district, city or day: the drill-down of meeting-cadence."""

    domain = services.DOMAIN

    def rules(self, params):
        # Every city's version of the rule: each school's windows are of the one it follows.
        return ObligationRule.objects.filter(domain=services.DOMAIN, code=services.MEETING_RULE)
