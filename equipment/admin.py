"""Admin for the catalogue, standards and places; the ledger is read-only here.

Stock changes only through equipment/services.py, which keeps the balances
in step with the movements, so the admin shows movements, items and balances
without letting anyone edit them.
"""

from django.contrib import admin

from equipment.models import (
    EquipmentType,
    Item,
    KitLine,
    KitStandard,
    Location,
    Movement,
    StockBalance,
)
from equipment.services import refresh_due_dates_of_type
from schools.admin import ScopedAdmin

# Changing one of these moves the due dates of every piece of the type.
RULE_FIELDS = {"check_interval_days", "first_service_years", "service_every_years", "scrap_years"}


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KitLineInline(admin.TabularInline):
    model = KitLine
    extra = 0
    raw_id_fields = ["equipment_type"]


@admin.register(EquipmentType)
class EquipmentTypeAdmin(ScopedAdmin):
    list_display = [
        "name",
        "code",
        "category",
        "city",
        "first_service_years",
        "service_every_years",
        "scrap_years",
    ]
    list_filter = ["category", "is_serialised", "is_active"]
    search_fields = ["name", "code", "source"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and RULE_FIELDS & set(form.changed_data):
            refresh_due_dates_of_type(obj)


@admin.register(KitStandard)
class KitStandardAdmin(ScopedAdmin):
    list_display = ["name", "city", "district", "is_active"]
    list_select_related = ["city", "district"]
    inlines = [KitLineInline]


@admin.register(Location)
class LocationAdmin(ScopedAdmin):
    list_display = ["name", "school", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "school__name"]
    list_select_related = ["school"]
    raw_id_fields = ["school", "gate"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "school", "location", "status", "service_due_on", "scrap_on"]
    list_filter = ["status", "equipment_type__category"]
    search_fields = ["asset_tag", "serial_number"]
    list_select_related = ["school", "location", "equipment_type"]


@admin.register(Movement)
class MovementAdmin(ReadOnlyAdmin):
    list_display = ["happened_at", "kind", "equipment_type", "quantity", "location", "school"]
    list_filter = ["kind"]
    list_select_related = ["school", "location", "equipment_type"]


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["location", "equipment_type", "held", "faulty"]
    list_select_related = ["location", "equipment_type"]
