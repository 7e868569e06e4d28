from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from campussafety.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from schools import filtersets
from schools.api import serializers
from schools.calendar import school_days
from schools.models import CalendarException, City, District, Gate, PoliceStation, School, Term


class CityViewSet(ScopedModelViewSet):
    queryset = City.objects.all()
    serializer_class = serializers.CitySerializer
    filterset_fields = ["code"]
    ordering_fields = ["name", "code"]


class DistrictViewSet(ScopedModelViewSet):
    # city: city_name
    queryset = District.objects.select_related("city")
    serializer_class = serializers.DistrictSerializer
    filterset_class = filtersets.DistrictFilterSet
    ordering_fields = ["name", "code"]


class PoliceStationViewSet(ScopedModelViewSet):
    # district: district_name
    queryset = PoliceStation.objects.select_related("district")
    serializer_class = serializers.PoliceStationSerializer
    filterset_class = filtersets.PoliceStationFilterSet
    ordering_fields = ["name"]


class SchoolViewSet(ScopedModelViewSet):
    # district, police_station: their names; gates: the nested list.
    queryset = School.objects.select_related("district", "police_station").prefetch_related("gates")
    serializer_class = serializers.SchoolSerializer
    filterset_class = filtersets.SchoolFilterSet
    ordering_fields = ["name", "code", "enrolment", "school_type"]


class GateViewSet(ScopedModelViewSet):
    queryset = Gate.objects.all()
    serializer_class = serializers.GateSerializer
    filterset_class = filtersets.GateFilterSet
    ordering_fields = ["name", "kind"]


class TermViewSet(ScopedModelViewSet):
    queryset = Term.objects.all()
    serializer_class = serializers.TermSerializer
    filterset_class = filtersets.TermFilterSet
    ordering_fields = ["start_date", "end_date"]


class CalendarExceptionViewSet(ScopedModelViewSet):
    queryset = CalendarException.objects.all()
    serializer_class = serializers.CalendarExceptionSerializer
    filterset_class = filtersets.CalendarExceptionFilterSet
    ordering_fields = ["date"]


@extend_schema(
    parameters=[
        OpenApiParameter("start", OpenApiTypes.DATE, required=True),
        OpenApiParameter("end", OpenApiTypes.DATE, required=True),
    ]
)
class SchoolDaysView(ScopedViewSetMixin, generics.ListAPIView):
    """The school days of each school in scope over a date range, a page of schools at a time."""

    queryset = School.objects.all()
    serializer_class = serializers.SchoolDaysSerializer
    filterset_class = filtersets.SchoolSelectionFilterSet
    ordering = ["pk"]

    def list(self, request, *args, **kwargs):
        query = serializers.SchoolDaysQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.date_range = (query.validated_data["start"], query.validated_data["end"])
        return super().list(request, *args, **kwargs)

    def get_serializer(self, *args, **kwargs):
        if args:
            schools = list(args[0])
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["school_days"] = school_days(schools, *self.date_range)
            args = (schools, *args[1:])
        return super().get_serializer(*args, **kwargs)
