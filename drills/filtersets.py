"""One FilterSet per model, shared by the API and the HTML lists (added with them)."""

import django_filters

from drills.models import ClassHeadcount, Drill, DrillRequirement, EmergencyPlan, TrainingSession


class DrillRequirementFilter(django_filters.FilterSet):
    basis = django_filters.CharFilter(field_name="obligation__basis")

    class Meta:
        model = DrillRequirement
        fields = ["at_night"]


class EmergencyPlanFilter(django_filters.FilterSet):
    revision_due_before = django_filters.DateFilter(field_name="revision_due", lookup_expr="lt")

    class Meta:
        model = EmergencyPlan
        fields = ["school", "plan_type"]


class DrillFilter(django_filters.FilterSet):
    planned_after = django_filters.IsoDateTimeFilter(field_name="planned_at", lookup_expr="gte")
    planned_before = django_filters.IsoDateTimeFilter(field_name="planned_at", lookup_expr="lt")

    class Meta:
        model = Drill
        fields = ["school", "drill_type", "status", "plan_must_be_revised"]


class ClassHeadcountFilter(django_filters.FilterSet):
    class Meta:
        model = ClassHeadcount
        fields = ["drill"]


class TrainingSessionFilter(django_filters.FilterSet):
    class Meta:
        model = TrainingSession
        fields = ["school", "audience"]
