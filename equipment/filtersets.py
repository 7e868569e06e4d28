"""One FilterSet per model, shared by the API and the HTML lists (added with them)."""

import django_filters

from equipment.models import (
    EquipmentType,
    Item,
    KitLine,
    KitStandard,
    Location,
    Movement,
    StockBalance,
)


class EquipmentTypeFilter(django_filters.FilterSet):
    class Meta:
        model = EquipmentType
        fields = ["city", "category", "is_serialised", "is_active"]


class KitStandardFilter(django_filters.FilterSet):
    class Meta:
        model = KitStandard
        fields = ["city", "district", "is_active"]


class KitLineFilter(django_filters.FilterSet):
    class Meta:
        model = KitLine
        fields = ["standard", "equipment_type", "location_kind"]


class LocationFilter(django_filters.FilterSet):
    class Meta:
        model = Location
        fields = ["school", "kind", "gate", "is_active"]


class ItemFilter(django_filters.FilterSet):
    service_due_by = django_filters.DateFilter(field_name="service_due_on", lookup_expr="lte")
    scrap_by = django_filters.DateFilter(field_name="scrap_on", lookup_expr="lte")

    class Meta:
        model = Item
        fields = ["school", "equipment_type", "location", "status"]


class MovementFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="happened_at", lookup_expr="gte")

    class Meta:
        model = Movement
        fields = ["school", "kind", "equipment_type", "item", "location"]


class StockBalanceFilter(django_filters.FilterSet):
    class Meta:
        model = StockBalance
        fields = ["school", "location", "equipment_type"]
