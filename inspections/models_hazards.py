"""The hazard ledger (隐患排查整改销号台账): hazards, their events, photos, extensions, supervision.

A hazard is numbered per school and ledger year (a new ledger each January),
moves through the states of `HazardState` only through inspections/hazards.py,
and keeps every move as an append-only HazardEvent. Whether it is overdue is
worked out from its state and deadline (`HazardQuerySet.overdue`), never
stored. The deadlines, the recurrence window and the reminder thresholds are
the city's (HazardRules, with a national default).
"""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, BUREAU, SCHOOL_STAFF, Role, edited_by
from campussafety.uploads import ProtectedImageField
from inspections.choices import (
    OPEN_STATES,
    UNRECTIFIED_STATES,
    ExtensionStatus,
    HazardCategory,
    HazardEventKind,
    HazardLevel,
    HazardPhotoKind,
    HazardState,
    PhotoFlag,
    SupervisionLevel,
)
from schools.models import TimeStampedModel
from schools.models.obligations import SCHOOL_PATHS
from schools.querysets import CityOrNationalQuerySet, ScopedQuerySet

RECTIFIERS = SCHOOL_STAFF | BUREAU


def user_field(verbose_name, related_name="+", blank=True):
    """Who did something: kept as None if the account is ever deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=blank,
        related_name=related_name,
        verbose_name=verbose_name,
    )


def _paths(prefix):
    return {
        level: tuple(f"{prefix}__{path}" for path in paths) for level, paths in SCHOOL_PATHS.items()
    }


HAZARD_PATHS = _paths("hazard")


class HazardRules(TimeStampedModel):
    """A city's ledger settings (a row without a city is the national default).

    Default deadlines by level, the recurrence window, the names of the levels,
    and the thresholds of the reminders (inspections/reminders.py).
    """

    city = models.OneToOneField(
        "schools.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="hazard_rules",
        verbose_name=_("city"),
        help_text=_("Empty for the national default."),
    )
    general_days = models.PositiveSmallIntegerField(
        _("days to rectify a general hazard"), default=7, validators=[MinValueValidator(1)]
    )
    serious_days = models.PositiveSmallIntegerField(
        _("days to rectify a serious hazard"), default=15, validators=[MinValueValidator(1)]
    )
    major_days = models.PositiveSmallIntegerField(
        _("days to rectify a major hazard"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("Until a supervision order sets its own deadline."),
    )
    level_names = models.JSONField(
        _("names of the levels"),
        default=dict,
        blank=True,
        help_text=_('The city\'s own names, e.g. {"serious": "较大"}; empty for the defaults.'),
    )
    recurrence_days = models.PositiveSmallIntegerField(
        _("recurrence window (days)"),
        default=90,
        help_text=_(
            "A hazard of the same category at the same place this soon after one was "
            "struck off is a recurrence."
        ),
    )
    warn_days_before = models.PositiveSmallIntegerField(
        _("warn this many days before the deadline"), default=1
    )
    overdue_officer_days = models.PositiveSmallIntegerField(
        _("overdue days before the responsible person and safety officer hear"), default=1
    )
    overdue_principal_days = models.PositiveSmallIntegerField(
        _("overdue days before the principal hears"), default=3
    )
    overdue_district_days = models.PositiveSmallIntegerField(
        _("overdue days before the district hears"), default=7
    )
    overdue_district_major_days = models.PositiveSmallIntegerField(
        _("overdue days before the district hears of a major hazard"), default=1
    )
    overdue_city_days = models.PositiveSmallIntegerField(
        _("overdue days before the city hears"), default=30
    )
    verify_again_days = models.PositiveSmallIntegerField(
        _("days before the verifier is reminded again"), default=3
    )
    report_every_days = models.PositiveSmallIntegerField(
        _("default progress-report cadence of supervised hazards (days)"),
        default=7,
        validators=[MinValueValidator(1)],
    )

    objects = CityOrNationalQuerySet.as_manager()

    scope_paths = {"city": ("city",)}
    access = edited_by({Role.CITY_STAFF})

    class Meta:
        verbose_name = _("hazard ledger rules")
        verbose_name_plural = _("hazard ledger rules")
        constraints = [
            models.UniqueConstraint(
                fields=["city"], condition=Q(city__isnull=True), name="hazardrules_one_national"
            ),
        ]

    def __str__(self):
        return str(self.city or _("National default"))

    @classmethod
    def for_cities(cls, city_ids) -> dict:
        """{city id: rules} for `city_ids` (their own row, else the national one), one query."""
        rows = {
            row.city_id: row
            for row in cls.objects.filter(Q(city_id__in=set(city_ids)) | Q(city__isnull=True))
        }
        default = rows.get(None) or cls()
        return {city_id: rows.get(city_id, default) for city_id in city_ids}

    @classmethod
    def for_city(cls, city_id) -> "HazardRules":
        return cls.for_cities([city_id])[city_id]

    def deadline_days(self, level) -> int:
        return {
            HazardLevel.GENERAL: self.general_days,
            HazardLevel.SERIOUS: self.serious_days,
        }.get(level, self.major_days)

    def level_name(self, level) -> str:
        return self.level_names.get(level) or HazardLevel(level).label


class HazardSequence(models.Model):
    """The last ledger number given at a school in a year (locked while the next is given)."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("school"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("ledger year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("hazard ledger sequence")
        verbose_name_plural = _("hazard ledger sequences")
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="hazardsequence_once"),
        ]

    def __str__(self):
        return f"{self.school_id} · {self.year} · {self.last}"


