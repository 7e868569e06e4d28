"""Checklists as data (templates, versions, items), checkpoints, and the rules that schedule them.

A template's items are never edited in place: a change is a new version
(inspections/checklists.py), so a round keeps the version it was answered
against. When a round is due is not decided here: each InspectionRule points at
an ObligationRule (schools/models/obligations.py), whose windows, statuses and
rates schools/obligations.py works out.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, GUARD, SCHOOL_STAFF, Role, edited_by
from inspections.choices import AnswerType, CheckpointKind, HazardCategory, HazardLevel
from inspections.querysets import ChecklistTemplateQuerySet, CheckpointQuerySet
from schools.models import Gate, LocatedModel, TimeStampedModel
from schools.models.obligations import SCHOOL_PATHS, ChoiceListValidator
from schools.querysets import CityOrNationalQuerySet

# Guards read the checklists they answer.
CITY_STAFF_EDIT = edited_by({Role.CITY_STAFF}, view=ALL_ROLES | GUARD)


class ChecklistTemplate(TimeStampedModel):
    """A checklist (a fire patrol, a supervision visit, ...): national, or a city's own."""

    city = models.ForeignKey(
        "schools.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checklist_templates",
        verbose_name=_("city"),
        help_text=_("Empty for a national default."),
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_scored = models.BooleanField(
        _("scored"), default=False, help_text=_("Items carry points and the record a total score.")
    )
    source = models.TextField(_("source"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = ChecklistTemplateQuerySet.as_manager()

    scope_paths = {"city": ("city",)}
    access = CITY_STAFF_EDIT

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "code"],
                condition=Q(city__isnull=False),
                name="checklisttemplate_code_per_city",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(city__isnull=True),
                name="checklisttemplate_national_code",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def current_version(self):
        return self.versions.order_by("-number").first()


class ChecklistVersion(models.Model):
    """One published set of a template's items; rounds point at the version they answered."""

    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("checklist template"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    number = models.PositiveSmallIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CityOrNationalQuerySet.as_manager()

    city_path = "template__city"
    scope_paths = {"city": ("template__city",)}
    access = CITY_STAFF_EDIT

    class Meta:
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="checklistversion_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="checklistversion_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.template} v{self.number}"


class ChecklistItem(models.Model):
    """One question of a checklist version, how it is answered, and what a fail leads to."""

    version = models.ForeignKey(
        ChecklistVersion,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("checklist version"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("text"), max_length=300)
    answer_type = models.CharField(_("answer type"), max_length=10, choices=AnswerType)
    min_value = models.DecimalField(
        _("lowest acceptable"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("highest acceptable"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    correctable_on_spot = models.BooleanField(
        _("may be corrected on the spot"),
        default=False,
        help_text=_("A fail corrected at once (with a photo) opens no hazard."),
    )
    hazard_category = models.CharField(_("hazard category"), max_length=20, choices=HazardCategory)
    hazard_level = models.CharField(
        _("hazard level"), max_length=10, choices=HazardLevel, default=HazardLevel.GENERAL
    )
    checkpoint_kinds = models.JSONField(
        _("at checkpoints of kinds"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator("inspections.choices.CheckpointKind")],
        help_text=_("Empty: asked once per round, not at each checkpoint."),
    )
    points = models.PositiveSmallIntegerField(
        _("points"), null=True, blank=True, help_text=_("For scored checklists.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = CityOrNationalQuerySet.as_manager()

    city_path = "version__template__city"
    scope_paths = {"city": ("version__template__city",)}
    access = CITY_STAFF_EDIT

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="checklistitem_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=F("max_value")),
                name="checklistitem_range_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.text}"

    def clean(self):
        super().clean()
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValidationError({"max_value": _("The highest value is below the lowest.")})
        if self.answer_type != AnswerType.NUMBER and (
            self.min_value is not None or self.max_value is not None
        ):
            raise ValidationError(_("Only a number has a range."))


class Checkpoint(TimeStampedModel, LocatedModel):
    """A place a round visits (a gate, a booth, a dormitory, a fire point, a key part)."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="checkpoints",
        verbose_name=_("school"),
        # The unique (school, name) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=CheckpointKind)
    gate = models.ForeignKey(
        "schools.Gate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkpoints",
        verbose_name=_("gate"),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(
        _("order on a round"), default=0, help_text=_("Rounds visit checkpoints in this order.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = CheckpointQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {
        "view": ALL_ROLES | GUARD,
        "add": SCHOOL_STAFF,
        "change": SCHOOL_STAFF,
        "delete": SCHOOL_STAFF,
    }

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["school", "position", "name"]
        constraints = [
            *LocatedModel.location_constraints("checkpoint"),
            models.UniqueConstraint(
                fields=["school", "name"], name="checkpoint_unique_name_in_school"
            ),
        ]

    def __str__(self):
        return f"{self.school} · {self.name}"

    def clean(self):
        super().clean()
        Gate.check_same_school(self)


class InspectionRule(TimeStampedModel):
    """Which checklist a recurring obligation is done with, and which checkpoints it visits.

    Who it applies to, how often and with what grace live in the obligation
    rule, with the city's district and school overrides.
    """

    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="rules",
        verbose_name=_("checklist template"),
    )
    obligation = models.OneToOneField(
        "schools.ObligationRule",
        on_delete=models.CASCADE,
        related_name="inspection_rule",
        verbose_name=_("obligation rule"),
    )
    checkpoint_kinds = models.JSONField(
        _("visits checkpoints of kinds"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator("inspections.choices.CheckpointKind")],
        help_text=_(
            "A round that skips one of the school's checkpoints of these kinds is incomplete."
        ),
    )
    walks_checkpoints = models.BooleanField(
        _("walks the checkpoints"),
        default=True,
        help_text=_(
            "Off for a check made in one place, such as a bureau's supervision visit: "
            "its rounds skip no checkpoint."
        ),
    )

    objects = CityOrNationalQuerySet.as_manager()

    city_path = "obligation__city"
    scope_paths = {"city": ("obligation__city",)}
    access = CITY_STAFF_EDIT

    class Meta:
        verbose_name = _("inspection rule")
        verbose_name_plural = _("inspection rules")
        ordering = ["obligation__code"]

    def __str__(self):
        return str(self.obligation)

    def clean(self):
        super().clean()
        if (
            self.template_id
            and self.obligation_id
            and self.template.city_id not in (None, self.obligation.city_id)
        ):
            raise ValidationError(
                {"template": _("A city's checklist can only serve that city's rules.")}
            )


# Rounds, scans, answers and findings live in their own module; imported last
# because they point at the models above.
from inspections.models_hazards import (  # noqa: E402
    DeadlineExtension,
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardRules,
    HazardSequence,
    SupervisionOrder,
    SupervisionReport,
)
from inspections.models_rounds import Answer, Finding, Round, Scan  # noqa: E402
from inspections.models_supervision import SupervisionDraw, SupervisionVisit  # noqa: E402

__all__ = [
    "Answer",
    "DeadlineExtension",
    "Hazard",
    "HazardEvent",
    "HazardPhoto",
    "HazardRules",
    "HazardSequence",
    "SupervisionOrder",
    "SupervisionReport",
    "ChecklistItem",
    "ChecklistTemplate",
    "ChecklistVersion",
    "Checkpoint",
    "Finding",
    "InspectionRule",
    "Round",
    "Scan",
    "SupervisionDraw",
    "SupervisionVisit",
]
