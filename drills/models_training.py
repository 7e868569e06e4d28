"""Who attended a training session: post members from the registry and the school's users.

A member is referred to by a foreign key to the posts registry, so the
database keeps the link whole, but drills imports nothing of posts: the
forms and serializers reach the members a user may see through this
relation's model (`attendee_members()`), the one way into the registry here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from drills.models import SCHOOL_RECORDS, TrainingSession
from schools.models.obligations import SCHOOL_PATHS
from schools.querysets import ScopedQuerySet


class TrainingAttendee(models.Model):
    """One person at a training session: a registered post member or a user of the platform."""

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="attendees",
        verbose_name=_("training session"),
        # The unique (session, member) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    member = models.ForeignKey(
        "posts.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_attendances",
        verbose_name=_("post member"),
        # The (member, session) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_attendances",
        verbose_name=_("user"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = {level: (f"session__{path}",) for level, (path,) in SCHOOL_PATHS.items()}
    access = SCHOOL_RECORDS

    class Meta:
        verbose_name = _("training attendee")
        verbose_name_plural = _("training attendees")
        ordering = ["session_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, user__isnull=True)
                | Q(member__isnull=True, user__isnull=False),
                name="trainingattendee_member_xor_user",
            ),
            models.UniqueConstraint(
                fields=["session", "member"], name="trainingattendee_member_once"
            ),
            models.UniqueConstraint(fields=["session", "user"], name="trainingattendee_user_once"),
        ]
        indexes = [
            # A member's training history (?member= on the training list).
            models.Index(fields=["member", "session"], name="trainingattendee_member_idx"),
        ]

    def __str__(self):
        return str(self.member or self.user)


def attendee_members():
    """The posts registry's members, as a manager with for_user(), without importing posts."""
    return TrainingAttendee._meta.get_field("member").related_model.objects
