from django.db import models
from django.utils.translation import gettext_lazy as _


class SchoolType(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    JUNIOR_SECONDARY = "junior_secondary", _("Junior secondary school")
    SENIOR_SECONDARY = "senior_secondary", _("Senior secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    COMPLETE_SECONDARY = "complete_secondary", _("Complete secondary school")
    VOCATIONAL = "vocational", _("Vocational school")
    SPECIAL_EDUCATION = "special_education", _("Special education school")


class GateKind(models.TextChoices):
    GATE = "gate", _("Gate")
    PICKUP_POINT = "pickup_point", _("Pick-up point")


class TermAudience(models.TextChoices):
    ALL = "all", _("All schools and kindergartens")
    SCHOOLS = "schools", _("Schools (not kindergartens)")
    KINDERGARTENS = "kindergartens", _("Kindergartens")


# Day numbers as date.weekday() gives them: the weekly roster pattern and make-up days.
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ExceptionKind(models.TextChoices):
    CLOSED = "closed", _("Closed (no school)")
    OPEN = "open", _("Open (extra school day)")


class Basis(models.TextChoices):
    """What an obligation's windows follow."""

    SCHOOL_DAY = "school_day", _("Each school day")
    BOARDING_NIGHT = "boarding_night", _("Each boarding night (before a school day)")
    DAY = "day", _("Every day")
    MONTH = "month", _("Each calendar month")
    QUARTER = "quarter", _("Each quarter")
    TERM = "term", _("Each term")
    YEAR = "year", _("Each calendar year")


# Bases whose windows are whole calendar periods rather than times of a day.
PERIOD_BASES = (Basis.MONTH, Basis.QUARTER, Basis.TERM, Basis.YEAR)


class SizeBand(models.TextChoices):
    """Facility grades by the number of people at a school (pupils and staff)."""

    LARGE = "large", _("Large (schools ≥1,500 people, kindergartens ≥300)")
    MEDIUM = "medium", _("Medium (schools 1,000–1,499, kindergartens 150–299)")
    SMALL = "small", _("Small (schools <1,000, kindergartens <150)")


# The lower bound of each band: (schools, kindergartens). CHECKS.md §5.
SIZE_BAND_FLOORS = {
    SizeBand.LARGE: (1500, 300),
    SizeBand.MEDIUM: (1000, 150),
    SizeBand.SMALL: (0, 0),
}


class Boarding(models.TextChoices):
    ANY = "any", _("Boarding or not")
    ONLY = "only", _("Boarding schools only")
    NONE = "none", _("Day schools only")


class WindowStatus(models.TextChoices):
    """A due window's status at a moment. The first three are stored on ObligationWindow."""

    DONE = "done", _("Done")
    LATE = "late", _("Late (done within the grace period)")
    PARTIAL = "partial", _("Begun, not yet enough")
    MISSED = "missed", _("Missed")
    EXCUSED = "excused", _("Excused")
    OPEN = "open", _("Due now")
    UPCOMING = "upcoming", _("Upcoming")


class HazardCategory(models.TextChoices):
    """What a hazard is about. Shared by every app that reports hazards to the ledger."""

    FIRE = "fire", _("Fire safety")
    ELECTRICAL = "electrical", _("Electricity")
    BUILDING = "building", _("School buildings")
    SECURITY = "security", _("Security and guarding")
    TECHNICAL_DEFENCE = "technical_defence", _("Alarm and video")
    PERIMETER = "perimeter", _("Perimeter and surroundings")
    DORMITORY = "dormitory", _("Dormitories")
    MANAGEMENT = "management", _("Organisation and rules")


class HazardLevel(models.TextChoices):
    GENERAL = "general", _("General (一般)")
    SERIOUS = "serious", _("Serious (较大)")
    MAJOR = "major", _("Major (重大)")
