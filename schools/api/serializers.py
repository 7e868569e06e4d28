from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.scope import BUREAU, CHANGE
from campussafety.api.serializers import DateField, ScopedModelSerializer
from schools.models import CalendarException, City, District, Gate, PoliceStation, School, Term


class CitySerializer(ScopedModelSerializer):
    class Meta:
        model = City
        fields = ["id", "name", "code", "created", "updated"]


class DistrictSerializer(ScopedModelSerializer):
    city_name = serializers.CharField(source="city.name", read_only=True)

    class Meta:
        model = District
        fields = ["id", "city", "city_name", "name", "code", "created", "updated"]


class PoliceStationSerializer(ScopedModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = PoliceStation
        fields = [
            "id",
            "district",
            "district_name",
            "name",
            "address",
            "duty_phone",
            "created",
            "updated",
        ]


class NestedGateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Gate
        fields = ["id", "name", "kind", "description", "latitude", "longitude"]


class SchoolSerializer(ScopedModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    city = serializers.IntegerField(source="district.city_id", read_only=True)
    police_station_name = serializers.CharField(source="police_station.name", read_only=True)
    gates = NestedGateSerializer(many=True, read_only=True)

    class Meta:
        model = School
        fields = [
            "id",
            "name",
            "code",
            "school_type",
            "city",
            "district",
            "district_name",
            "police_station",
            "police_station_name",
            "address",
            "latitude",
            "longitude",
            "enrolment",
            "staff_count",
            "is_boarding",
            "runs_buses",
            "has_police_room",
            "has_protection_booth",
            "legal_vice_president",
            "legal_vice_president_unit",
            "gates",
            "created",
            "updated",
        ]

    def validate(self, attrs):
        if self.instance is not None and not self.scope.contains(
            self.instance, CHANGE, roles=BUREAU
        ):
            # A principal edits their school's details, not where it sits in
            # the organisation: that is the bureau's.
            errors = {
                field: _("Only education bureau staff may change this.")
                for field in School.bureau_only_fields
                if field in attrs and attrs[field] != getattr(self.instance, field)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().validate(attrs)


class GateSerializer(ScopedModelSerializer):
    class Meta:
        model = Gate
        fields = [
            "id",
            "school",
            "name",
            "kind",
            "description",
            "latitude",
            "longitude",
            "created",
            "updated",
        ]


class TermSerializer(ScopedModelSerializer):
    class Meta:
        model = Term
        fields = [
            "id",
            "city",
            "district",
            "name",
            "audience",
            "start_date",
            "end_date",
            "created",
            "updated",
        ]


class CalendarExceptionSerializer(ScopedModelSerializer):
    class Meta:
        model = CalendarException
        fields = [
            "id",
            "city",
            "district",
            "school",
            "date",
            "kind",
            "follows_weekday",
            "reason",
            "created",
            "updated",
        ]


class SchoolDaysQuerySerializer(serializers.Serializer):
    start = DateField(help_text=_("First day of the range."))
    end = DateField(help_text=_("Last day of the range (at most 366 days)."))

    def validate(self, attrs):
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": _("The end is before the start.")})
        if (attrs["end"] - attrs["start"]).days > 365:
            raise serializers.ValidationError({"end": _("Ask for at most 366 days at a time.")})
        return attrs


class SchoolDaysSerializer(serializers.ModelSerializer):
    school = serializers.IntegerField(source="pk", read_only=True)
    days = serializers.SerializerMethodField()
    count = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = ["school", "name", "code", "count", "days"]

    def get_days(self, school) -> list[str]:
        return [day.isoformat() for day in self.context["school_days"].get(school.pk, ())]

    def get_count(self, school) -> int:
        return len(self.context["school_days"].get(school.pk, ()))
