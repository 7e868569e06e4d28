"""Legal vice-presidents (法治副校长): appointments with their history, their activities,
and the yearly minimum of activities per school, held as data."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import ALL_ROLES, BUREAU, SCHOOL_STAFF, edited_by
from campussafety.personal import mask_phone, validate_phone
from coordination.choices import ActivityType, Audience, Organisation
from schools.models import TimeStampedModel
from schools.models.obligations import SCHOOL_PATHS
from schools.querysets import CityOrNationalQuerySet, ScopedQuerySet

# The regulation the yearly minimum follows, when a row does not name its own: a
# setting, so that a province states its own rule without a migration.
DEFAULT_ACTIVITY_SOURCE = (
    "中小学法治副校长聘任与管理办法（2021） / Measures on legal vice-presidents of schools 2021"
)


def activity_source() -> str:
    return getattr(settings, "LEGAL_VP_ACTIVITY_SOURCE", DEFAULT_ACTIVITY_SOURCE)


class Appointment(TimeStampedModel):
    """A school's legal vice-president for a period. Appointments are never overwritten:
    a new one ends the one before, so the rows are the history."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="legal_vp_appointments",
        verbose_name=_("school"),
    )
    name = models.CharField(_("name"), max_length=50)
    organisation = models.CharField(_("organisation"), max_length=20, choices=Organisation)
    unit = models.CharField(
        _("unit"), max_length=100, blank=True, help_text=_("e.g. the police station or court.")
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    starts_on = models.DateField(_("appointed from"))
    ends_on = models.DateField(_("appointed until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = edited_by(BUREAU)

    class Meta:
        verbose_name = _("legal vice-president appointment")
        verbose_name_plural = _("legal vice-president appointments")
        ordering = ["school", "-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="appointment_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.get_organisation_display()}"

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    def is_current(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)

    def clean(self):
        super().clean()
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The appointment cannot end before it starts.")})


def current_condition(today: datetime.date, prefix: str = "") -> Q:
    """Appointments running on `today`; `prefix` is the path to them from another model."""
    return Q(**{f"{prefix}starts_on__lte": today}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today})
    )


# Who logs an activity: the school, its bureau, and its police liaison (most legal
# vice-presidents are police officers who work with the liaison).
ACTIVITY_WRITERS = SCHOOL_STAFF | BUREAU | {Role.POLICE_LIAISON}


class Activity(TimeStampedModel):
    """Something a legal vice-president did at the school."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="legal_vp_activities",
        verbose_name=_("school"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("legal vice-president"),
    )
    held_on = models.DateField(_("date"))
    activity_type = models.CharField(_("type"), max_length=20, choices=ActivityType)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience)
    participants = models.PositiveIntegerField(
        _("participants"), default=0, validators=[MaxValueValidator(100000)]
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = edited_by(ACTIVITY_WRITERS)

    class Meta:
        verbose_name = _("legal vice-president activity")
        verbose_name_plural = _("legal vice-president activities")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["school", "held_on"], name="lvpactivity_school_day_idx")]

    def __str__(self):
        return f"{self.held_on} · {self.get_activity_type_display()}"

    def clean(self):
        super().clean()
        if self.appointment_id and self.school_id and self.appointment.school_id != self.school_id:
            raise ValidationError(
                {"appointment": _("This legal vice-president serves another school.")}
            )


class ActivityMinimum(TimeStampedModel):
    """How many activities a school's legal vice-president must hold a year.

    A row without a city is the national default (the oldest, if several); a city's
    row replaces it for that city.
    """

    city = models.OneToOneField(
        "schools.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="legal_vp_minimum",
        verbose_name=_("city"),
        help_text=_("Empty for the national default."),
    )
    per_year = models.PositiveSmallIntegerField(
        _("activities a year"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    source = models.TextField(_("source"), default=activity_source)

    objects = CityOrNationalQuerySet.as_manager()

    scope_paths = {"city": ("city",)}
    access = edited_by({Role.CITY_STAFF}, view=ALL_ROLES)

    class Meta:
        verbose_name = _("yearly activity minimum")
        verbose_name_plural = _("yearly activity minimums")

    def __str__(self):
        return f"{self.city or _('National default')}: {self.per_year}"
