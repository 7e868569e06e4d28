"""The obligation reports every domain app's API offers: due windows and completion rates.

Each app names its `domain` (inspections, drills) in a subclass of the views;
the schools come from the user's scope and the school selection filters.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from campussafety.api.viewsets import ScopedViewSetMixin
from campussafety.dates import date_range_errors
from schools.filtersets import SchoolSelectionFilterSet
from schools.models import School
from schools.obligation_rates import GROUPINGS, ORDERINGS, completion_rates
from schools.obligations import due_windows

# A window list is a fine-grained thing (five a day per school): a month at most.
MAX_WINDOW_DAYS = 31
MAX_RATE_DAYS = 366

DATE_RANGE = [
    OpenApiParameter("start", OpenApiTypes.DATE, required=True),
    OpenApiParameter("end", OpenApiTypes.DATE, required=True),
]


class DateRangeQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    max_days = MAX_RATE_DAYS

    def validate(self, attrs):
        errors = date_range_errors(attrs["start"], attrs["end"], self.max_days)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class WindowQuerySerializer(DateRangeQuerySerializer):
    max_days = MAX_WINDOW_DAYS


class RateQuerySerializer(DateRangeQuerySerializer):
    group_by = serializers.ChoiceField(choices=GROUPINGS, default="school")
    # By the groups' names (or days) when not given; "rate" puts the lowest first.
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False)


class WindowSerializer(serializers.Serializer):
    rule = serializers.IntegerField(source="rule_id")
    rule_code = serializers.CharField(source="rule.code")
    school = serializers.IntegerField(source="school_id")
    date = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    due = serializers.DateTimeField()
    required = serializers.IntegerField()
    completions = serializers.IntegerField()
    status = serializers.CharField()


class RateSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    counted = serializers.IntegerField()
    done = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    excused = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)


class ObligationReportView(ScopedViewSetMixin, generics.GenericAPIView):
    """A report over the schools in scope (and the school selection) for one app's obligations."""

    domain: str
    queryset = School.objects.all()
    filterset_class = SchoolSelectionFilterSet
    # Only the school selection: the rows are computed, not a queryset to order.
    filter_backends = [DjangoFilterBackend]

    def rules(self, params):
        """The rules to report on (None: all of the domain's)."""
        return None


class WindowsView(ObligationReportView):
    """The obligations' due windows of the schools in scope, with their status."""

    serializer_class = WindowSerializer
    query_serializer = WindowQuerySerializer

    @extend_schema(parameters=DATE_RANGE, responses=WindowSerializer(many=True))
    def get(self, request):
        query = self.query_serializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        windows = due_windows(
            self.filter_queryset(self.get_queryset()),
            query.validated_data["start"],
            query.validated_data["end"],
            rules=self.rules(query.validated_data),
            domain=self.domain,
        )
        page = self.paginate_queryset(windows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CompletionView(ObligationReportView):
    """Completion rates of the obligations by school, district, city or day."""

    serializer_class = RateSerializer
    query_serializer = RateQuerySerializer

    @extend_schema(
        parameters=[
            *DATE_RANGE,
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(GROUPINGS)),
            OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(ORDERINGS)),
        ],
        responses=RateSerializer(many=True),
    )
    def get(self, request):
        query = self.query_serializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = completion_rates(
            request.user,
            params["start"],
            params["end"],
            params["group_by"],
            rules=self.rules(params),
            domain=self.domain,
            schools=self.filter_queryset(self.get_queryset()),
            ordering=params.get("ordering"),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
