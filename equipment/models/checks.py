"""Checks and service: service records by a licensed firm, alarm tests, video checks,
and the kit confirmed at each shift handover with the pieces found missing.

The writes go through equipment/checks.py (records) and equipment/handover.py
(kit confirmations); the rows are never edited afterwards, like the ledger.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, SCHOOL_STAFF
from equipment.querysets import KitShortageQuerySet, VideoCheckQuerySet
from schools.models import Gate, TimeStampedModel
from schools.models.obligations import SCHOOL_PATHS
from schools.querysets import ScopedQuerySet

# GB/T 29315-2012: recordings are kept at least 30 days.
RETENTION_DAYS_REQUIRED = 30

# Recorded by the school's staff, read by everyone over the school; corrected
# by an administrator only (the pages and API offer no change).
SCHOOL_RECORD = {"view": ALL_ROLES, "add": SCHOOL_STAFF}


class SchoolRecord(TimeStampedModel):
    """A record one school's staff keep (a service, a test, a check): its school, who recorded
    it and notes; read by everyone over the school, never edited afterwards."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)ss",
        verbose_name=_("school"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = SCHOOL_RECORD

    class Meta:
        abstract = True


class ServiceRecord(SchoolRecord):
    """A service by a licensed firm (维保) covering several pieces at once, with its certificate."""

    firm = models.CharField(_("licensed firm"), max_length=200)
    certificate_number = models.CharField(_("certificate number"), max_length=60)
    serviced_on = models.DateField(_("serviced on"))
    items = models.ManyToManyField(
        "equipment.Item", related_name="service_records", verbose_name=_("pieces serviced")
    )

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-serviced_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "certificate_number"],
                name="servicerecord_one_per_certificate",
            ),
        ]
        indexes = [models.Index(fields=["school", "-serviced_on"], name="servicerecord_school_idx")]

    def __str__(self):
        return f"{self.serviced_on:%Y-%m-%d} {self.firm} {self.certificate_number}"


class AlarmTest(SchoolRecord):
    """A test of the one-key alarm (一键报警): who pressed it and how the police answered."""

    gate = models.ForeignKey(
        "schools.Gate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alarm_tests",
        verbose_name=_("gate"),
    )
    pressed_by = models.CharField(_("pressed by"), max_length=100)
    pressed_at = models.DateTimeField(_("pressed at"), default=timezone.now)
    police_told_beforehand = models.BooleanField(_("police told beforehand"), default=True)
    acknowledged_at = models.DateTimeField(
        _("police acknowledged at"),
        null=True,
        blank=True,
        help_text=_("Empty if the alarm did not reach the police."),
    )
    arrived_at = models.DateTimeField(_("police arrived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alarm test")
        verbose_name_plural = _("alarm tests")
        ordering = ["-pressed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=F("pressed_at")),
                name="alarmtest_acknowledged_after_pressed",
            ),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=F("pressed_at")),
                name="alarmtest_arrived_after_pressed",
            ),
        ]
        indexes = [models.Index(fields=["school", "-pressed_at"], name="alarmtest_school_idx")]

    def __str__(self):
        return f"{self.school} {timezone.localtime(self.pressed_at):%Y-%m-%d %H:%M}"

    def clean(self):
        super().clean()
        Gate.check_same_school(self)
        errors = {}
        now = timezone.now()
        if self.pressed_at and self.pressed_at > now:
            errors["pressed_at"] = _("A test cannot be recorded before it happens.")
        for field in ("acknowledged_at", "arrived_at"):
            value = getattr(self, field)
            if value and self.pressed_at and value < self.pressed_at:
                errors[field] = _("This comes after the alarm was pressed.")
        if errors:
            raise ValidationError(errors)

    @property
    def reached_police(self) -> bool:
        return self.acknowledged_at is not None

    @staticmethod
    def _minutes(start, end):
        return None if end is None else round((end - start).total_seconds() / 60, 1)

    @property
    def acknowledge_minutes(self):
        return self._minutes(self.pressed_at, self.acknowledged_at)

    @property
    def arrival_minutes(self):
        return self._minutes(self.pressed_at, self.arrived_at)


