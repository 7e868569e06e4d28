"""One FilterSet per model, shared by the API and the HTML lists (added with them)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from campussafety.filters import BooleanFilter, FilterSet
from drills.models import ClassHeadcount, Drill, DrillRequirement, EmergencyPlan, TrainingSession
from drills.requirements import terms_at
from schools.choices import PERIOD_BASES
from schools.filtersets import DistrictChoiceFilter, SchoolIdFilter
from schools.models import ObligationOverride


class DrillRequirementFilter(FilterSet):
    """`school`: the requirements that apply there, after the city's replacements and the
    overrides; the page shows each one's effective terms there (`terms`)."""

    school = SchoolIdFilter(method="filter_school", label=_("Applies at"))
    basis = django_filters.ChoiceFilter(
        field_name="obligation__basis",
        choices=[(basis.value, basis.label) for basis in PERIOD_BASES],
        label=_("Recurs"),
    )
    at_night = BooleanFilter(label=_("At night"))

    class Meta:
        model = DrillRequirement
        fields = ["school", "basis", "at_night"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.terms = None

    def filter_school(self, queryset, name, school):
        self.terms = terms_at(school)
        return queryset.filter(obligation_id__in=self.terms)


class RequirementOverrideFilter(FilterSet):
    """A drill requirement's overrides: one district's, or one school's."""

    district = DistrictChoiceFilter()
    school = SchoolIdFilter()

    class Meta:
        model = ObligationOverride
        fields = ["rule", "district", "school"]


class RequirementOverridePageFilter(RequirementOverrideFilter):
    """The same filters on a requirement's page, which names the rule itself."""

    class Meta(RequirementOverrideFilter.Meta):
        fields = ["district", "school"]


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
