"""How often the city's and each district's security meeting is due, held as data.

A school's monthly meeting is the recurring obligation `school-security-meeting`
(schools/obligations.py), kept per school with its overrides. A district or a city is
not a school, so its cadence is a row here: per city and level, with its source; a row
without a city is the national default that a city's own row of the same level
replaces. coordination/cadence.py turns the rows into due periods with the same
period arithmetic and window statuses as the schools' obligations.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import ALL_ROLES, edited_by
from coordination.choices import Level
from schools.choices import Basis
from schools.models import TimeStampedModel
from schools.querysets import CityOrNationalQuerySet

# The levels a cadence row speaks for: the school level is the obligation rule.
UNIT_LEVELS = (Level.CITY, Level.DISTRICT)
# Whole calendar periods, the same for every unit (a term is a school's calendar).
CADENCE_BASES = (Basis.MONTH, Basis.QUARTER, Basis.YEAR)
# A grace period longer than this would let a month's meeting count as held a season late.
MAX_GRACE = datetime.timedelta(days=31)


class MeetingCadence(TimeStampedModel):
    """A city's or district's security meeting: due `required_count` times each month,
    quarter or year, from the first period that starts on or after `starts_on`."""

    city = models.ForeignKey(
        "schools.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_cadences",
        verbose_name=_("city"),
        help_text=_("Empty for the national default; a city's row of the same level replaces it."),
    )
    level = models.CharField(
        _("level"),
        max_length=10,
        choices=[(level.value, level.label) for level in UNIT_LEVELS],
        help_text=_(
            "The city's own meeting, or each district's. A school's monthly meeting is the "
            "recurring obligation 'school-security-meeting'."
        ),
    )
    basis = models.CharField(
        _("recurs"),
        max_length=20,
        choices=[(basis.value, basis.label) for basis in CADENCE_BASES],
    )
    required_count = models.PositiveSmallIntegerField(
        _("meetings per period"), default=1, help_text=_("How many meetings each period needs.")
    )
    grace = models.DurationField(
        _("grace period"),
        default=datetime.timedelta(0),
        help_text=_("How long after a period's end before it counts as missed and reminds."),
    )
    starts_on = models.DateField(
        _("counted from"),
        default=timezone.localdate,
        help_text=_("The first period counted is the first that starts on or after this date."),
    )
    source = models.TextField(_("source"), help_text=_("The regulation or practice it follows."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = CityOrNationalQuerySet.as_manager()

    scope_paths = {"city": ("city",)}
    access = edited_by({Role.CITY_STAFF}, view=ALL_ROLES)

    class Meta:
        verbose_name = _("meeting cadence")
        verbose_name_plural = _("meeting cadences")
        ordering = ["city", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "level"],
                condition=Q(city__isnull=False),
                name="meetingcadence_level_per_city",
            ),
            models.UniqueConstraint(
                fields=["level"],
                condition=Q(city__isnull=True),
                name="meetingcadence_national_level",
            ),
            models.CheckConstraint(
                condition=Q(level__in=[level.value for level in UNIT_LEVELS]),
                name="meetingcadence_unit_level",
            ),
            models.CheckConstraint(
                condition=Q(basis__in=[basis.value for basis in CADENCE_BASES]),
                name="meetingcadence_period_basis",
            ),
            models.CheckConstraint(
                condition=Q(required_count__gte=1), name="meetingcadence_required_positive"
            ),
            models.CheckConstraint(
                condition=Q(grace__gte=datetime.timedelta(0), grace__lte=MAX_GRACE),
                name="meetingcadence_grace_range",
            ),
        ]

    def __str__(self):
        return f"{self.city or _('National default')}: {self.get_level_display()} · " + str(
            self.get_basis_display()
        )

    def clean(self):
        super().clean()
        if self.grace is not None and not datetime.timedelta(0) <= self.grace <= MAX_GRACE:
            raise ValidationError({"grace": _("A grace period runs from 0 to 31 days.")})
