"""Notifications, their deliveries per channel, and each user's channel choices."""

import datetime

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from campussafety.outbound import validate_public_url
from campussafety.uploads import ProtectedFileField
from reminders.choices import Channel, DeliveryStatus


# Callables, not fixed times: Django's check (fields.W161) takes a fixed time-of-day
# default for a mistaken "now", and warns in the ten seconds around 22:00 and 07:00 UTC.
def quiet_hours_start():
    return datetime.time(22, 0)


def quiet_hours_end():
    return datetime.time(7, 0)


class NotificationSettings(models.Model):
    """The channels a user wants reminders on, besides the in-app inbox (always on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("by email"), default=False)
    sms_enabled = models.BooleanField(_("by SMS"), default=False)
    phone = models.CharField(_("mobile phone for SMS"), max_length=20, blank=True)
    webhook_url = models.URLField(
        _("group robot webhook"),
        blank=True,
        max_length=500,
        validators=[URLValidator(schemes=["https", "http"]), validate_public_url],
        help_text=_("A WeCom or DingTalk group robot address: alerts are posted to that group."),
    )
    quiet_start = models.TimeField(
        _("no SMS from"),
        default=quiet_hours_start,
        help_text=_("SMS due in the quiet hours wait until they end."),
    )
    quiet_end = models.TimeField(_("no SMS until"), default=quiet_hours_end)
    language = models.CharField(
        _("language of email and SMS"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Left empty, messages use the site's default language."),
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)

    def channels(self) -> list[str]:
        channels = [Channel.IN_APP]
        if self.email_enabled and self.user.email:
            channels.append(Channel.EMAIL)
        if self.sms_enabled and self.phone:
            channels.append(Channel.SMS)
        if self.webhook_url:
            channels.append(Channel.WEBHOOK)
        return channels

    @property
    def message_language(self) -> str:
        return self.language or settings.LANGUAGE_CODE

    def in_quiet_hours(self, moment: datetime.time) -> bool:
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= moment < self.quiet_end
        return moment >= self.quiet_start or moment < self.quiet_end


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user, action="view"):
        """A user's own notifications: nobody reads another's inbox, whatever their role."""
        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        """Mark the unread ones read now; returns how many."""
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """One digest: what one sweep window of one kind found due for one recipient.

    Its items (NotificationItem) are the reminders it lists. The unique
    constraint on (recipient, kind, window) makes a duplicated beat tick, a
    retried task or a second worker in the same window add to one digest
    instead of sending another; each item's own constraint keeps a reminder
    already sent under its due key out of every later digest. A recipient is a
    user or, for roster digests by SMS, a post member without an account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("user"),
        # Its unique constraint below starts with it and serves its lookups: a second
        # index would only slow the sweeps' set-based inserts.
        db_index=False,
    )
    member = models.ForeignKey(
        "posts.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("post member"),
        # Its unique constraint below starts with it and serves its lookups: a second
        # index would only slow the sweeps' set-based inserts.
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=40)
    window = models.CharField(
        _("sweep window"), max_length=40, help_text=_("The sweep window the digest belongs to.")
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Set when every item is about the same school."),
        # Indexed below where it is set: most digests (a member's morning roster) have none.
        db_index=False,
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, member__isnull=True)
                | Q(user__isnull=True, member__isnull=False),
                name="notification_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "window"],
                condition=Q(user__isnull=False),
                name="digest_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["member", "kind", "window"],
                condition=Q(member__isnull=False),
                name="digest_once_per_member",
            ),
        ]
        indexes = [
            # The unread count in every page's header. A member's digest (no user, never
            # read) is left out: a city's morning roster would add 26,000 entries a day.
            models.Index(
                fields=["user"],
                condition=Q(read_at__isnull=True, user__isnull=False),
                name="notification_unread_idx",
            ),
            # record(): the digests of one sweep window.
            models.Index(fields=["kind", "window"], name="notification_window_idx"),
            # A school's deletion; the digests that name none stay out of it.
            models.Index(
                fields=["school"], condition=Q(school__isnull=False), name="notification_school_idx"
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.user or self.member}"

    def mark_read(self):
        if self.read_at is None:
            self.read_at = timezone.now()
            self.save(update_fields=["read_at"])

    @property
    def reminder(self):
        from reminders.registry import get_kind

        return get_kind(self.kind)

    @cached_property
    def item_list(self) -> list:
        # Prefetched by the inbox and the API; a delivery reads them once.
        return list(self.items.all())

    @property
    def title(self) -> str:
        items = self.item_list
        if len(items) == 1:
            return items[0].title
        return self.reminder.digest_title(len(items))

    @property
    def body(self) -> str:
        """Each item's text, with its absolute link for a recipient who can sign in."""
        items = self.item_list
        if len(items) == 1:
            item = items[0]
            lines = [item.text] if item.text != item.title else []
            if self.user_id and item.link:
                lines.append(absolute_url(item.link))
            return "\n".join(lines)
        lines = []
        for item in items:
            lines.append(f"• {item.text}")
            if self.user_id and item.link:
                lines.append(f"  {absolute_url(item.link)}")
        return "\n".join(lines)

    @property
    def sms_text(self) -> str:
        """A short message: one item in full; a digest of several as its count and the inbox."""
        if len(self.item_list) == 1 or not self.user_id:
            body = self.body
            return f"{self.title}\n{body}" if body else self.title
        return f"{self.title} {absolute_url(reverse('reminders:inbox'))}"

    @property
    def url(self) -> str:
        """Where the digest leads: its items' common page, if they share one."""
        links = {item.link for item in self.item_list}
        return links.pop() if len(links) == 1 else ""


class NotificationItem(models.Model):
    """One reminder listed in a digest: a subject due under a due key, sent once.

    The recipient and kind are repeated from the digest so that the database
    keeps each (recipient, kind, subject, due) to one item, whichever digest
    or worker inserts it first.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="items", verbose_name=_("digest")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        # Its unique constraint below starts with it and serves its lookups: a second
        # index would only slow the sweeps' set-based inserts.
        db_index=False,
    )
    member = models.ForeignKey(
        "posts.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post member"),
        # Its unique constraint below starts with it and serves its lookups: a second
        # index would only slow the sweeps' set-based inserts.
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=100)
    due = models.CharField(_("due"), max_length=40)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        # Indexed below where it is set: a member's roster item has none.
        db_index=False,
    )
    params = models.JSONField(_("details"), default=dict)
    url = models.CharField(_("link"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notification item")
        verbose_name_plural = _("notification items")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, member__isnull=True)
                | Q(user__isnull=True, member__isnull=False),
                name="notification_item_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "subject", "due"],
                condition=Q(user__isnull=False),
                name="notification_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["member", "kind", "subject", "due"],
                condition=Q(member__isnull=False),
                name="notification_once_per_member",
            ),
        ]
        indexes = [
            # A school's deletion; the items that name none stay out of it.
            models.Index(
                fields=["school"],
                condition=Q(school__isnull=False),
                name="notification_item_school_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.subject} {self.due}"

    @property
    def reminder(self):
        from reminders.registry import get_kind

        return get_kind(self.kind)

    @property
    def title(self) -> str:
        return self.reminder.title(self.params)

    @property
    def text(self) -> str:
        return self.reminder.item_text(self.params)

    @property
    def link(self) -> str:
        # Items recorded before links were stored word theirs from the kind.
        return self.url or self.reminder.url(self.params)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path.startswith("/") else path


class Delivery(models.Model):
    """A notification's delivery on one channel: exactly one per channel."""

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
        # delivery_once_per_channel starts with it and serves its lookups.
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    not_before = models.DateTimeField(
        _("not before"), null=True, blank=True, help_text=_("Held back, e.g. by quiet hours.")
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
                name="delivery_sent_has_a_time",
            ),
        ]
        indexes = [
            # flush_deliveries(): pending deliveries whose time has come.
            models.Index(
                fields=["not_before"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="delivery_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.notification} · {self.get_channel_display()} · {self.get_status_display()}"


class ExportFileQuerySet(models.QuerySet):
    def for_user(self, user, action="view", roles=None):
        """Only the user who asked for an export may download it, whatever their role:
        it holds what their scope showed them, not what another's shows."""
        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class ExportFile(models.Model):
    """A large export a worker built (reminders/exports.py), kept for its requester.

    Served by the media view (campussafety/media.py) through its protected field,
    so the link in the notification answers 404 to anyone else.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_files",
        verbose_name=_("user"),
    )
    title = models.CharField(_("title"), max_length=200)
    file = ProtectedFileField(_("file"), upload_to="exports/%Y/%m/", max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ExportFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return self.title
