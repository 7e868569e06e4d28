"""One FilterSet per model, shared by the API and the HTML lists (added with them)."""

import django_filters

from inspections.models import ChecklistTemplate, Checkpoint, InspectionRule, Round


class ChecklistTemplateFilter(django_filters.FilterSet):
    class Meta:
        model = ChecklistTemplate
        fields = ["city", "is_scored", "is_active"]


class CheckpointFilter(django_filters.FilterSet):
    class Meta:
        model = Checkpoint
        fields = ["school", "kind", "is_active"]


class InspectionRuleFilter(django_filters.FilterSet):
    basis = django_filters.CharFilter(field_name="obligation__basis")

    class Meta:
        model = InspectionRule
        fields = ["template"]


class RoundFilter(django_filters.FilterSet):
    class Meta:
        model = Round
        fields = ["school", "rule", "status", "inspector"]
