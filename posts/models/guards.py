"""How many licensed security guards a school must have: the region's rule, stored per city.

CHECKS.md §6 lists the rule sets (GB/T 29315-2022, Beijing 2018, Hubei,
Chengdu 2014); they differ in thresholds, not in shape, so one row of numbers
holds any of them. A rule without a city is the national default; a city's
own rule takes its place for that city's schools.
"""

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.scope import Role, edited_by
from schools.models import TimeStampedModel
from schools.querysets import CityOrNationalQuerySet

# What city staff set on a rule, in the order the form and the API show it.
GUARD_RULE_FIELDS = (
    "name",
    "source",
    "minimum",
    "boarding_minimum",
    "small_below",
    "small_minimum",
    "step_from",
    "at_step",
    "step_every",
    "count_staff",
)


class GuardRule(TimeStampedModel):
    """The guards a school needs: a minimum, a small-school floor, and steps with its size.

    required = `small_minimum` for a day school with fewer than `small_below`
    pupils; otherwise `minimum` (`boarding_minimum` for a boarding school),
    and from `step_from` people on, `at_step` plus one per further
    `step_every` people (pupils, and staff too when `count_staff`).
    """

    city = models.OneToOneField(
        "schools.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="guard_rule",
        verbose_name=_("city"),
        help_text=_("Empty for the national default; a city's rule replaces it there."),
    )
    name = models.CharField(_("name"), max_length=100)
    source = models.TextField(_("source"), help_text=_("The regulation or standard it follows."))
    minimum = models.PositiveSmallIntegerField(
        _("minimum guards"), validators=[MinValueValidator(1)]
    )
    # At least 1 where given: required() reads an empty or zero figure as "the minimum".
    boarding_minimum = models.PositiveSmallIntegerField(
        _("minimum guards at a boarding school"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    small_below = models.PositiveIntegerField(
        _("small day school: fewer pupils than"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    small_minimum = models.PositiveSmallIntegerField(
        _("minimum guards at a small day school"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    step_from = models.PositiveIntegerField(_("steps from (people)"), null=True, blank=True)
    at_step = models.PositiveSmallIntegerField(
        _("guards at the first step"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    step_every = models.PositiveIntegerField(
        _("one more guard per further (people)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    count_staff = models.BooleanField(
        _("count staff with pupils"),
        default=False,
        help_text=_("Whether the steps count people (pupils and staff) or pupils only."),
    )

    objects = CityOrNationalQuerySet.as_manager()

    scope_paths = {"city": ("city",)}
    access = edited_by({Role.CITY_STAFF})

    class Meta:
        verbose_name = _("guard rule")
        verbose_name_plural = _("guard rules")
        ordering = ["city", "name"]
        constraints = [
            # Over COALESCE(city, 0), not the city itself: a unique index holds any number
            # of NULLs, so one on the city alone let a second national default in.
            models.UniqueConstraint(
                Coalesce("city", 0),
                condition=Q(city__isnull=True),
                name="guardrule_one_national_default",
            ),
            models.CheckConstraint(
                condition=Q(step_from__isnull=True) | Q(at_step__isnull=False, step_every__gte=1),
                name="guardrule_steps_complete",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """The figures that only make sense together, and one national default: the page's
        form and the API's serializer both run this (the constraints back it up in the
        database)."""
        super().clean()
        errors = {}
        steps = {
            "step_from": self.step_from,
            "at_step": self.at_step,
            "step_every": self.step_every,
        }
        if any(value is not None for value in steps.values()):
            for field, value in steps.items():
                if value is None:
                    errors[field] = _(
                        "Give the three step figures together (from how many people, the "
                        "guards there, one more per how many further), or none of them."
                    )
        small = {"small_below": self.small_below, "small_minimum": self.small_minimum}
        if any(value is not None for value in small.values()):
            for field, value in small.items():
                if value is None:
                    errors[field] = _(
                        "Give both small-school figures (below how many pupils, and the "
                        "guards there), or neither."
                    )
        national = GuardRule.objects.filter(city__isnull=True).exclude(pk=self.pk)
        if self.city_id is None and national.exists():
            # The constraint's check, here so that the API answers a field error (the
            # serializer runs clean(), not the constraints).
            errors["city"] = _("There is a national default already: change that one.")
        if errors:
            raise ValidationError(errors)

    def get_additional_data(self):
        # Kept with each entry of the change history (campussafety/audit.py), so that a
        # city's history is found by its city, also across a rule removed and added again.
        return {"city": self.city_id}

    def required(self, pupils: int, staff: int, is_boarding: bool) -> int:
        """The guards a school of this size needs under this rule."""
        if not is_boarding and self.small_below is not None and pupils < self.small_below:
            return self.small_minimum or self.minimum
        floor = (self.boarding_minimum or self.minimum) if is_boarding else self.minimum
        people = pupils + (staff if self.count_staff else 0)
        if self.step_from is not None and people >= self.step_from:
            floor = max(floor, self.at_step + (people - self.step_from) // self.step_every)
        return floor


# The change history (campussafety/audit.py): who changed which figure, when, from what
# to what. The city never changes on a rule; each entry carries it (get_additional_data).
auditlog.register(GuardRule, exclude_fields=["created", "updated", "city"])
