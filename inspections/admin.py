"""Admin for checklists, checkpoints and inspection rules, restricted through for_user."""

from django.contrib import admin

from inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Checkpoint,
    HazardRules,
    InspectionRule,
)
from schools.admin import ScopedAdmin


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ScopedAdmin):
    list_display = ["name", "code", "city", "is_scored", "is_active"]
    list_filter = ["is_scored", "is_active", "city"]
    search_fields = ["name", "code", "source"]


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(ScopedAdmin):
    list_display = ["template", "number", "note", "created"]
    list_select_related = ["template"]
    inlines = [ChecklistItemInline]


@admin.register(Checkpoint)
class CheckpointAdmin(ScopedAdmin):
    list_display = ["name", "school", "kind", "position", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "school__name"]
    list_select_related = ["school"]
    raw_id_fields = ["school", "gate"]


@admin.register(InspectionRule)
class InspectionRuleAdmin(ScopedAdmin):
    list_display = ["obligation", "template"]
    list_select_related = ["obligation", "template"]


@admin.register(HazardRules)
class HazardRulesAdmin(ScopedAdmin):
    """Each city's ledger settings. Hazards themselves change only through their
    lifecycle (inspections/hazards.py), so they have no admin page."""

    list_display = ["__str__", "general_days", "serious_days", "major_days", "recurrence_days"]
    list_select_related = ["city"]
