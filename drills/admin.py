"""Admin for drill requirements, plans, drills and training, restricted through for_user."""

from django.contrib import admin

from drills.models import ClassHeadcount, Drill, DrillRequirement, EmergencyPlan, TrainingSession
from schools.admin import ScopedAdmin


@admin.register(DrillRequirement)
class DrillRequirementAdmin(ScopedAdmin):
    list_display = ["obligation", "drill_types", "at_night"]
    list_select_related = ["obligation"]


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(ScopedAdmin):
    list_display = ["school", "plan_type", "version", "approved_on", "revision_due"]
    list_filter = ["plan_type"]
    list_select_related = ["school"]
    raw_id_fields = ["school", "uploaded_by"]


class ClassHeadcountInline(admin.TabularInline):
    model = ClassHeadcount
    extra = 0


@admin.register(Drill)
class DrillAdmin(ScopedAdmin):
    list_display = ["school", "drill_type", "status", "planned_at", "evacuation_seconds"]
    list_filter = ["drill_type", "status", "announced"]
    search_fields = ["school__name", "commander", "scenario"]
    list_select_related = ["school"]
    raw_id_fields = ["school", "signed_off_by"]
    readonly_fields = ["started_at", "all_clear_at", "signed_off_by", "signed_off_at"]
    inlines = [ClassHeadcountInline]


@admin.register(TrainingSession)
class TrainingSessionAdmin(ScopedAdmin):
    list_display = ["school", "audience", "held_on", "topic", "attendees_count"]
    list_filter = ["audience"]
    list_select_related = ["school"]
    raw_id_fields = ["school"]
