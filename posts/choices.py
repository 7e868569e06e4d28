from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberKind(models.TextChoices):
    POLICE = "police", _("Police officer")
    AUXILIARY_POLICE = "auxiliary_police", _("Auxiliary police officer")
    SECURITY_GUARD = "security_guard", _("Full-time security guard")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    SCHOOL_LEADER = "school_leader", _("School leader")
    STAFF = "staff", _("Staff member")
    PARENT_VOLUNTEER = "parent_volunteer", _("Parent volunteer")


# Police and auxiliary police count towards the minimum number of police officers.
POLICE_KINDS = (MemberKind.POLICE, MemberKind.AUXILIARY_POLICE)


class UnitKind(models.TextChoices):
    POLICE_STATION = "police_station", _("Police station")
    SECURITY_COMPANY = "security_company", _("Security company")
    COMMUNITY = "community", _("Community")
    SCHOOL = "school", _("School")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Period(models.TextChoices):
    MORNING = "morning", _("Morning arrival")
    NOON = "noon", _("Noon")
    AFTERNOON = "afternoon", _("Afternoon dismissal")
    EVENING = "evening", _("Evening (boarding)")


class ShiftOrigin(models.TextChoices):
    PATTERN = "pattern", _("Weekly pattern")
    MANUAL = "manual", _("Manual edit")


class Weather(models.TextChoices):
    SUNNY = "sunny", _("Sunny")
    CLOUDY = "cloudy", _("Cloudy")
    RAIN = "rain", _("Rain")
    SNOW = "snow", _("Snow")
    FOG = "fog", _("Fog or haze")
    WIND = "wind", _("Strong wind")


class CoverageStatus(models.TextChoices):
    COVERED = "covered", _("Covered")
    PARTIAL = "partial", _("Partial")
    MISSED = "missed", _("Missed")
