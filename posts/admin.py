"""Admin for posts. Personal data stays masked here as everywhere: the ID number is
never held in clear, and phones are shown masked in lists."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campussafety import personal
from posts.models import (
    DailyCoverage,
    DutyAttendance,
    DutyLog,
    DutyLogRevision,
    Member,
    MemberAssignment,
    Post,
    PostPeriod,
    RosterRule,
    Shift,
)
from schools.admin import ScopedAdmin


class MemberAssignmentInline(admin.TabularInline):
    model = MemberAssignment
    extra = 0
    raw_id_fields = ["school"]


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    list_display = [
        "name",
        "kind",
        "unit_name",
        "masked_phone",
        "id_number_masked",
        "verification_status",
        "is_active",
    ]
    list_filter = ["kind", "verification_status", "is_active"]
    search_fields = ["name", "badge_number", "police_number"]
    exclude = ["id_number_hash"]
    readonly_fields = ["id_number_masked", "verified_by", "verified_at"]
    inlines = [MemberAssignmentInline]

    @admin.display(description=_("phone"))
    def masked_phone(self, member):
        return personal.mask_phone(member.phone)


class PostPeriodInline(admin.TabularInline):
    model = PostPeriod
    extra = 0


@admin.register(Post)
class PostAdmin(ScopedAdmin):
    list_display = ["name", "school", "gate", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "school__name"]
    raw_id_fields = ["school", "gate"]
    inlines = [PostPeriodInline]


@admin.register(RosterRule)
class RosterRuleAdmin(ScopedAdmin):
    list_display = ["post_period", "weekday", "member"]
    raw_id_fields = ["post_period", "member"]


@admin.register(Shift)
class ShiftAdmin(ScopedAdmin):
    list_display = ["date", "post_period", "member", "origin", "is_cancelled"]
    list_filter = ["origin", "is_cancelled"]
    date_hierarchy = "date"
    raw_id_fields = ["school", "post_period", "member"]


class DutyAttendanceInline(admin.TabularInline):
    model = DutyAttendance
    extra = 0
    raw_id_fields = ["member"]
    readonly_fields = ["is_police", "is_qualified", "was_rostered"]


class DutyLogRevisionInline(admin.TabularInline):
    model = DutyLogRevision
    extra = 0
    readonly_fields = ["changed_by", "changed_at", "reason", "before"]
    can_delete = False


@admin.register(DutyLog)
class DutyLogAdmin(ScopedAdmin):
    list_display = [
        "date",
        "school",
        "post_period",
        "present_count",
        "qualified_count",
        "meets_staffing",
        "meets_qualified_share",
        "countersigned_at",
    ]
    list_filter = ["period", "meets_staffing", "meets_qualified_share"]
    date_hierarchy = "date"
    raw_id_fields = ["school", "post_period", "submitted_by", "countersigned_by"]
    # Figures are worked out by posts.dutylogs from the attendance; edit through the app.
    readonly_fields = [
        "present_count",
        "police_count",
        "qualified_count",
        "meets_staffing",
        "meets_qualified_share",
    ]
    inlines = [DutyAttendanceInline, DutyLogRevisionInline]

    def has_change_permission(self, request, obj=None):
        # Edits must go through posts.dutylogs.update_log, which keeps the history.
        return False


@admin.register(DailyCoverage)
class DailyCoverageAdmin(ScopedAdmin):
    list_display = ["date", "school", "required", "logged", "compliant", "status"]
    list_filter = ["status"]
    date_hierarchy = "date"
    raw_id_fields = ["school"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
