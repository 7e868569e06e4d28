"""From what a sweep found due to deliveries on each channel, exactly once.

1. record(): notifications are inserted with ON CONFLICT DO NOTHING, so a
   duplicated beat tick, a retried sweep or two workers insert each once; then
   each new notification gets one delivery per channel the recipient chose,
   again under a unique constraint.
2. deliver(): a worker claims a pending delivery with a conditional update
   (pending -> sending) and checks the row count, so a redelivered message or a
   second worker finds nothing to do. A transient error puts it back to pending
   for a retry with backoff; a permanent one, or too many attempts, marks it
   failed and shows the error.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from reminders.choices import Channel, DeliveryStatus
from reminders.models import Delivery, Notification, NotificationSettings
from reminders.registry import Due
from reminders.transports import TRANSPORTS, TransportError

logger = logging.getLogger(__name__)

# A delivery claimed longer ago than this belonged to a worker that died.
STALE_CLAIM = datetime.timedelta(minutes=15)


def record(dues: list[Due]) -> list[int]:
    """Insert the notifications and their deliveries; return the deliveries to send."""
    if not dues:
        return []
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=due.user_id,
                member_id=due.member_id,
                kind=due.kind,
                subject=due.subject,
                due=due.due,
                school_id=due.school_id,
                params=due.params,
            )
            for due in dues
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    wanted = {due.key for due in dues}
    by_kind = defaultdict(set)
    for due in dues:
        by_kind[due.kind].add(due.due)
    # (pk, user id, member id) of the notifications of these keys that have no
    # delivery yet: those just inserted, or left so by an interrupted sweep.
    fresh = []
    for kind, due_values in by_kind.items():
        rows = (
            Notification.objects.filter(kind=kind, due__in=due_values)
            .exclude(Exists(Delivery.objects.filter(notification=OuterRef("pk"))))
            .values_list("pk", "user_id", "member_id", "subject", "due")
        )
        fresh.extend(
            (pk, user_id, member_id)
            for pk, user_id, member_id, subject, due in rows
            if (user_id, member_id, kind, subject, due) in wanted
        )
    if not fresh:
        return []
    settings_by_user = {
        s.user_id: s
        for s in NotificationSettings.objects.filter(
            user_id__in={user_id for _, user_id, _ in fresh if user_id}
        ).select_related("user")
    }
    deliveries = []
    for pk, user_id, member_id in fresh:
        if member_id:
            channels = [Channel.SMS]
        else:
            user_settings = settings_by_user.get(user_id)
            channels = user_settings.channels() if user_settings else [Channel.IN_APP]
        for channel in channels:
            in_app = channel == Channel.IN_APP
            deliveries.append(
                Delivery(
                    notification_id=pk,
                    channel=channel,
                    # The inbox entry is delivered by existing.
                    status=DeliveryStatus.SENT if in_app else DeliveryStatus.PENDING,
                    sent_at=now if in_app else None,
                )
            )
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=1000)
    # The deliveries to send: those of these notifications still untouched.
    # Queued twice by two sweeps at once, a delivery is still sent once (deliver()).
    fresh_ids = [pk for pk, _, _ in fresh]
    to_send = []
    for batch_start in range(0, len(fresh_ids), 5000):
        to_send.extend(
            Delivery.objects.filter(
                notification_id__in=fresh_ids[batch_start : batch_start + 5000],
                status=DeliveryStatus.PENDING,
                attempts=0,
            ).values_list("pk", flat=True)
        )
    return to_send


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
    delivery = Delivery.objects.select_related(
        "notification__user__notification_settings", "notification__member"
    ).get(pk=delivery_id)
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