class VideoCheck(SchoolRecord):
    """A spot-check of the video system: cameras working, and days of recordings kept."""

    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    cameras_total = models.PositiveSmallIntegerField(_("cameras"))
    cameras_working = models.PositiveSmallIntegerField(_("cameras working"))
    retention_days = models.PositiveSmallIntegerField(_("days of recordings kept"))

    objects = VideoCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("video check")
        verbose_name_plural = _("video checks")
        ordering = ["-checked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cameras_total__gte=1), name="videocheck_has_cameras"
            ),
            models.CheckConstraint(
                condition=Q(cameras_working__lte=F("cameras_total")),
                name="videocheck_working_within_total",
            ),
        ]
        indexes = [models.Index(fields=["school", "-checked_at"], name="videocheck_school_idx")]

    def __str__(self):
        return f"{self.school} {timezone.localtime(self.checked_at):%Y-%m-%d}"

    def clean(self):
        super().clean()
        errors = {}
        if self.checked_at and self.checked_at > timezone.now():
            errors["checked_at"] = _("A check cannot be recorded before it happens.")
        if self.cameras_total is not None and self.cameras_total < 1:
            errors["cameras_total"] = _("Give the number of cameras (at least 1).")
        elif (
            self.cameras_working is not None
            and self.cameras_total is not None
            and self.cameras_working > self.cameras_total
        ):
            errors["cameras_working"] = _("More cameras working than there are.")
        if errors:
            raise ValidationError(errors)

    @property
    def retention_short(self) -> bool:
        return self.retention_days < RETENTION_DAYS_REQUIRED

    @property
    def cameras_down(self) -> int:
        return self.cameras_total - self.cameras_working

    @property
    def is_flagged(self) -> bool:
        """Fewer than 30 days kept, or a camera down (VideoCheckQuerySet.flagged says the same)."""
        return self.retention_short or self.cameras_down > 0


class KitConfirmation(TimeStampedModel):
    """The kit at one place confirmed at a shift handover: complete, or with pieces missing."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="kit_confirmations",
        verbose_name=_("school"),
    )
    location = models.ForeignKey(
        "equipment.Location",
        on_delete=models.CASCADE,
        related_name="kit_confirmations",
        verbose_name=_("location"),
        # The (place, confirmed at) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    is_complete = models.BooleanField(_("kit complete"))
    # The duty log it was confirmed from ("posts.dutylog:42"), for the link back.
    handover_ref = models.CharField(_("handover"), max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = SCHOOL_RECORD

    class Meta:
        verbose_name = _("kit confirmation")
        verbose_name_plural = _("kit confirmations")
        ordering = ["-confirmed_at", "-pk"]
        indexes = [
            # The latest confirmation of each place (the duty log's slot).
            models.Index(fields=["location", "-confirmed_at"], name="kitconfirmation_latest_idx"),
        ]

    def __str__(self):
        return f"{self.location} {timezone.localtime(self.confirmed_at):%Y-%m-%d %H:%M}"


class KitShortage(models.Model):
    """A piece named missing at a handover, until it is back (resolved) or a hazard is opened."""

    confirmation = models.ForeignKey(
        KitConfirmation,
        on_delete=models.CASCADE,
        related_name="shortages",
        verbose_name=_("kit confirmation"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    # Copied from the confirmation: the sweeps and lists filter on them directly.
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="kit_shortages",
        verbose_name=_("school"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    location = models.ForeignKey(
        "equipment.Location",
        on_delete=models.CASCADE,
        related_name="kit_shortages",
        verbose_name=_("location"),
    )
    equipment_type = models.ForeignKey(
        "equipment.EquipmentType",
        on_delete=models.PROTECT,
        related_name="kit_shortages",
        verbose_name=_("equipment type"),
    )
    missing = models.PositiveSmallIntegerField(_("pieces missing"), default=1)
    found_at = models.DateTimeField(_("found at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    hazard_reported_at = models.DateTimeField(_("hazard opened at"), null=True, blank=True)

    objects = KitShortageQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {"view": ALL_ROLES, "resolve": SCHOOL_STAFF}

    class Meta:
        verbose_name = _("missing piece")
        verbose_name_plural = _("missing pieces")
        ordering = ["-found_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(missing__gte=1), name="kitshortage_missing_positive"
            ),
            models.UniqueConstraint(
                fields=["confirmation", "equipment_type"], name="kitshortage_one_per_type"
            ),
        ]
        indexes = [
            # The escalation sweep: open shortages not yet handed to the ledger.
            models.Index(
                fields=["found_at"],
                condition=Q(resolved_at__isnull=True, hazard_reported_at__isnull=True),
                name="kitshortage_unescalated_idx",
            ),
            models.Index(fields=["school", "resolved_at"], name="kitshortage_school_idx"),
        ]

    def __str__(self):
        return f"{self.location}: {self.equipment_type} −{self.missing}"

    @property
    def origin_ref(self) -> str:
        return f"equipment.kitshortage:{self.pk}"
