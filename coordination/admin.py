"""Admin for coordination's data kept by hand: the yearly activity minimum, the city's and
districts' meeting cadence, appointments.

The instability register has no admin page: every read of a factor goes through the
pages and the API, which write it to the access log.
"""

from django.contrib import admin

from coordination.models import ActivityMinimum, Appointment, MeetingCadence
from schools.admin import ScopedAdmin


@admin.register(ActivityMinimum)
class ActivityMinimumAdmin(ScopedAdmin):
    list_display = ["city", "per_year", "source"]


@admin.register(MeetingCadence)
class MeetingCadenceAdmin(ScopedAdmin):
    list_display = ["city", "level", "basis", "required_count", "starts_on", "is_active"]
    list_filter = ["level", "basis", "is_active"]


@admin.register(Appointment)
class AppointmentAdmin(ScopedAdmin):
    list_display = ["school", "name", "organisation", "starts_on", "ends_on"]
    list_filter = ["organisation"]
    search_fields = ["name", "school__name"]
    exclude = ["phone"]
