"""One FilterSet per model, shared by the API and the HTML lists (added with them)."""

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.choices import OPEN_STATES, HazardCategory, HazardLevel, HazardState
from inspections.models import ChecklistTemplate, Checkpoint, Hazard, InspectionRule, Round
from inspections.models_hazards import overdue_condition


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


class HazardFilter(django_filters.FilterSet):
    """The ledger's filters, shared by the API and the ledger pages."""

    state = django_filters.MultipleChoiceFilter(choices=HazardState.choices)
    level = django_filters.MultipleChoiceFilter(choices=HazardLevel.choices)
    category = django_filters.MultipleChoiceFilter(choices=HazardCategory.choices)
    district = django_filters.NumberFilter(field_name="school__district")
    city = django_filters.NumberFilter(field_name="school__district__city")
    open = django_filters.BooleanFilter(method="filter_open", label=_("open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    recurrence = django_filters.BooleanFilter(
        field_name="recurrence_of", lookup_expr="isnull", exclude=True, label=_("recurrence")
    )
    # Age: days since the hazard was found.
    min_age = django_filters.NumberFilter(method="filter_min_age", label=_("at least days old"))
    max_age = django_filters.NumberFilter(method="filter_max_age", label=_("at most days old"))

    class Meta:
        model = Hazard
        fields = ["school", "year", "supervised", "checkpoint", "origin"]

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.exclude(state__in=OPEN_STATES)

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_condition(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def _found_before(self, days):
        return timezone.now() - datetime.timedelta(days=days)

    def filter_min_age(self, queryset, name, value):
        return queryset.filter(found_at__lte=self._found_before(min(int(value), 36500)))

    def filter_max_age(self, queryset, name, value):
        return queryset.filter(found_at__gte=self._found_before(min(int(value), 36500)))
