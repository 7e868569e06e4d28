"""Posts (护学岗) at school gates and their peak periods."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, BUREAU, SCHOOL_STAFF
from posts.choices import Period
from posts.models.members import SCHOOL_PATHS
from schools.models import Gate, TimeStampedModel
from schools.querysets import ScopedQuerySet


def prefixed(paths, prefix):
    return {level: tuple(f"{prefix}__{path}" for path in values) for level, values in paths.items()}


class Post(TimeStampedModel):
    """A school's standing protection post at one of its gates or pick-up points."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="posts",
        verbose_name=_("school"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    gate = models.ForeignKey(
        "schools.Gate",
        on_delete=models.PROTECT,
        related_name="posts",
        verbose_name=_("gate or pick-up point"),
    )
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {
        "view": ALL_ROLES,
        "add": BUREAU | SCHOOL_STAFF,
        "change": BUREAU | SCHOOL_STAFF,
        "delete": BUREAU | SCHOOL_STAFF,
    }

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="post_unique_name_in_school"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        Gate.check_same_school(self, _("Choose a gate of this post's school."))


class PostPeriod(TimeStampedModel):
    """One peak period of a post: its time window and the staffing it needs."""

    post = models.ForeignKey(
        Post,
        on_delete=models.CASCADE,
        related_name="periods",
        verbose_name=_("post"),
        # The unique (post, period) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    period = models.CharField(_("period"), max_length=10, choices=Period)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    min_members = models.PositiveSmallIntegerField(_("minimum members"), default=3)
    min_police = models.PositiveSmallIntegerField(_("minimum police officers"), default=1)
    is_required = models.BooleanField(
        _("required every school day"),
        default=True,
        help_text=_("Counts towards the school's daily coverage."),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = prefixed(SCHOOL_PATHS, "post")
    access = Post.access

    class Meta:
        verbose_name = _("post period")
        verbose_name_plural = _("post periods")
        ordering = ["post", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["post", "period"], name="postperiod_one_per_period"),
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="postperiod_window_in_order"
            ),
            models.CheckConstraint(
                condition=Q(min_members__gte=1), name="postperiod_at_least_one_member"
            ),
            models.CheckConstraint(
                condition=Q(min_police__lte=F("min_members")),
                name="postperiod_police_within_members",
            ),
        ]

    def __str__(self):
        return f"{self.post} · {self.get_period_display()}"

    def clean(self):
        super().clean()
        errors = {}
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            errors["end_time"] = _("The window must end after it starts.")
        if self.min_members is not None and self.min_members < 1:
            errors["min_members"] = _("A post needs at least one member.")
        if (
            self.min_police is not None
            and self.min_members is not None
            and self.min_police > self.min_members
        ):
            errors["min_police"] = _("More police officers than members in all.")
        if errors:
            raise ValidationError(errors)
