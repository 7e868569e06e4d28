"""The district-dashboard API: the declared indicators, and their values as of a day or a trend.

Values come from dashboards/values.py over School.objects.for_user(user),
narrowed by the school selection filters (?district=, ?school=, ...): the
same numbers the pages and exports show. A dashboard polling every minute
asks with If-None-Match / If-Modified-Since: the validators are worked out
from one small row (SnapshotDay) for a past day, and from the clock's minute
for today's live values, before anything is computed, so a 304 costs a query
or two.

The values come in pages of places (schools, districts or cities, by name),
each page with every row of its places: a city's 3,000 schools are never
computed or sent at once. A page's places are one query (a cursor, no count),
and its values are computed for those places only, so each page costs the
same number of queries whatever the number of schools.
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
from campussafety.api.pagination import CursorPagination
from campussafety.api.viewsets import ScopedViewSetMixin
from campussafety.dates import date_range_errors
from campussafety.indicators import declared_indicators
from dashboards.models import SnapshotDay
from dashboards.values import FOUR_100, GROUPINGS, as_dicts, resolve_codes, trend, values
from schools.filtersets import SchoolSelectionFilterSet
from schools.models import City, District, School

MAX_TREND_DAYS = 366
# A page holds whole places and at most this many rows (a place has a row per indicator
# and, in a trend, per day): fewer places a page for a long trend.
MAX_PAGE_ROWS = 20_000


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


class PlacesPagination(CursorPagination):
    """Pages of places by name, at most MAX_PAGE_ROWS rows a page: `rows_per_place`, set
    by the view for the question asked, lowers the page size (as DRF caps it at
    max_page_size) rather than refusing it."""

    rows_per_place = 1
    page_size_query_description = (
        "Places a page: 50 by default, at most 500, and fewer for a long trend, so that a "
        "page holds at most 20,000 rows."
    )

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        for link, cursor in (("next", "cD0lRTYlQkIlQTg%3D"), ("previous", "cj0xJnA9JUU2JUJCJUE4")):
            paginated["properties"][link]["example"] = (
                f"https://safety.example.cn/api/v1/indicator-values/?cursor={cursor}"
                "&indicator=four100&group_by=school"
            )
        return paginated

    def get_page_size(self, request):
        size = super().get_page_size(request)
        return min(size, max(1, MAX_PAGE_ROWS // self.rows_per_place))


def places(schools, group_by):
    """The places of `schools` to page (their id and name): the schools, or their districts or
    cities. Each is a subquery over the schools, never a list of their ids."""
    if group_by == "school":
        return schools.values("pk", "name")
    model, path = {"district": (District, "district_id"), "city": (City, "district__city_id")}[
        group_by
    ]
    return model.objects.filter(pk__in=schools.order_by().values(path)).values("pk", "name")


def schools_of(schools, group_by, keys):
    """The schools of `schools` in the places `keys` (a page's: at most a page size of ids)."""
    path = {"school": "pk", "district": "district_id", "city": "district__city_id"}[group_by]
    return schools.filter(**{f"{path}__in": keys})


class IndicatorValuesView(ScopedViewSetMixin, generics.GenericAPIView):
    """Indicator values of the schools in scope by school, district or city.

    As of a day (`as_of`, today when not given: a past day is read from its
    snapshot), or one indicator per day over `start`..`end` (a trend).

    Paged by place (`cursor`, `page_size`: places, 50 by default, at most 500,
    fewer for a long trend so that a page holds at most 20,000 rows): each page
    has every row of its places, by indicator, date and place; follow `next`
    until it is null. A place without data has no rows, so a page may hold
    fewer places' rows than it names.
    """

    queryset = School.objects.all()
    filterset_class = SchoolSelectionFilterSet
    filter_backends = [DjangoFilterBackend]
    serializer_class = ValueSerializer
    pagination_class = PlacesPagination
    # The places' order: by name, the id settling a tie.
    cursor_ordering = ("name", "pk")

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
        # One row: the schema wraps it in a page (next, previous, results).
        examples=[OpenApiExample("A district's four 100%", value=VALUE_EXAMPLE)],
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
            response = self.page_of_values(schools, params)
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified.timestamp())
        response["Cache-Control"] = "private, no-cache"
        return response

    def page_of_values(self, schools, params):
        """The page's places (one query), and the values of their schools only."""
        group_by, codes = params["group_by"], params["indicator"]
        start, end = params.get("start"), params.get("end")
        days = (end - start).days + 1 if start else 1
        self.paginator.rows_per_place = len(codes) * days
        page = self.paginate_queryset(places(schools, group_by))
        rows = []
        if page:
            in_page = schools_of(schools, group_by, [place["pk"] for place in page])
            if start:
                [code] = codes
                rows = trend(code, in_page, start, end, group_by)
            else:
                as_of = params.get("as_of")
                rows = values(in_page, codes, as_of, group_by, snapshotted=self.snapshotted)
        # Plain dicts: the serializer documents the shape (schema) at a fraction of its cost.
        return self.get_paginated_response(as_dicts(rows))

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
        # Whether a past day was snapshotted, so that values() need not ask again.
        self.snapshotted = taken is not None
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