def overdue_condition(today) -> Q:
    """Still owed by the school and past its deadline: the one definition of overdue."""
    return Q(state__in=UNRECTIFIED_STATES, deadline__lt=today)


class HazardQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today=None):
        """Still owed by the school and past its deadline (overdue is computed, never stored)."""
        return self.filter(overdue_condition(today or timezone.localdate()))

    def with_overdue(self, today=None):
        """Each row's `is_overdue`, for lists and the API."""
        today = today or timezone.localdate()
        return self.annotate(
            is_overdue=Case(
                When(overdue_condition(today), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )


class Hazard(TimeStampedModel):
    """One hazard on a school's ledger, from its report to its striking off (销号)."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="hazards",
        verbose_name=_("school"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("ledger year"))
    number = models.PositiveIntegerField(_("ledger number"))
    found_at = models.DateTimeField(_("found"))
    checkpoint = models.ForeignKey(
        "inspections.Checkpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("checkpoint"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=HazardCategory)
    description = models.TextField(_("description"), max_length=2000)
    level = models.CharField(
        _("level"), max_length=10, choices=HazardLevel, default=HazardLevel.GENERAL
    )
    interim_measures = models.TextField(_("interim measures"), max_length=2000, blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    responsible_person = user_field(_("responsible person"), related_name="hazards_responsible")
    measures = models.TextField(_("measures"), max_length=2000, blank=True)
    funds = models.DecimalField(
        _("funds (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    rectification = models.TextField(_("how it was rectified"), max_length=2000, blank=True)
    submitted_by = user_field(_("rectification submitted by"))
    submitted_at = models.DateTimeField(_("rectification submitted"), null=True, blank=True)
    verified_by = user_field(_("re-checked by"))
    verified_at = models.DateTimeField(_("re-checked"), null=True, blank=True)
    signed_off_by = user_field(_("signed off by the bureau"))
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    closed_at = models.DateTimeField(_("struck off"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=HazardState, default=HazardState.REPORTED
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    recurrence_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recurrences",
        verbose_name=_("recurrence of"),
        help_text=_("The hazard struck off at the same place shortly before (反弹)."),
    )
    # Kept with the open supervision order (inspections/hazards.py), for the bureau's filters.
    supervised = models.BooleanField(_("under supervision"), default=False)
    origin = models.CharField(_("origin"), max_length=20, default="direct")
    # "app_label.model:pk" of the record that found it: one hazard per record.
    origin_ref = models.CharField(_("origin record"), max_length=80, blank=True)
    origin_url = models.CharField(_("origin page"), max_length=300, blank=True)
    round = models.ForeignKey(
        "inspections.Round",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("round"),
    )
    answer = models.ForeignKey(
        "inspections.Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("answer"),
    )
    reported_by = user_field(_("reported by"), related_name="hazards_reported")

    objects = HazardQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    # Further actions of the lifecycle (inspections/hazards.py says which needs which).
    access = {
        "view": ALL_ROLES,
        "add": ALL_ROLES,
        "change": RECTIFIERS,
        "verify": RECTIFIERS,
        "decide": frozenset({Role.PRINCIPAL}) | BUREAU,
        "sign_off": BUREAU,
        "supervise": BUREAU,
    }

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-year", "-number", "school_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "number"], name="hazard_unique_ledger_number"
            ),
            models.UniqueConstraint(
                fields=["origin_ref"], condition=~Q(origin_ref=""), name="hazard_once_per_origin"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="hazard_number_positive"),
            models.CheckConstraint(
                condition=~Q(state=HazardState.MERGED) | Q(duplicate_of__isnull=False),
                name="hazard_merged_names_original",
            ),
        ]
        indexes = [
            # A school's ledger by state (the school's list and the bureau's counts).
            models.Index(fields=["school", "state"], name="hazard_school_state"),
            # The overdue sweep and filter: open hazards by deadline.
            models.Index(
                fields=["deadline"],
                condition=Q(state__in=UNRECTIFIED_STATES),
                name="hazard_unrectified_deadline",
            ),
            # Recurrence detection: closed hazards at a checkpoint.
            models.Index(
                fields=["checkpoint", "category", "-closed_at"],
                condition=Q(state=HazardState.CLOSED),
                name="hazard_closed_at_checkpoint",
            ),
            # The bureau's ledger, newest first a page at a time: read in the index's
            # order and stopped at the page's end, not sorted whole (a city's ledger holds
            # hundreds of thousands of hazards; its open ones are a few per cent of them).
            models.Index(fields=["-found_at", "-id"], name="hazard_found"),
            models.Index(
                fields=["-found_at", "-id"],
                condition=Q(state__in=OPEN_STATES),
                name="hazard_open_found",
            ),
        ]

    def __str__(self):
        return f"{self.ledger_number} · {self.description[:40]}"

    @property
    def ledger_number(self) -> str:
        return f"{self.year}-{self.number:03d}"

    @property
    def is_recurrence(self) -> bool:
        return self.recurrence_of_id is not None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR

    def is_overdue_on(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(self.state in UNRECTIFIED_STATES and self.deadline and self.deadline < today)

    @property
    def where(self) -> str:
        return self.checkpoint.name if self.checkpoint_id else self.place


class HazardEvent(models.Model):
    """One step of a hazard's history: append-only (the service writes, nobody edits)."""

    hazard = models.ForeignKey(
        Hazard, on_delete=models.CASCADE, related_name="events", verbose_name=_("hazard")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=HazardEventKind)
    from_state = models.CharField(_("from"), max_length=12, choices=HazardState, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=HazardState, blank=True)
    actor = user_field(_("by"))
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), max_length=2000, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = HAZARD_PATHS
    access = {"view": ALL_ROLES}

    class Meta:
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        ordering = ["hazard_id", "at", "pk"]

    def __str__(self):
        return f"{self.hazard_id} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A hazard event is never changed once written.")
        super().save(*args, **kwargs)


