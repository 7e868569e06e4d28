"""Rosters: a weekly pattern per post period, generated into dated shifts."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from posts.choices import ShiftOrigin
from posts.models.members import SCHOOL_PATHS
from posts.models.posts import Post, prefixed
from schools.choices import WEEKDAYS
from schools.models import TimeStampedModel
from schools.querysets import ScopedQuerySet


class RosterRule(TimeStampedModel):
    """In the weekly pattern: `member` stands `post_period` on `weekday`."""

    post_period = models.ForeignKey(
        "posts.PostPeriod",
        on_delete=models.CASCADE,
        related_name="roster_rules",
        verbose_name=_("post period"),
        # The unique (post period, weekday, member) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    member = models.ForeignKey(
        "posts.Member",
        on_delete=models.CASCADE,
        related_name="roster_rules",
        verbose_name=_("member"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = prefixed(SCHOOL_PATHS, "post_period__post")
    access = Post.access

    class Meta:
        verbose_name = _("roster rule")
        verbose_name_plural = _("roster rules")
        ordering = ["post_period", "weekday", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["post_period", "weekday", "member"], name="rosterrule_unique"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="rosterrule_weekday_range"
            ),
        ]

    def __str__(self):
        return f"{self.post_period} · {self.get_weekday_display()} · {self.member}"


class Shift(TimeStampedModel):
    """A member rostered to stand a post period on a date.

    A shift the weekly pattern made and someone then removed is kept as
    cancelled, so that generating the roster again does not bring it back.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("school"),
        help_text=_("The post's school, kept here for scoping and daily queries."),
        # The (school, date) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    post_period = models.ForeignKey(
        "posts.PostPeriod",
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("post period"),
        # The unique (post period, date, member) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    date = models.DateField(_("date"))
    member = models.ForeignKey(
        "posts.Member",
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("member"),
        # The (member, date) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    origin = models.CharField(_("origin"), max_length=10, choices=ShiftOrigin)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = Post.access

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["date", "post_period", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["post_period", "date", "member"], name="shift_one_per_member_period_day"
            ),
        ]
        indexes = [
            # Conflict checks: a member's other shifts on the same day.
            models.Index(fields=["member", "date"], name="shift_member_date_idx"),
            # Today's roster of a school, and the week view.
            models.Index(fields=["school", "date"], name="shift_school_date_idx"),
        ]

    def __str__(self):
        return f"{self.date} {self.post_period} · {self.member}"
