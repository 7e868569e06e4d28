"""Daily snapshots of every school's indicators, so that any view can be asked "as of" a day.

One row per day, indicator and school with the numerator and denominator of
that day's Measure (campussafety/indicators.py): a district's or the city's
value as of a day is one GROUP BY summing them. SnapshotDay records when a
day was (last) taken: the API's Last-Modified and ETag read that one row.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES
from schools.querysets import ScopedQuerySet

SCHOOL_PATHS = {
    "school": ("school",),
    "police_station": ("school__police_station",),
    "district": ("school__district",),
    "city": ("school__district__city",),
}


class IndicatorSnapshot(models.Model):
    date = models.DateField(_("date"))
    code = models.CharField(_("indicator"), max_length=60)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="indicator_snapshots",
        verbose_name=_("school"),
    )
    numerator = models.IntegerField(_("numerator"))
    # None: a count, not a share (campussafety.indicators.Measure).
    denominator = models.IntegerField(_("denominator"), null=True)
    taken_at = models.DateTimeField(_("taken at"))

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {"view": ALL_ROLES}

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        ordering = ["date", "code", "school"]
        constraints = [
            # Also the index of "every school's value of these indicators on a day".
            models.UniqueConstraint(
                fields=["date", "code", "school"], name="indicatorsnapshot_one_per_day"
            ),
        ]
        indexes = [
            # Trends: one indicator over a range of days.
            models.Index(fields=["code", "date"], name="indicatorsnapshot_trend_idx"),
        ]

    def __str__(self):
        return f"{self.date} {self.code} {self.school_id}: {self.numerator}/{self.denominator}"


class SnapshotDay(models.Model):
    """A day whose snapshot was taken, and when last: what makes a past value cacheable."""

    date = models.DateField(_("date"), unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    rows = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        verbose_name = _("snapshot day")
        verbose_name_plural = _("snapshot days")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} ({self.rows})"
