"""Admin for organisation data. Staff accounts see only their scope, through for_user."""

from django.contrib import admin

from schools.models import (
    CalendarException,
    City,
    District,
    Gate,
    ObligationExcuse,
    ObligationOverride,
    ObligationRule,
    PoliceStation,
    School,
    Term,
)


class ScopedAdmin(admin.ModelAdmin):
    """Admin pages restricted by the same mechanism as the API and the pages."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if hasattr(related.objects, "for_user"):
            kwargs["queryset"] = related.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(City)
class CityAdmin(ScopedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    list_display = ["name", "code", "city"]
    list_filter = ["city"]
    search_fields = ["name", "code"]
    list_select_related = ["city"]


@admin.register(PoliceStation)
class PoliceStationAdmin(ScopedAdmin):
    list_display = ["name", "district", "duty_phone"]
    list_filter = ["district__city"]
    search_fields = ["name"]
    list_select_related = ["district"]


class GateInline(admin.TabularInline):
    model = Gate
    extra = 0


@admin.register(School)
class SchoolAdmin(ScopedAdmin):
    list_display = ["name", "code", "school_type", "district", "police_station", "enrolment"]
    list_filter = ["school_type", "district__city", "is_boarding", "has_police_room"]
    search_fields = ["name", "code", "address"]
    list_select_related = ["district", "police_station"]
    inlines = [GateInline]


@admin.register(Term)
class TermAdmin(ScopedAdmin):
    list_display = ["name", "city", "district", "audience", "start_date", "end_date"]
    list_filter = ["audience", "city"]
    date_hierarchy = "start_date"


@admin.register(CalendarException)
class CalendarExceptionAdmin(ScopedAdmin):
    list_display = ["date", "kind", "reason", "city", "district", "school"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["reason"]
    raw_id_fields = ["school"]


@admin.register(ObligationRule)
class ObligationRuleAdmin(ScopedAdmin):
    list_display = ["name", "code", "domain", "city", "basis", "required_count", "is_active"]
    list_filter = ["domain", "basis", "is_active", "city"]
    search_fields = ["name", "code", "source"]


@admin.register(ObligationOverride)
class ObligationOverrideAdmin(ScopedAdmin):
    list_display = ["rule", "district", "school", "applies", "required_count", "grace"]
    raw_id_fields = ["school"]


@admin.register(ObligationExcuse)
class ObligationExcuseAdmin(ScopedAdmin):
    list_display = ["rule", "school", "window_start", "reason", "excused_by", "excused_at"]
    raw_id_fields = ["school"]
    readonly_fields = ["excused_by", "excused_at"]
