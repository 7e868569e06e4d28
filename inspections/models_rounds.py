"""Rounds with evidence: a round of a rule's checklist at a school, its scans, answers and findings.

Kept apart from the checklists (inspections/models.py re-exports these). A
guard sees only their own rounds (`own_paths`); school staff and the bureau see
their schools' rounds. Times are the server's: a scan or an answer is stamped
when it reaches us, never from the phone.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, GUARD, SCHOOL_STAFF, Role
from campussafety.uploads import ProtectedImageField
from inspections.choices import FindingStatus, HazardCategory, HazardLevel, PhotoFlag, RoundStatus
from schools.models import TimeStampedModel
from schools.models.obligations import SCHOOL_PATHS
from schools.querysets import ScopedQuerySet

RUNNERS = SCHOOL_STAFF | GUARD


def _paths(prefix):
    return {
        level: tuple(f"{prefix}__{path}" for path in paths) for level, paths in SCHOOL_PATHS.items()
    }


class Round(TimeStampedModel):
    """One walk of a rule's checklist at a school by one person, from start to finish."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="rounds",
        verbose_name=_("school"),
        # The (school, rule, started at) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    rule = models.ForeignKey(
        "inspections.InspectionRule",
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("inspection rule"),
    )
    version = models.ForeignKey(
        "inspections.ChecklistVersion",
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("checklist version"),
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspection_rounds",
        verbose_name=_("inspector"),
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus, default=RoundStatus.IN_PROGRESS
    )
    skipped = models.ManyToManyField(
        "inspections.Checkpoint",
        blank=True,
        related_name="+",
        verbose_name=_("skipped checkpoints"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    own_paths = {Role.GUARD: "inspector"}
    access = {"view": ALL_ROLES | GUARD, "add": RUNNERS, "change": RUNNERS}

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-started_at"]
        constraints = [
            # Scanning a checkpoint continues the inspector's open round there.
            models.UniqueConstraint(
                fields=["inspector", "school"],
                condition=Q(status=RoundStatus.IN_PROGRESS),
                name="round_one_open_per_inspector_and_school",
            ),
            models.CheckConstraint(
                condition=Q(status=RoundStatus.IN_PROGRESS, finished_at__isnull=True)
                | (
                    ~Q(status=RoundStatus.IN_PROGRESS)
                    & Q(finished_at__isnull=False, finished_at__gte=models.F("started_at"))
                ),
                name="round_finished_when_not_in_progress",
            ),
        ]
        indexes = [
            # A school's rounds of one rule, newest first (the record lists and the board).
            models.Index(
                fields=["school", "rule", "-started_at"], name="round_school_rule_started"
            ),
        ]

    def __str__(self):
        return f"{self.rule} · {self.school} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.IN_PROGRESS


class Scan(models.Model):
    """A checkpoint reached on a round: its QR code opened, at the server's time."""

    round = models.ForeignKey(
        Round,
        on_delete=models.CASCADE,
        related_name="scans",
        verbose_name=_("round"),
        # The unique (round, checkpoint) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    checkpoint = models.ForeignKey(
        "inspections.Checkpoint",
        on_delete=models.PROTECT,
        related_name="scans",
        verbose_name=_("checkpoint"),
    )
    scanned_at = models.DateTimeField(_("scanned"))

    objects = ScopedQuerySet.as_manager()

    scope_paths = _paths("round")
    own_paths = {Role.GUARD: "round__inspector"}
    access = {"view": ALL_ROLES | GUARD}

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["round", "scanned_at"]
        constraints = [
            # The first scan counts; opening the code again only continues.
            models.UniqueConstraint(fields=["round", "checkpoint"], name="scan_once_per_round"),
        ]

    def __str__(self):
        return f"{self.checkpoint} · {self.scanned_at:%H:%M}"


class Answer(models.Model):
    """One item answered on a round, at a checkpoint (or once for the round), with its evidence."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="answers", verbose_name=_("round")
    )
    checkpoint = models.ForeignKey(
        "inspections.Checkpoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("checkpoint"),
    )
    item = models.ForeignKey(
        "inspections.ChecklistItem",
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("item"),
    )
    passed = models.BooleanField(_("passed"))
    number = models.DecimalField(_("number"), max_digits=9, decimal_places=2, null=True, blank=True)
    text = models.CharField(_("text"), max_length=500, blank=True)
    corrected_on_spot = models.BooleanField(_("corrected on the spot"), default=False)
    photo = ProtectedImageField(_("photo"), upload_to="inspection-answers/%Y/%m/", blank=True)
    photo_sha256 = models.CharField(_("photo checksum"), max_length=64, blank=True, db_index=True)
    photo_taken_at = models.DateTimeField(_("photo taken"), null=True, blank=True)
    photo_latitude = models.DecimalField(
        _("photo latitude"), max_digits=10, decimal_places=7, null=True, blank=True
    )
    photo_longitude = models.DecimalField(
        _("photo longitude"), max_digits=10, decimal_places=7, null=True, blank=True
    )
    photo_flags = models.JSONField(_("photo flags"), default=list, blank=True)
    answered_at = models.DateTimeField(_("answered"))

    objects = ScopedQuerySet.as_manager()

    scope_paths = _paths("round")
    own_paths = {Role.GUARD: "round__inspector"}
    access = {"view": ALL_ROLES | GUARD}

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["round", "checkpoint", "item__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "checkpoint", "item"],
                condition=Q(checkpoint__isnull=False),
                name="answer_once_per_checkpoint",
            ),
            models.UniqueConstraint(
                fields=["round", "item"],
                condition=Q(checkpoint__isnull=True),
                name="answer_once_per_round",
            ),
            models.CheckConstraint(
                condition=Q(corrected_on_spot=False) | Q(passed=False),
                name="answer_corrected_only_when_failed",
            ),
        ]

    def __str__(self):
        return f"{self.item} · {'✓' if self.passed else '✗'}"

    @property
    def flag_labels(self) -> list[str]:
        """The photo's flags in words, for the reviewer."""
        return [PhotoFlag(flag).label for flag in self.photo_flags]


class Finding(TimeStampedModel):
    """A failed item not corrected on the spot, on its round: the link to the hazard it opened.

    Findings kept before the ledger existed were adopted by migration 0006.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("school"),
    )
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="findings", verbose_name=_("round")
    )
    answer = models.OneToOneField(
        Answer, on_delete=models.CASCADE, related_name="finding", verbose_name=_("answer")
    )
    place = models.CharField(_("place"), max_length=200)
    description = models.CharField(_("description"), max_length=500)
    hazard_category = models.CharField(_("hazard category"), max_length=20, choices=HazardCategory)
    hazard_level = models.CharField(_("hazard level"), max_length=10, choices=HazardLevel)
    found_at = models.DateTimeField(_("found"))
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus, default=FindingStatus.OPEN
    )
    # What the ledger made of it ("hazards.hazard:17"), once adopted.
    adopted_as = models.CharField(_("adopted as"), max_length=60, blank=True)
    hazard = models.ForeignKey(
        "inspections.Hazard",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("hazard"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    own_paths = {Role.GUARD: "round__inspector"}
    access = {"view": ALL_ROLES | GUARD}

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-found_at"]
        indexes = [
            # The ledger's adoption sweep: open findings of a school.
            models.Index(
                fields=["school"], condition=Q(status="open"), name="finding_open_by_school"
            ),
        ]

    def __str__(self):
        return f"{self.place} · {self.description}"
