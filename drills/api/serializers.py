"""Serializers of the drills API: requirements and their overrides, drills, class headcounts."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.scope import VIEW
from campussafety.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from drills.choices import DrillStatus
from drills.models import ClassHeadcount, Drill, DrillRequirement
from drills.requirements import check_override
from drills.services import EVALUATION_FIELDS
from schools.api.obligations import RateQuerySerializer, WindowQuerySerializer
from schools.models import ObligationOverride

# A class is at most this big; a larger count is a typing error.
MAX_CLASS_SIZE = 200


class DrillRequirementSerializer(ScopedModelSerializer):
    """A requirement with its obligation's terms; city staff change which drills count."""

    code = serializers.CharField(source="obligation.code", read_only=True)
    name = serializers.CharField(source="obligation.name", read_only=True)
    city = serializers.IntegerField(source="obligation.city_id", read_only=True)
    basis = serializers.CharField(source="obligation.basis", read_only=True)
    required_count = serializers.IntegerField(source="obligation.required_count", read_only=True)
    school_types = serializers.JSONField(source="obligation.school_types", read_only=True)
    boarding = serializers.CharField(source="obligation.boarding", read_only=True)
    buses_only = serializers.BooleanField(source="obligation.buses_only", read_only=True)
    source = serializers.CharField(source="obligation.source", read_only=True)

    class Meta:
        model = DrillRequirement
        fields = [
            "id",
            "obligation",
            "code",
            "name",
            "city",
            "basis",
            "required_count",
            "school_types",
            "boarding",
            "buses_only",
            "source",
            "drill_types",
            "at_night",
        ]
        read_only_fields = ["obligation"]


class RequirementOverrideSerializer(ScopedModelSerializer):
    """A district's or a school's change to a drill requirement (on or off, count, grace)."""

    class Meta:
        model = ObligationOverride
        fields = [
            "id",
            "rule",
            "district",
            "school",
            "applies",
            "required_count",
            "grace",
            "reason",
        ]
        # Once per district or school: drills.requirements.check_override says so, in the
        # words the page's form uses, instead of DRF's generic unique-together message.
        validators = []

    def check_instance(self, instance):
        check_override(instance)


class DrillSerializer(ScopedModelSerializer):
    """A drill: its plan is written here; what happens next goes through the actions."""

    met_target = serializers.BooleanField(read_only=True, allow_null=True)
    police_minutes = serializers.FloatField(read_only=True, allow_null=True)
    target_seconds = serializers.IntegerField(min_value=10, max_value=3600, required=False)

    class Meta:
        model = Drill
        fields = [
            "id",
            "school",
            "drill_type",
            "status",
            "planned_at",
            "commander",
            "scenario",
            "announced",
            "target_seconds",
            "started_at",
            "all_clear_at",
            "evacuation_seconds",
            "met_target",
            *EVALUATION_FIELDS,
            "police_minutes",
            "problems_found",
            "prenotified_at",
            "prenotice_acknowledged_at",
            "signed_off_by",
            "signed_off_at",
        ]
        read_only_fields = [
            "status",
            "started_at",
            "all_clear_at",
            "evacuation_seconds",
            *EVALUATION_FIELDS,
            "problems_found",
            "prenotified_at",
            "prenotice_acknowledged_at",
            "signed_off_by",
            "signed_off_at",
        ]

    def validate(self, attrs):
        if self.instance is not None and self.instance.status != DrillStatus.PLANNED:
            raise serializers.ValidationError(
                _("Only a planned drill's plan can be changed; record the rest in its evaluation.")
            )
        moved = self.instance is not None and "school" in attrs
        if moved and attrs["school"].pk != self.instance.school_id:
            raise serializers.ValidationError({"school": _("A drill stays at its school.")})
        return super().validate(attrs)


class EvaluationSerializer(serializers.ModelSerializer):
    """What happened and the evaluation, after the all clear (services.evaluate checks the rest)."""

    class Meta:
        model = Drill
        fields = list(EVALUATION_FIELDS)


class ProblemsSerializer(serializers.Serializer):
    problems = serializers.CharField(allow_blank=True, max_length=4000)


class HazardRequestSerializer(serializers.Serializer):
    problem = serializers.IntegerField(min_value=1, help_text=_("The problem's line, from 1."))


class ClassHeadcountSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClassHeadcount
        fields = [
            "id",
            "drill",
            "class_name",
            "teacher_name",
            "expected",
            "arrived",
            "missing",
            "reported_at",
            "report_id",
        ]


class HeadcountReportSerializer(serializers.Serializer):
    """A class teacher's report through the shared link (no account)."""

    class_name = serializers.CharField(max_length=50)
    teacher_name = serializers.CharField(max_length=50)
    expected = serializers.IntegerField(min_value=0, max_value=MAX_CLASS_SIZE)
    arrived = serializers.IntegerField(min_value=0, max_value=MAX_CLASS_SIZE)
    report_id = serializers.UUIDField(
        help_text=_("Made by the phone; the same report sent again changes nothing.")
    )


class LiveSerializer(serializers.Serializer):
    """What the commander's screen polls: the stopwatch and the class reports."""

    status = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    all_clear_at = serializers.DateTimeField(allow_null=True)
    evacuation_seconds = serializers.IntegerField(allow_null=True)
    target_seconds = serializers.IntegerField()
    totals = serializers.DictField(child=serializers.IntegerField())
    headcounts = ClassHeadcountSerializer(many=True)


class RequirementChoice(serializers.Serializer):
    """Limit a report to one requirement the user sees."""

    requirement = ScopedPrimaryKeyRelatedField(
        queryset=DrillRequirement.objects.select_related("obligation"),
        action=VIEW,
        required=False,
    )


class DrillRateQuerySerializer(RequirementChoice, RateQuerySerializer):
    pass


class DrillWindowQuerySerializer(RequirementChoice, WindowQuerySerializer):
    pass
