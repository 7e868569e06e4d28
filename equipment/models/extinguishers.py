"""The monthly extinguisher check (GB 50444-2008 §5.2): one answer per extinguisher.

A check is started for a school's obligation window (the month, or whatever
period the city's "extinguisher-monthly" rule says), answered piece by piece
from the list or by scanning a piece's QR code, and finished once every
in-service extinguisher has an answer. The writes are in equipment/extinguishers.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campussafety.uploads import ProtectedImageField
from equipment.models.checks import SCHOOL_RECORD
from schools.models import TimeStampedModel
from schools.models.obligations import SCHOOL_PATHS
from schools.querysets import ScopedQuerySet


class ExtinguisherCheck(TimeStampedModel):
    """One round of a school's extinguishers for one window of the obligation."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="extinguisher_checks",
        verbose_name=_("school"),
    )
    window_start = models.DateField(_("period from"))
    window_end = models.DateField(_("period to"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = SCHOOL_RECORD

    class Meta:
        verbose_name = _("extinguisher check")
        verbose_name_plural = _("extinguisher checks")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One check open at a time per school: scanning a code answers that one.
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(finished_at__isnull=True),
                name="extinguishercheck_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.window_start:%Y-%m-%d}"


class ExtinguisherAnswer(TimeStampedModel):
    """Passed or failed, for one extinguisher in one check; a failure opens a hazard."""

    check_run = models.ForeignKey(
        ExtinguisherCheck,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("extinguisher check"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    # The check's school, kept here so the answers are scoped like every school record.
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    item = models.ForeignKey(
        "equipment.Item",
        on_delete=models.CASCADE,
        related_name="extinguisher_answers",
        verbose_name=_("extinguisher"),
    )
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    photo = ProtectedImageField(_("photo"), upload_to="extinguishers/%Y/%m/", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = SCHOOL_RECORD

    class Meta:
        verbose_name = _("extinguisher answer")
        verbose_name_plural = _("extinguisher answers")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_run", "item"], name="extinguisheranswer_one_per_item"
            ),
        ]

    def __str__(self):
        return f"{self.item} {'✓' if self.passed else '✗'}"
