"""FilterSets for posts, shared by the API and the HTML lists."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campussafety.filters import BooleanFilter, DateFilter, FilterSet
from posts.choices import MemberKind, Period, VerificationStatus
from posts.models import DutyLog, Member, MemberAssignment, Post, PostPeriod, RosterRule, Shift
from schools.filtersets import DistrictChoiceFilter, SchoolChoiceFilter, scoped


class MemberFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    school = SchoolChoiceFilter(field_name="assignments__school", method="filter_school")
    district = DistrictChoiceFilter(method="filter_district")
    kind = django_filters.ChoiceFilter(choices=MemberKind.choices, label=_("Kind"))
    verification_status = django_filters.ChoiceFilter(
        choices=VerificationStatus.choices, label=_("Verification")
    )
    is_active = BooleanFilter(label=_("Active"))

    class Meta:
        model = Member
        fields = ["q", "school", "district", "kind", "verification_status", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(badge_number__icontains=value)
            | Q(unit_name__icontains=value)
            | Q(police_number=value)
        )

    def filter_school(self, queryset, name, value):
        return queryset.filter(
            pk__in=MemberAssignment.objects.filter(school=value).values("member_id")
        )

    def filter_district(self, queryset, name, value):
        return queryset.filter(
            pk__in=MemberAssignment.objects.filter(school__district=value).values("member_id")
        )


class MemberAssignmentFilterSet(FilterSet):
    school = SchoolChoiceFilter()
    member = django_filters.ModelChoiceFilter(queryset=scoped(Member), label=_("Member"))

    class Meta:
        model = MemberAssignment
        fields = ["school", "member"]


class PostFilterSet(FilterSet):
    school = SchoolChoiceFilter()
    district = DistrictChoiceFilter(field_name="school__district")

    class Meta:
        model = Post
        fields = ["school", "district", "is_active"]


class PostPeriodFilterSet(FilterSet):
    post = django_filters.ModelChoiceFilter(queryset=scoped(Post), label=_("Post"))
    school = SchoolChoiceFilter(field_name="post__school")

    class Meta:
        model = PostPeriod
        fields = ["post", "school", "period"]


class RosterRuleFilterSet(FilterSet):
    post_period = django_filters.ModelChoiceFilter(
        queryset=scoped(PostPeriod), label=_("Post period")
    )
    school = SchoolChoiceFilter(field_name="post_period__post__school")
    member = django_filters.ModelChoiceFilter(queryset=scoped(Member), label=_("Member"))

    class Meta:
        model = RosterRule
        fields = ["post_period", "school", "member", "weekday"]


class ShiftFilterSet(FilterSet):
    school = SchoolChoiceFilter()
    post = django_filters.ModelChoiceFilter(
        queryset=scoped(Post), field_name="post_period__post", label=_("Post")
    )
    member = django_filters.ModelChoiceFilter(queryset=scoped(Member), label=_("Member"))
    date_after = DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_before = DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    period = django_filters.ChoiceFilter(
        choices=Period.choices, field_name="post_period__period", label=_("Period")
    )

    class Meta:
        model = Shift
        fields = ["school", "post", "member", "date", "date_after", "date_before", "is_cancelled"]


class DutyLogFilterSet(FilterSet):
    school = SchoolChoiceFilter()
    district = DistrictChoiceFilter(field_name="school__district")
    date_after = DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_before = DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    period = django_filters.ChoiceFilter(choices=Period.choices, label=_("Period"))
    understaffed = BooleanFilter(method="filter_understaffed", label=_("Understaffed"))
    countersigned = BooleanFilter(
        field_name="countersigned_at", lookup_expr="isnull", exclude=True, label=_("Countersigned")
    )

    class Meta:
        model = DutyLog
        fields = ["school", "district", "date", "date_after", "date_before", "period"]

    def filter_understaffed(self, queryset, name, value):
        failed = Q(meets_staffing=False) | Q(meets_qualified_share=False)
        return queryset.filter(failed) if value else queryset.exclude(failed)
