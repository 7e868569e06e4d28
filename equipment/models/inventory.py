"""The inventory as a ledger: places, pieces, the append-only movements, and the balances.

Every change of stock is a Movement row carrying its own effect (held_delta,
faulty_delta at `location`, the opposite at `to_location`), so the stock is
the sum of the ledger and a recount needs nothing but the ledger. StockBalance
is that sum, maintained by equipment/services.py in the same transaction as
each movement: kit compliance for thousands of schools then reads one row per
place and type instead of millions of movements.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.scope import ALL_ROLES, BUREAU, SCHOOL_STAFF
from equipment.choices import ItemStatus, LocationKind, MovementKind
from equipment.querysets import ItemQuerySet, MovementQuerySet, StockBalanceQuerySet
from schools.models import Gate, TimeStampedModel
from schools.models.obligations import SCHOOL_PATHS
from schools.querysets import ScopedQuerySet

# Rows that only equipment/services.py writes: everyone in scope reads them.
READ_ONLY = {"view": ALL_ROLES}


class Location(TimeStampedModel):
    """A place at a school that holds equipment: a gatehouse, a booth, a floor, a guard on duty."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="equipment_locations",
        verbose_name=_("school"),
        # The unique (school, name) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LocationKind)
    name = models.CharField(_("name"), max_length=100)
    gate = models.ForeignKey(
        "schools.Gate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="equipment_locations",
        verbose_name=_("gate"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    # "stock": record movements at this place (the school's own staff);
    # "transfer": move stock from one school to another (the bureaus).
    access = {
        "view": ALL_ROLES,
        "add": SCHOOL_STAFF,
        "change": SCHOOL_STAFF,
        "delete": SCHOOL_STAFF,
        "stock": SCHOOL_STAFF,
        "transfer": BUREAU,
    }

    class Meta:
        verbose_name = _("equipment location")
        verbose_name_plural = _("equipment locations")
        ordering = ["school", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"], name="equipmentlocation_unique_name_in_school"
            ),
        ]

    def __str__(self):
        return f"{self.school} · {self.name}"

    def clean(self):
        super().clean()
        Gate.check_same_school(self)


class Item(TimeStampedModel):
    """One piece tracked on its own (an extinguisher, a radio, a camera), with its due dates.

    The due dates are worked out from the type's rules whenever the piece or
    its service record changes (equipment/services.py), so lists of what is
    due are plain indexed reads.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="equipment_items",
        verbose_name=_("school"),
        # The (school, service due on) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    equipment_type = models.ForeignKey(
        "equipment.EquipmentType",
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("equipment type"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("location"),
        help_text=_("Empty once the piece is lost or scrapped."),
    )
    asset_tag = models.CharField(_("asset tag"), max_length=40, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)
    manufactured_on = models.DateField(_("manufactured on"), null=True, blank=True)
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus, default=ItemStatus.IN_SERVICE
    )
    last_checked_on = models.DateField(_("last checked on"), null=True, blank=True)
    last_serviced_on = models.DateField(_("last serviced on"), null=True, blank=True)
    next_check_on = models.DateField(_("next check due"), null=True, blank=True)
    service_due_on = models.DateField(_("service due"), null=True, blank=True)
    scrap_on = models.DateField(_("to be scrapped on"), null=True, blank=True)

    objects = ItemQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = READ_ONLY

    class Meta:
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment items")
        ordering = ["school", "equipment_type", "asset_tag"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "asset_tag"],
                condition=~Q(asset_tag=""),
                name="equipmentitem_unique_tag_in_school",
            ),
            models.CheckConstraint(
                condition=Q(location__isnull=False)
                | Q(status__in=[ItemStatus.LOST, ItemStatus.SCRAPPED]),
                name="equipmentitem_held_has_location",
            ),
        ]
        indexes = [
            # Due-for-service and scrap lists of a district's schools (ItemQuerySet).
            models.Index(fields=["school", "service_due_on"], name="equipmentitem_service_idx"),
            models.Index(fields=["school", "scrap_on"], name="equipmentitem_scrap_idx"),
        ]

    def __str__(self):
        return f"{self.equipment_type} {self.asset_tag or self.serial_number or self.pk}"


class Movement(models.Model):
    """One entry of the ledger: who changed what stock, where, when and why. Never changed.

    `location` is where it happened (the source of an issue or a transfer);
    `held_delta` and `faulty_delta` are its effect there, and their opposites
    the effect at `to_location`.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="equipment_movements",
        verbose_name=_("school"),
        # The (school, happened at) of the ledger index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind)
    equipment_type = models.ForeignKey(
        "equipment.EquipmentType",
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("equipment type"),
    )
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        # A piece of equipment (器材), not an inspection checklist item (检查项).
        verbose_name=pgettext_lazy("equipment", "item"),
        # The (item, happened at) of a piece's history index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="movements", verbose_name=_("location")
    )
    to_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements_in",
        verbose_name=_("to location"),
    )
    held_delta = models.IntegerField(_("change in pieces held"), default=0)
    faulty_delta = models.IntegerField(_("change in faulty pieces"), default=0)
    happened_at = models.DateTimeField(_("when"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="equipment_movements",
        verbose_name=_("recorded by"),
    )
    reason = models.CharField(_("why"), max_length=300, blank=True)
    report = models.TextField(_("written report"), blank=True, help_text=_("Required for a loss."))
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = MovementQuerySet.as_manager()

    # A transfer between schools shows in the ledgers of both.
    scope_paths = {
        "school": ("school", "to_location__school"),
        "police_station": ("school__police_station", "to_location__school__police_station"),
        "district": ("school__district", "to_location__school__district"),
        "city": ("school__district__city", "to_location__school__district__city"),
    }
    # Who may record at all; which places each may record at (their own school's,
    # or between schools for the bureaus) is the ledger's finer rule
    # (services._require_writer).
    access = {"view": ALL_ROLES, "add": SCHOOL_STAFF | BUREAU}

    class Meta:
        verbose_name = _("equipment movement")
        verbose_name_plural = _("equipment movements")
        ordering = ["-happened_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="movement_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(kind=MovementKind.LOST) | ~Q(report=""),
                name="movement_loss_has_report",
            ),
            models.CheckConstraint(
                condition=(
                    Q(to_location__isnull=True)
                    & ~Q(kind__in=[MovementKind.ISSUED, MovementKind.TRANSFERRED])
                )
                | (
                    Q(to_location__isnull=False)
                    & Q(kind__in=[MovementKind.ISSUED, MovementKind.TRANSFERRED])
                    & ~Q(to_location=F("location"))
                ),
                name="movement_destination_only_for_moves",
            ),
        ]
        indexes = [
            # An item's history, newest first (the item page).
            models.Index(fields=["item", "-happened_at"], name="movement_item_history_idx"),
            models.Index(fields=["school", "-happened_at"], name="movement_school_ledger_idx"),
        ]

    def __str__(self):
        return f"{self.happened_at:%Y-%m-%d} {self.get_kind_display()} {self.equipment_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("The ledger is never changed: record a new movement."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The ledger is never changed: record a new movement."))


class StockBalance(models.Model):
    """Pieces of a type held at a place (and how many of them are faulty): the ledger's sum."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="equipment_balances",
        verbose_name=_("school"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        related_name="balances",
        verbose_name=_("location"),
        # The unique (place, type) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    equipment_type = models.ForeignKey(
        "equipment.EquipmentType",
        on_delete=models.PROTECT,
        related_name="balances",
        verbose_name=_("equipment type"),
    )
    held = models.PositiveIntegerField(_("held"), default=0)
    faulty = models.PositiveIntegerField(_("faulty"), default=0)

    objects = StockBalanceQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = READ_ONLY

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["school", "location", "equipment_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "equipment_type"], name="stockbalance_one_per_place_and_type"
            ),
            models.CheckConstraint(
                condition=Q(faulty__lte=F("held")), name="stockbalance_faulty_within_held"
            ),
        ]

    def __str__(self):
        return f"{self.location}: {self.equipment_type} {self.held}"

    @property
    def usable(self):
        return self.held - self.faulty
