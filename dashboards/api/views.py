"""The district-dashboard API: the declared indicators, and their values as of a day or a trend.

Values come from dashboards/values.py over School.objects.for_user(user),
narrowed by the school selection filters (?district=, ?school=, ...): the
same numbers the pages and exports show. A dashboard polling every minute
asks with If-None-Match / If-Modified-Since: the validators are worked out
from one small row (SnapshotDay) for a past day, and from the clock's minute
for today's live values, before anything is computed, so a 304 costs a query
or two.
"""

import datetime
import hashlib

from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scope import Scope
from campussafety.api.viewsets import ScopedViewSetMixin
from campussafety.dates import date_range_errors
from campussafety.indicators import declared_indicators
from dashboards.models import SnapshotDay
from dashboards.values import FOUR_100, GROUPINGS, resolve_codes, trend, values
from schools.filtersets import SchoolSelectionFilterSet
from schools.models import School

MAX_TREND_DAYS = 366


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    rule = serializers.CharField()
    source = serializers.CharField()
    target = serializers.FloatField(allow_null=True)
    higher_is_better = serializers.BooleanField()
    four_100 = serializers.IntegerField(allow_null=True)
    parts = serializers.ListField(child=serializers.CharField())


class IndicatorsView(APIView):
    """The declared indicators, in dashboard order: what each measures and by which rule."""

    pagination_class = None

    @extend_schema(
        responses=IndicatorSerializer(many=True),
        examples=[
            OpenApiExample(
                "The guards of the four 100%",
                response_only=True,
                value=[
                    {
                        "code": "posts.guards",
                        "name": "Full-time security guards",
                        "unit": "percent",
                        "rule": "Licensed security guards on the school's roster reach the "
                        "number its region's guard rule asks for its size.",
                        "source": "CHECKS.md §6 (per city: posts.GuardRule, GB/T 29315-2022 "
                        "by default)",
                        "target": 100.0,
                        "higher_is_better": True,
                        "four_100": 1,
                        "parts": [],
                    }
                ],
            )
        ],
    )
    def get(self, request):
        return Response(IndicatorSerializer(declared_indicators(), many=True).data)


class ValuesQuerySerializer(serializers.Serializer):
    indicator = serializers.CharField(
        required=False,
        help_text="Comma-separated indicator codes, or 'four100' for the four 100%; all if empty.",
    )
    group_by = serializers.ChoiceField(choices=GROUPINGS, default="school")
    as_of = serializers.DateField(required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate_indicator(self, value):
        codes = [code.strip() for code in value.split(",") if code.strip()]
        try:
            return resolve_codes(codes or None)
        except ValueError as error:
            raise serializers.ValidationError(
                _("Unknown indicator: %(codes)s") % {"codes": ", ".join(error.args[0])}
            ) from error

    def validate(self, attrs):
        today = timezone.localdate()
        if attrs.get("as_of") and attrs["as_of"] > today:
            raise serializers.ValidationError({"as_of": _("Values are known up to today.")})
        start, end = attrs.get("start"), attrs.get("end")
        if start or end:
            if attrs.get("as_of"):
                raise serializers.ValidationError(
                    {"as_of": _("Give a day (as_of) or a range (start and end), not both.")}
                )
            if not (start and end):
                missing = "end" if start else "start"
                raise serializers.ValidationError({missing: _("Give both start and end.")})
            errors = date_range_errors(start, end, MAX_TREND_DAYS)
            if errors:
                raise serializers.ValidationError(errors)
            if len(attrs.get("indicator") or resolve_codes()) != 1:
                raise serializers.ValidationError(
                    {"indicator": _("A trend is of one indicator at a time.")}
                )
        attrs.setdefault("indicator", resolve_codes())
        return attrs


class ValueSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="code")
    date = serializers.DateField()
    group_by = serializers.CharField()
    key = serializers.IntegerField()
    label = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True)
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField(allow_null=True)
    schools = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    meets_target = serializers.BooleanField(allow_null=True)


VALUE_EXAMPLE = {
    "indicator": "posts.peaks_covered",
    "date": "2026-11-22",
    "group_by": "district",
    "key": 3,
    "label": "滨城区",
    "parent": 1,
    "numerator": 431,
    "denominator": 452,
    "schools": 452,
    "value": 95.35,
    "meets_target": False,
}


class IndicatorValuesView(ScopedViewSetMixin, generics.GenericAPIView):
    """Indicator values of the schools in scope by school, district or city.

    As of a day (`as_of`, today when not given: a past day is read from its
    snapshot), or one indicator per day over `start`..`end` (a trend).
    """

    queryset = School.objects.all()
    filterset_class = SchoolSelectionFilterSet
    filter_backends = [DjangoFilterBackend]
    serializer_class = ValueSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "indicator",
                OpenApiTypes.STR,
                description=f"Codes, comma-separated ('{FOUR_100}': the four 100%). "
                "A trend takes one.",
                examples=[
                    OpenApiExample("The four 100%", value=FOUR_100),
                    OpenApiExample("Coverage", value="posts.coverage"),
                ],
            ),
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(GROUPINGS)),
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description="The day; today when not given."
            ),
            OpenApiParameter("start", OpenApiTypes.DATE, description="A trend's first day."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="A trend's last day."),
        ],
        responses={
            200: ValueSerializer(many=True),
            304: OpenApiResponse(description="Not modified since the ETag or date given."),
            400: OpenApiResponse(description="Field errors: unknown indicator, bad dates."),
        },
        examples=[OpenApiExample("A district's four 100%", value=[VALUE_EXAMPLE])],
    )
    def get(self, request):
        query = ValuesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        schools = self.filter_queryset(self.get_queryset())
        etag, modified = self.validators(request, params)
        if self.not_modified(request, etag, modified):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            if params.get("start"):
                [code] = params["indicator"]
                rows = trend(code, schools, params["start"], params["end"], params["group_by"])
            else:
                rows = values(schools, params["indicator"], params.get("as_of"), params["group_by"])
            # Plain dicts: the serializer documents the shape (schema) at a fraction of its cost.
            response = Response([row.as_dict() for row in rows])
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified.timestamp())
        response["Cache-Control"] = "private, no-cache"
        return response

    def validators(self, request, params):
        """(ETag, Last-Modified) of the answer, known before computing it.

        A past day's values change only when its snapshot is taken again; a
        range's when any of its days' is; today's live values are taken to
        change every minute. The ETag also names the user, what the user
        holds (a role given or taken away changes the schools in the answer)
        and the query, so two users or two questions never share one.
        """
        scope = Scope.of(request.user)
        today = timezone.localdate()
        now = timezone.now().replace(second=0, microsecond=0)
        first = params.get("start") or params.get("as_of") or today
        last = params.get("end") or params.get("as_of") or today
        days = SnapshotDay.objects.filter(date__gte=first, date__lte=last)
        taken = days.order_by("-taken_at").values_list("taken_at", flat=True).first()
        modified = now if last >= today or taken is None else taken
        if taken is not None and last >= today:
            modified = max(modified, taken)
        signature = "|".join(
            [
                str(request.user.pk),
                str(scope.is_admin),
                *sorted(map(repr, scope.grants)),
                request.get_full_path(),
                modified.isoformat(),
                str(taken),
            ]
        )
        return f'"{hashlib.sha256(signature.encode()).hexdigest()[:32]}"', modified

    @staticmethod
    def not_modified(request, etag, modified: datetime.datetime) -> bool:
        given = request.headers.get("If-None-Match")
        if given:
            return etag in [tag.strip() for tag in given.split(",")] or given.strip() == "*"
        since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
        return since is not None and int(modified.timestamp()) <= since
