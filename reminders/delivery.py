"""From what a sweep found due to one digest per recipient, delivered exactly once.

1. record(): the items a sweep returns are grouped by recipient into one
   digest (Notification) per recipient, kind and sweep window. Digests are
   inserted under a unique constraint (recipient, kind, window), then their
   items under another (recipient, kind, subject, due), both with ON CONFLICT
   DO NOTHING: a duplicated beat tick, a retried sweep or two workers in the
   same window fill one digest, and an item already sent under its due key
   (by an earlier window) is left out. A digest left with no new item is
   removed, so a later sweep of the same day sends a new digest only when it
   has new items, listing only those. Each new digest then gets one delivery
   per channel its recipient chose, under a third unique constraint.
   The number of queries depends on neither the number of items nor of
   recipients (up to the 1,000-row insert batches).
2. deliver(): a worker claims a pending delivery with a conditional update
   (pending -> sending) and checks the row count, so a redelivered message or a
   second worker finds nothing to do. A transient error puts it back to pending
   for a retry with backoff; a permanent one, or too many attempts, marks it
   failed and shows the error. The message is worded in the recipient's
   language.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation

from reminders.choices import Channel, DeliveryStatus
from reminders.models import Delivery, Notification, NotificationItem
from reminders.registry import Due, get_kind
from reminders.transports import TRANSPORTS, TransportError

logger = logging.getLogger(__name__)

# A delivery claimed longer ago than this belonged to a worker that died.
STALE_CLAIM = datetime.timedelta(minutes=15)
BATCH = 1000


def record(dues: list[Due], now: datetime.datetime | None = None) -> list[int]:
    """Record the digests of what is due at `now`; return the deliveries to send."""
    by_kind = defaultdict(list)
    for due in dues:
        by_kind[due.kind].append(due)
    now = now or timezone.now()
    to_send = []
    for kind, kind_dues in by_kind.items():
        to_send.extend(_record_digests(kind, get_kind(kind).window(now), kind_dues))
    return to_send


def _record_digests(kind: str, window: str, dues: list[Due]) -> list[int]:
    reminder = get_kind(kind)
    schools = defaultdict(set)
    for due in dues:
        schools[(due.user_id, due.member_id)].add(due.school_id)
    # Sorted, so that concurrent sweeps take the rows' locks in the same order.
    recipients = sorted(schools, key=lambda r: (r[0] or 0, r[1] or 0))
    of_window = Notification.objects.filter(kind=kind, window=window)
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=user_id,
                    member_id=member_id,
                    kind=kind,
                    window=window,
                    school_id=next(iter(schools[(user_id, member_id)]))
                    if len(schools[(user_id, member_id)]) == 1
                    else None,
                )
                for user_id, member_id in recipients
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        digest_of = {
            (user_id, member_id): pk
            for pk, user_id, member_id in of_window.values_list("pk", "user_id", "member_id")
        }
        NotificationItem.objects.bulk_create(
            [
                NotificationItem(
                    notification_id=digest_of[(due.user_id, due.member_id)],
                    user_id=due.user_id,
                    member_id=due.member_id,
                    kind=kind,
                    subject=due.subject,
                    due=due.due,
                    school_id=due.school_id,
                    params=due.params,
                    url=reminder.url(due.params),
                )
                for due in sorted(dues, key=lambda d: (d.user_id or 0, d.member_id or 0, d.subject))
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        # Every item of theirs went out in an earlier digest: nothing new to say.
        of_window.exclude(
            Exists(NotificationItem.objects.filter(notification=OuterRef("pk")))
        ).delete()
        # The digests without deliveries yet: those just filled, or left so by
        # an interrupted sweep of this window.
        fresh = list(
            of_window.exclude(
                Exists(Delivery.objects.filter(notification=OuterRef("pk")))
            ).select_related("user__notification_settings")
        )
        now = timezone.now()
        deliveries = [
            Delivery(
                notification_id=digest.pk,
                channel=channel,
                # The inbox entry is delivered by existing.
                status=DeliveryStatus.SENT if channel == Channel.IN_APP else DeliveryStatus.PENDING,
                sent_at=now if channel == Channel.IN_APP else None,
            )
            for digest in fresh
            for channel in channels_of(digest)
        ]
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=BATCH)
    if not deliveries:
        # A repeated tick: the deliveries of this window were queued by the first.
        return []
    # The deliveries to send: those of the digests filled now, still untouched.
    # Queued twice by two sweeps at once, a delivery is still sent once (deliver()).
    return list(
        Delivery.objects.filter(
            notification__in=[digest.pk for digest in fresh],
            status=DeliveryStatus.PENDING,
            attempts=0,
        ).values_list("pk", flat=True)
    )


def channels_of(digest) -> list[str]:
    if digest.member_id:
        return [Channel.SMS]
    user_settings = getattr(digest.user, "notification_settings", None)
    return user_settings.channels() if user_settings else [Channel.IN_APP]


def language_of(notification) -> str:
    """The recipient's language for email and SMS; the site's default for post members."""
    user_settings = getattr(notification.user, "notification_settings", None)
    return user_settings.message_language if user_settings else settings.LANGUAGE_CODE


class RetryLater(Exception):
    def __init__(self, countdown: int, error: str):
        super().__init__(error)
        self.countdown = countdown


def deliver(delivery_id: int) -> str:
    """Send one delivery if this worker wins the claim. Returns what happened.

    Raises RetryLater for a transient failure that should be retried.
    """
    now = timezone.now()
    due_now = Q(not_before__isnull=True) | Q(not_before__lte=now)
    claimed = Delivery.objects.filter(
        due_now, pk=delivery_id, status=DeliveryStatus.PENDING
    ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "another worker got there first, or it is not due"
    delivery = (
        Delivery.objects.select_related(
            "notification__user__notification_settings", "notification__member"
        )
        .prefetch_related("notification__items")
        .get(pk=delivery_id)
    )
    held = _quiet_hours_end(delivery, now)
    if held:
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.PENDING,
            not_before=held,
            claimed_at=None,
            attempts=F("attempts") - 1,
        )
        return f"held until {held:%H:%M} (quiet hours)"
    try:
        with translation.override(language_of(delivery.notification)):
            TRANSPORTS[delivery.channel].send(delivery)
    except TransportError as exc:
        countdowns = settings.REMINDER_RETRY_COUNTDOWNS
        final = exc.permanent or delivery.attempts > len(countdowns)
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            last_error=exc.message[:500],
            claimed_at=None,
        )
        logger.warning(
            "Delivery %s (%s) failed%s: %s",
            delivery_id,
            delivery.channel,
            "" if final else ", will retry",
            exc.message,
        )
        if final:
            return "failed"
        raise RetryLater(countdowns[delivery.attempts - 1], exc.message) from exc
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def _quiet_hours_end(delivery, now) -> datetime.datetime | None:
    """When an SMS to a user in their quiet hours may go; None if it may go now."""
    notification = delivery.notification
    if delivery.channel != Channel.SMS or not notification.user_id:
        return None
    user_settings = getattr(notification.user, "notification_settings", None)
    local = timezone.localtime(now)
    if user_settings is None or not user_settings.in_quiet_hours(local.time()):
        return None
    end = local.replace(
        hour=user_settings.quiet_end.hour,
        minute=user_settings.quiet_end.minute,
        second=0,
        microsecond=0,
    )
    if end <= local:
        end += datetime.timedelta(days=1)
    return end


def due_for_sending(now, limit: int) -> list[int]:
    """Pending deliveries whose time has come, and those whose worker died mid-send."""
    with transaction.atomic():
        Delivery.objects.filter(
            status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
        ).update(status=DeliveryStatus.PENDING, claimed_at=None)
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
