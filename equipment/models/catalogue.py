"""Equipment types with their check, service and scrap rules, and kit standards as data.

Types and standards are national defaults (no city) that a city replaces with
its own; a district's standard adds lines to its city's (or the national) one.
What a school must hold is worked out in equipment/services.py.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, BUREAU
from equipment.choices import Category, LocationKind
from equipment.querysets import KitLineQuerySet, KitStandardQuerySet
from schools.models import TimeStampedModel
from schools.models.obligations import CITY_STAFF_EDIT, ChoiceListValidator
from schools.querysets import CityOrNationalQuerySet

# The location kinds a kit standard speaks of; store rooms and other places hold spares.
STANDARD_KINDS = (
    LocationKind.GATEHOUSE,
    LocationKind.PROTECTION_BOOTH,
    LocationKind.POLICE_ROOM,
    LocationKind.GUARD,
    LocationKind.FLOOR,
)

BUREAU_EDIT = {"view": ALL_ROLES, "add": BUREAU, "change": BUREAU, "delete": BUREAU}


class EquipmentType(TimeStampedModel):
    """A kind of equipment (a steel fork, a dry-powder extinguisher) and the rules it follows.

    A piece is first serviced `first_service_years` after it was made, then
    every `service_every_years` after its last service, and is scrapped
    `scrap_years` after it was made (GA 95-2015 for extinguishers).
    """

    city = models.ForeignKey(
        "schools.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="equipment_types",
        verbose_name=_("city"),
        help_text=_("Empty for the national catalogue."),
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=Category)
    is_serialised = models.BooleanField(
        _("tracked piece by piece"),
        default=False,
        help_text=_(
            "Each piece has its own record (an extinguisher, a radio); otherwise "
            "only quantities per location are kept (gloves, spray)."
        ),
    )
    checked_at_handover = models.BooleanField(_("checked at every shift handover"), default=False)
    check_interval_days = models.PositiveSmallIntegerField(
        _("check every (days)"), null=True, blank=True
    )
    first_service_years = models.PositiveSmallIntegerField(
        _("first service after (years)"), null=True, blank=True
    )
    service_every_years = models.PositiveSmallIntegerField(
        _("then service every (years)"), null=True, blank=True
    )
    scrap_years = models.PositiveSmallIntegerField(
        _("scrapped after (years)"), null=True, blank=True
    )
    source = models.TextField(_("source"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = CityOrNationalQuerySet.as_manager()

    scope_paths = {"city": ("city",)}
    access = CITY_STAFF_EDIT

    class Meta:
        verbose_name = _("equipment type")
        verbose_name_plural = _("equipment types")
        ordering = ["category", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "code"],
                condition=Q(city__isnull=False),
                name="equipmenttype_code_per_city",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(city__isnull=True), name="equipmenttype_national_code"
            ),
            models.CheckConstraint(
                condition=Q(service_every_years__isnull=True)
                | Q(first_service_years__isnull=False),
                name="equipmenttype_repeat_needs_first_service",
            ),
            models.CheckConstraint(
                condition=Q(check_interval_days__isnull=True) | Q(check_interval_days__gte=1),
                name="equipmenttype_check_interval_positive",
            ),
            models.CheckConstraint(
                condition=Q(first_service_years__isnull=True) | Q(first_service_years__gte=1),
                name="equipmenttype_first_service_positive",
            ),
            models.CheckConstraint(
                condition=Q(service_every_years__isnull=True) | Q(service_every_years__gte=1),
                name="equipmenttype_service_every_positive",
            ),
            models.CheckConstraint(
                condition=Q(scrap_years__isnull=True) | Q(scrap_years__gte=1),
                name="equipmenttype_scrap_positive",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.service_every_years and not self.first_service_years:
            raise ValidationError({"first_service_years": _("Say when the first service is due.")})


class KitStandard(TimeStampedModel):
    """What the schools of a city (or the whole country, or a district in addition) must hold.

    The national standard has neither city nor district; a city's standard
    replaces it for that city's schools; a district's standard adds its lines
    to whichever of those applies.
    """

    city = models.ForeignKey(
        "schools.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kit_standards",
        verbose_name=_("city"),
    )
    district = models.ForeignKey(
        "schools.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kit_standards",
        verbose_name=_("district"),
        help_text=_("A district's standard adds to its city's."),
    )
    name = models.CharField(_("name"), max_length=200)
    source = models.TextField(_("source"))
    is_active = models.BooleanField(_("active"), default=True)
    handover_resolve_hours = models.PositiveSmallIntegerField(
        _("hours to resolve a missing piece"),
        default=2,
        help_text=_(
            "A piece named missing at a shift handover and not back within this time opens "
            "a hazard. The city's standard decides for its schools; a district's is not used."
        ),
    )

    objects = KitStandardQuerySet.as_manager()

    scope_paths = {"district": ("district",), "city": ("city", "district__city")}
    # Everyone under a city sees the city's standard.
    shared_paths = {"district": ("city__districts",)}
    access = BUREAU_EDIT

    class Meta:
        verbose_name = _("kit standard")
        verbose_name_plural = _("kit standards")
        ordering = ["city", "district", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(city__isnull=True) | Q(district__isnull=True),
                name="kitstandard_city_or_district",
            ),
            models.UniqueConstraint(
                fields=["city"], condition=Q(city__isnull=False), name="kitstandard_one_per_city"
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(district__isnull=False),
                name="kitstandard_one_per_district",
            ),
            models.CheckConstraint(
                condition=Q(handover_resolve_hours__gte=1),
                name="kitstandard_resolve_hours_positive",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.city_id and self.district_id:
            raise ValidationError(_("A standard belongs to a city or a district, not both."))


class KitLine(models.Model):
    """One line of a standard: each location of a kind holds this many pieces of a type."""

    standard = models.ForeignKey(
        KitStandard, on_delete=models.CASCADE, related_name="lines", verbose_name=_("kit standard")
    )
    equipment_type = models.ForeignKey(
        EquipmentType,
        on_delete=models.PROTECT,
        related_name="kit_lines",
        verbose_name=_("equipment type"),
    )
    location_kind = models.CharField(
        _("at each"), max_length=20, choices=[(kind.value, kind.label) for kind in STANDARD_KINDS]
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    size_bands = models.JSONField(
        _("size bands"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator("schools.choices.SizeBand")],
        help_text=_("Empty: every size. Lines for the same type and place add up."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = KitLineQuerySet.as_manager()

    scope_paths = {
        "district": ("standard__district",),
        "city": ("standard__city", "standard__district__city"),
    }
    shared_paths = {"district": ("standard__city__districts",)}
    access = BUREAU_EDIT

    class Meta:
        verbose_name = _("kit line")
        verbose_name_plural = _("kit lines")
        ordering = ["standard", "location_kind", "equipment_type"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="kitline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(location_kind__in=[kind.value for kind in STANDARD_KINDS]),
                name="kitline_location_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_location_kind_display()}: {self.equipment_type} × {self.quantity}"

    def clean(self):
        super().clean()
        if not (self.standard_id and self.equipment_type_id):
            return
        type_city = self.equipment_type.city_id
        standard = self.standard
        standard_city = standard.city_id or (
            standard.district.city_id if standard.district_id else None
        )
        if type_city is not None and type_city != standard_city:
            raise ValidationError(
                {"equipment_type": _("A city's equipment type can only be used in its standards.")}
            )
