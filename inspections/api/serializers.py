"""Serializers of the inspections API: checklists, checkpoints, rules, rounds and obligations."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.choices import Role
from accounts.scope import VIEW, Scope
from campussafety.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from campussafety.dates import date_range_errors
from inspections import services
from inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Checkpoint,
    Finding,
    InspectionRule,
    Round,
    Scan,
)
from schools.models import School
from schools.obligation_rates import ORDERINGS

# A window list is a fine-grained thing (five a day per school): a month at most.
MAX_WINDOW_DAYS = 31
MAX_RATE_DAYS = 366


class CheckpointSerializer(ScopedModelSerializer):
    class Meta:
        model = Checkpoint
        fields = [
            "id",
            "school",
            "name",
            "kind",
            "gate",
            "description",
            "position",
            "is_active",
            "latitude",
            "longitude",
        ]


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "position",
            "text",
            "answer_type",
            "min_value",
            "max_value",
            "unit",
            "correctable_on_spot",
            "hazard_category",
            "hazard_level",
            "checkpoint_kinds",
            "points",
            "source",
        ]


class ChecklistTemplateSerializer(ScopedModelSerializer):
    current_version = serializers.IntegerField(source="current_number", read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = [
            "id",
            "city",
            "code",
            "name",
            "description",
            "is_scored",
            "source",
            "is_active",
            "current_version",
        ]


class InspectionRuleSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="obligation.code")
    name = serializers.CharField(source="obligation.name")
    basis = serializers.CharField(source="obligation.basis")

    class Meta:
        model = InspectionRule
        fields = ["id", "code", "name", "basis", "template", "obligation", "checkpoint_kinds"]


class ScanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scan
        fields = ["checkpoint", "scanned_at"]


class AnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Answer
        fields = [
            "id",
            "checkpoint",
            "item",
            "passed",
            "number",
            "text",
            "corrected_on_spot",
            "photo",
            "photo_sha256",
            "photo_taken_at",
            "photo_flags",
            "answered_at",
        ]


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id",
            "answer",
            "place",
            "description",
            "hazard_category",
            "hazard_level",
            "found_at",
            "status",
        ]


class RoundSchoolField(ScopedPrimaryKeyRelatedField):
    """The schools a round may be started at: those of the user's round-running grants.

    A guard sees no School rows (their access is the checkpoints and their own
    rounds), but their grant names the school they guard.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset
        guarded = [g.school_id for g in Scope.of(request.user).grants if g.role == Role.GUARD]
        return queryset | School.objects.filter(pk__in=guarded)


class RoundSerializer(ScopedModelSerializer):
    """A round; creating one starts it (the server stamps the time and the checklist version)."""

    school = RoundSchoolField(queryset=School.objects.all())

    scans = ScanSerializer(many=True, read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "school",
            "rule",
            "version",
            "inspector",
            "started_at",
            "finished_at",
            "status",
            "skipped",
            "scans",
            "answers",
            "findings",
        ]
        read_only_fields = [
            "version",
            "inspector",
            "started_at",
            "finished_at",
            "status",
            "skipped",
        ]

    def validate(self, attrs):
        if attrs["rule"].pk not in {rule.pk for rule in services.rules_at(attrs["school"])}:
            raise serializers.ValidationError(
                {"rule": _("This rule does not apply to the school.")}
            )
        return attrs

    def create(self, validated_data):
        return services.start_round(
            self.context["request"].user, validated_data["school"], validated_data["rule"]
        )


class CheckpointChoiceSerializer(serializers.Serializer):
    # Named as a detail route would name it: one the user cannot see is missing.
    checkpoint = ScopedPrimaryKeyRelatedField(queryset=Checkpoint.objects.all(), action=VIEW)


class AnswerInputSerializer(serializers.Serializer):
    checkpoint = ScopedPrimaryKeyRelatedField(
        queryset=Checkpoint.objects.all(), action=VIEW, required=False, allow_null=True
    )
    item = serializers.IntegerField()
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    number = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, allow_null=True
    )
    text = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    photo = serializers.ImageField(required=False, allow_null=True)
    corrected_on_spot = serializers.BooleanField(default=False)

    def validate_photo(self, value):
        # The same limits as the model field's (size, format, pixels).
        if value:
            for validator in Answer._meta.get_field("photo").validators:
                validator(value)
        return value


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
    group_by = serializers.ChoiceField(
        choices=["school", "district", "city", "day"], default="school"
    )
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
