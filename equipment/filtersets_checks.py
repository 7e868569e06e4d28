"""FilterSets of the checks records (service records, alarm tests, video checks, kit handovers)."""

import django_filters

from equipment.models import AlarmTest, KitConfirmation, KitShortage, ServiceRecord, VideoCheck


class ServiceRecordFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(field_name="serviced_on", lookup_expr="gte")

    class Meta:
        model = ServiceRecord
        fields = ["school", "items"]


class AlarmTestFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="pressed_at", lookup_expr="gte")

    class Meta:
        model = AlarmTest
        fields = ["school", "gate"]


class VideoCheckFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="checked_at", lookup_expr="gte")
    flagged = django_filters.BooleanFilter(method="filter_flagged")

    class Meta:
        model = VideoCheck
        fields = ["school"]

    def filter_flagged(self, queryset, name, value):
        flagged = queryset.flagged()
        return flagged if value else queryset.exclude(pk__in=flagged.values("pk"))


class KitConfirmationFilter(django_filters.FilterSet):
    class Meta:
        model = KitConfirmation
        fields = ["school", "location", "is_complete"]


class KitShortageFilter(django_filters.FilterSet):
    is_open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull")

    class Meta:
        model = KitShortage
        fields = ["school", "location", "equipment_type"]
