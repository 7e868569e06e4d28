"""The bureau's supervision visits (督导): a random draw of schools and inspectors, then visits.

双随机: district staff draw schools of their district at random, and for each
an inspector at random among the district's staff. The draw keeps its seed,
who drew and when, so anyone can re-run it and get the same result; one draw
per district and period (a second draw for the same period is the first one).
Each visit is a round of the scored supervision checklist at the school.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scope import BUREAU
from schools.models import TimeStampedModel
from schools.querysets import ScopedQuerySet

DRAW_PATHS = {"district": ("district",), "city": ("district__city",)}


class SupervisionDraw(TimeStampedModel):
    """One 双随机 draw of a district's schools and inspectors for a period."""

    district = models.ForeignKey(
        "schools.District",
        on_delete=models.CASCADE,
        related_name="supervision_draws",
        verbose_name=_("district"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    period = models.CharField(_("period"), max_length=20, help_text=_("For example 2026-autumn."))
    seed = models.BigIntegerField(_("random seed"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    drawn_at = models.DateTimeField(_("drawn at"))
    schools_asked = models.PositiveSmallIntegerField(_("schools to draw"))
    # The schools and inspectors drawn from, in order: with the seed they replay the draw.
    candidates = models.JSONField(_("drawn from"), default=dict)

    objects = ScopedQuerySet.as_manager()

    scope_paths = DRAW_PATHS
    # Drawn schools are not told in advance: only the bureau sees the draws.
    access = {"view": BUREAU, "add": BUREAU, "change": BUREAU}

    class Meta:
        verbose_name = _("supervision draw")
        verbose_name_plural = _("supervision draws")
        ordering = ["-drawn_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "period"], name="supervision_draw_once_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.district} · {self.period}"


class SupervisionVisit(models.Model):
    """A school drawn for supervision, the inspector drawn for it, and the round once visited."""

    draw = models.ForeignKey(
        SupervisionDraw,
        on_delete=models.CASCADE,
        related_name="visits",
        verbose_name=_("draw"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="supervision_visits",
        verbose_name=_("school"),
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervision_visits",
        verbose_name=_("inspector"),
    )
    round = models.OneToOneField(
        "inspections.Round",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervision_visit",
        verbose_name=_("round"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = {
        "district": ("draw__district",),
        "city": ("draw__district__city",),
    }
    access = {"view": BUREAU, "change": BUREAU}

    class Meta:
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")
        ordering = ["draw", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "school"], name="supervision_school_once"),
        ]

    def __str__(self):
        return f"{self.draw} · {self.school}"
