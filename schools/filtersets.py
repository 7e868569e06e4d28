"""FilterSets shared by the API and the HTML lists; dropdowns list only what the user may see."""

import django_filters
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from campussafety.filters import BooleanFilter, DateFilter, FilterSet
from campussafety.forms import SearchSelect
from schools.choices import ExceptionKind, SchoolType, TermAudience
from schools.models import CalendarException, City, District, Gate, PoliceStation, School, Term


def scoped(model):
    """A queryset callable for a filter's choices: the rows the requesting user may see."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.for_user(request.user)

    return queryset


class SchoolChoiceFilter(django_filters.ModelChoiceFilter):
    """One school among those the user sees, chosen by type-ahead search: every list's
    school filter, so no page lists every school in scope (campussafety.forms.SearchSelect)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", scoped(School))
        kwargs.setdefault("label", _("School"))
        kwargs.setdefault("widget", SearchSelect(search_url=reverse_lazy("schools:search")))
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class DistrictChoiceFilter(django_filters.ModelChoiceFilter):
    """One district among those the user sees: the district filter of every bureau list
    (`field_name` the path from the list's rows to their district)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", scoped(District))
        kwargs.setdefault("label", _("District"))
        super().__init__(*args, **kwargs)


class DistrictFilterSet(FilterSet):
    city = django_filters.ModelChoiceFilter(queryset=scoped(City), label=_("City"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = District
        fields = ["city", "code"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class PoliceStationFilterSet(FilterSet):
    district = DistrictChoiceFilter()
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = PoliceStation
        fields = ["district"]


class SchoolFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    district = DistrictChoiceFilter()
    police_station = django_filters.ModelChoiceFilter(
        queryset=scoped(PoliceStation), label=_("Police station")
    )
    school_type = django_filters.ChoiceFilter(choices=SchoolType.choices, label=_("Type"))
    is_boarding = BooleanFilter(label=_("Boarding school"))
    has_police_room = BooleanFilter(label=_("Campus police room"))
    has_protection_booth = BooleanFilter(label=_("Protection booth"))

    class Meta:
        model = School
        fields = [
            "q",
            "district",
            "police_station",
            "school_type",
            "is_boarding",
            "has_police_room",
            "has_protection_booth",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__startswith=value) | Q(address__icontains=value)
        )


@extend_schema_field(OpenApiTypes.INT)
class SchoolIdFilter(SchoolChoiceFilter):
    """A school by its id (the schema cannot guess the type of a filter on `pk`)."""


class SchoolSelectionFilterSet(SchoolFilterSet):
    """The schools a report covers (coverage, missed days, school days): one of them by `school`.

    A school that is not in the user's scope, or no school at all, is an error
    rather than a silent report over every school.
    """

    school = SchoolIdFilter(method="filter_school")

    class Meta(SchoolFilterSet.Meta):
        fields = ["school", *SchoolFilterSet.Meta.fields]

    def filter_school(self, queryset, name, value):
        return queryset.filter(pk=value.pk)


class GateFilterSet(FilterSet):
    school = SchoolChoiceFilter()

    class Meta:
        model = Gate
        fields = ["school", "kind"]


class TermFilterSet(FilterSet):
    city = django_filters.ModelChoiceFilter(queryset=scoped(City), label=_("City"))
    district = DistrictChoiceFilter()
    audience = django_filters.ChoiceFilter(choices=TermAudience.choices, label=_("Applies to"))
    active_on = DateFilter(method="filter_active_on", label=_("In term on"))

    class Meta:
        model = Term
        fields = ["city", "district", "audience", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_date__lte=value, end_date__gte=value)


class CalendarExceptionFilterSet(FilterSet):
    city = django_filters.ModelChoiceFilter(queryset=scoped(City), label=_("City"))
    district = DistrictChoiceFilter()
    school = SchoolChoiceFilter()
    kind = django_filters.ChoiceFilter(choices=ExceptionKind.choices, label=_("Kind"))
    date_after = DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_before = DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = CalendarException
        fields = ["city", "district", "school", "kind", "date_after", "date_before"]
