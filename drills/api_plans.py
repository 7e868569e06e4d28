"""The API of emergency plans and training sessions (the drills themselves: drills/api/).

- `emergency-plans/`: every version, filterable by school, type and `current`;
  POST (multipart, with the document) uploads the next version of the
  school's plan of that type; versions are never edited (a correction is
  the next version), school staff may delete one filed by mistake.
- `training-sessions/`: sessions with their attendees (post members and the
  school's users, by id); `?member=` is a member's training history.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from campussafety.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from campussafety.api.viewsets import ScopedModelViewSet
from drills import plans
from drills.filtersets import EmergencyPlanFilter, TrainingSessionFilter
from drills.models import EmergencyPlan, TrainingSession
from drills.models_training import attendee_members


class PlanFilter(EmergencyPlanFilter):
    current = django_filters.BooleanFilter(method="filter_current", label=_("current version"))

    class Meta(EmergencyPlanFilter.Meta):
        pass

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = plans.current_plans(EmergencyPlan.objects.all()).values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class SessionFilter(TrainingSessionFilter):
    member = django_filters.NumberFilter(field_name="attendees__member", distinct=True)

    class Meta(TrainingSessionFilter.Meta):
        pass


class EmergencyPlanSerializer(ScopedModelSerializer):
    class Meta:
        model = EmergencyPlan
        fields = [
            "id",
            "school",
            "plan_type",
            "version",
            "title",
            "document",
            "approved_on",
            "revision_due",
            "uploaded_by",
            "created",
        ]
        read_only_fields = ["version", "uploaded_by", "created"]

    def create(self, validated_data):
        return plans.upload_plan(self.context["request"].user, EmergencyPlan(**validated_data))


@extend_schema_field(OpenApiTypes.INT)
class SchoolUserField(serializers.PrimaryKeyRelatedField):
    """A user holding a role at some school (which school: checked against the session)."""

    def get_queryset(self):
        return get_user_model().objects.filter(role_assignments__school__isnull=False).distinct()


class TrainingSessionSerializer(ScopedModelSerializer):
    members = ScopedPrimaryKeyRelatedField(
        queryset=attendee_members().all(), many=True, required=False
    )
    users = SchoolUserField(many=True, required=False)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "school",
            "audience",
            "held_on",
            "topic",
            "trainer",
            "attendees_count",
            "hours",
            "members",
            "users",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        attendees = list(instance.attendees.all())
        data["members"] = [a.member_id for a in attendees if a.member_id]
        data["users"] = [a.user_id for a in attendees if a.user_id]
        return data

    def validate(self, attrs):
        members, users = attrs.pop("members", None), attrs.pop("users", None)
        attrs = super().validate(attrs)
        school = attrs.get("school") or (self.instance and self.instance.school)
        if users:
            staff = set(
                get_user_model()
                .objects.filter(role_assignments__school=school, pk__in=[u.pk for u in users])
                .values_list("pk", flat=True)
            )
            if any(user.pk not in staff for user in users):
                raise serializers.ValidationError(
                    {"users": _("Name only users who work at the session's school.")}
                )
        attrs["members"], attrs["users"] = members, users
        return attrs

    def save_session(self, session, validated_data):
        members, users = validated_data.pop("members"), validated_data.pop("users")
        for name, value in validated_data.items():
            setattr(session, name, value)
        return plans.save_training(self.context["request"].user, session, members, users)

    def create(self, validated_data):
        return self.save_session(TrainingSession(), validated_data)

    def update(self, instance, validated_data):
        return self.save_session(instance, validated_data)


class EmergencyPlanViewSet(ScopedModelViewSet):
    """Versions of emergency plans; POST uploads the next version (multipart, with the file)."""

    queryset = EmergencyPlan.objects.select_related("school")
    serializer_class = EmergencyPlanSerializer
    filterset_class = PlanFilter
    ordering_fields = ["version", "revision_due", "created"]
    # A filed version stays as it was: a correction is a new version.
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().order_by("school_id", "plan_type", "-version")


class TrainingSessionViewSet(ScopedModelViewSet):
    # attendees: the members and users of each session, in one query.
    queryset = TrainingSession.objects.prefetch_related("attendees")
    serializer_class = TrainingSessionSerializer
    filterset_class = SessionFilter
    ordering_fields = ["held_on"]
    read_back_after_write = True


router = SimpleRouter()
router.register("emergency-plans", EmergencyPlanViewSet)
router.register("training-sessions", TrainingSessionViewSet)
urlpatterns = router.urls