class HazardPhoto(models.Model):
    """A photo of a hazard: before, during or after rectification, with its evidence."""

    hazard = models.ForeignKey(
        Hazard, on_delete=models.CASCADE, related_name="photos", verbose_name=_("hazard")
    )
    event = models.ForeignKey(
        HazardEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("event"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=HazardPhotoKind)
    image = ProtectedImageField(_("photo"), upload_to="hazard-photos/%Y/%m/")
    sha256 = models.CharField(_("photo checksum"), max_length=64, blank=True, db_index=True)
    taken_at = models.DateTimeField(_("photo taken"), null=True, blank=True)
    latitude = models.DecimalField(
        _("photo latitude"), max_digits=10, decimal_places=7, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("photo longitude"), max_digits=10, decimal_places=7, null=True, blank=True
    )
    flags = models.JSONField(_("photo flags"), default=list, blank=True)
    uploaded_by = user_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"))

    objects = ScopedQuerySet.as_manager()

    scope_paths = HAZARD_PATHS
    access = {"view": ALL_ROLES}

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["hazard_id", "uploaded_at", "pk"]

    def __str__(self):
        return f"{self.hazard_id} · {self.get_kind_display()}"

    @property
    def flag_labels(self) -> list[str]:
        return [PhotoFlag(flag).label for flag in self.flags]


class DeadlineExtension(models.Model):
    """A request for more time, with its reason, and the decision (principal; major: district)."""

    hazard = models.ForeignKey(
        Hazard, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("hazard")
    )
    requested_by = user_field(_("requested by"), blank=False)
    requested_at = models.DateTimeField(_("requested"))
    reason = models.TextField(_("reason"), max_length=1000)
    previous_deadline = models.DateField(_("previous deadline"), null=True, blank=True)
    new_deadline = models.DateField(_("new deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus, default=ExtensionStatus.PENDING
    )
    decided_by = user_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = HAZARD_PATHS
    access = {"view": ALL_ROLES, "decide": frozenset({Role.PRINCIPAL}) | BUREAU}

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["hazard_id", "-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="deadlineextension_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.hazard_id} → {self.new_deadline}"


class SupervisionOrder(models.Model):
    """挂牌督办: a bureau puts a hazard under supervision with the five fixed items."""

    hazard = models.ForeignKey(
        Hazard,
        on_delete=models.CASCADE,
        related_name="supervision_orders",
        verbose_name=_("hazard"),
    )
    level = models.CharField(_("supervised by"), max_length=10, choices=SupervisionLevel)
    measures = models.TextField(_("measures"), max_length=2000)
    responsibility = models.TextField(_("responsibility"), max_length=1000)
    funds = models.CharField(_("funds"), max_length=200)
    deadline = models.DateField(_("deadline"))
    contingency_plan = models.TextField(_("contingency plan"), max_length=2000)
    report_every_days = models.PositiveSmallIntegerField(
        _("report progress every (days)"), default=7, validators=[MinValueValidator(1)]
    )
    issued_by = user_field(_("issued by"), blank=False)
    issued_at = models.DateTimeField(_("issued"))
    lifted_by = user_field(_("lifted by"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_note = models.CharField(_("why lifted"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = HAZARD_PATHS
    # The school reports progress ("change"); the bureau lifts the order.
    access = {"view": ALL_ROLES, "change": RECTIFIERS, "supervise": BUREAU}

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["hazard_id", "-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(lifted_at__isnull=True),
                name="supervisionorder_one_active",
            ),
        ]

    def __str__(self):
        return f"{self.hazard_id} · {self.get_level_display()}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    def next_report_due(self, last_report_at=None) -> datetime.date:
        since = last_report_at or self.issued_at
        return timezone.localdate(since) + datetime.timedelta(days=self.report_every_days)


class SupervisionReport(models.Model):
    """The school's progress report on a supervised hazard, on the order's cadence."""

    order = models.ForeignKey(
        SupervisionOrder,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("supervision order"),
    )
    event = models.OneToOneField(
        HazardEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    reported_by = user_field(_("reported by"), blank=False)
    reported_at = models.DateTimeField(_("reported"))
    progress = models.TextField(_("progress"), max_length=2000)

    objects = ScopedQuerySet.as_manager()

    scope_paths = _paths("order__hazard")
    access = {"view": ALL_ROLES}

    class Meta:
        verbose_name = _("supervision report")
        verbose_name_plural = _("supervision reports")
        ordering = ["order_id", "-reported_at"]

    def __str__(self):
        return f"{self.order_id} · {self.reported_at:%Y-%m-%d}"
