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


class ExceptionKind(models.TextChoices):
    CLOSED = "closed", _("Closed (no school)")
    OPEN = "open", _("Open (extra school day)")
