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
   All of it is four INSERT/DELETE statements in SQL (reminders/recording_sql.py),
   whatever the number of items and recipients: no model instance per item.
2. deliver(): a worker claims a pending delivery with a conditional update
   (pending -> sending) and checks the row count, so a redelivered message or a
   second worker finds nothing to do. A transient error puts it back to pending
   for a retry with backoff; a permanent one, or too many attempts, marks it
   failed and shows the error. The message is worded in the recipient's
   language.
"""

import datetime
import json
import logging
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from reminders import recording_sql
from reminders.choices import Channel, DeliveryStatus
from reminders.models import Delivery
from reminders.registry import Due, get_kind
from reminders.transports import TRANSPORTS, TransportError

logger = logging.getLogger(__name__)

# A delivery claimed longer ago than this belonged to a worker that died.
STALE_CLAIM = datetime.timedelta(minutes=15)


def record(
    dues: list[Due], now: datetime.datetime | None = None, district: int | None = None
) -> list[int]:
    """Record the digests of what is due at `now`; return the deliveries to send.

    `district`: the dues are one district's part of a sweep fanned out over Celery.
    Each part fills digests of its own (the window names the district), so parts
    running at once on several workers never add to a digest another part has
    already queued for sending.
    """
    by_kind = defaultdict(list)
    for due in dues:
        by_kind[due.kind].append(due)
    now = now or timezone.now()
    to_send = []
    for kind, kind_dues in by_kind.items():
        window = get_kind(kind).window(now)
        if district is not None:
            window = f"{window}/district:{district}"
        to_send.extend(_record_digests(kind, window, kind_dues))
    return to_send


def _record_digests(kind: str, window: str, dues: list[Due]) -> list[int]:
    """Three or four statements whatever the number of items: digests, items, the empty
    digests (when there are any), deliveries.

    The items travel as one JSON array (a single parameter) that the database
    unpacks itself, so no statement grows with the sweep and no model instance
    is built per item.
    """
    reminder = get_kind(kind)
    urls = reminder.urls(dues)
    items = json.dumps(
        [
            [due.user_id, due.member_id, due.school_id, due.subject, due.due, due.params, url]
            for due, url in zip(dues, urls, strict=True)
        ],
        ensure_ascii=False,
    )
    # The digests need the recipients and schools alone: not the items' params again.
    recipients = json.dumps([[due.user_id, due.member_id, due.school_id] for due in dues])
    sql = recording_sql.statements(connection.vendor)
    created = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.digests, [recipients, kind, window, created])
        new_ids = [pk for (pk,) in cursor.fetchall()]
        new = json.dumps(new_ids)
        # Into the window's digests, new or filled by an earlier tick of the window.
        cursor.execute(
            sql.items, [items, kind, kind, window, new][: 5 if sql.items_return_empty else 4]
        )
        returned = {pk for (pk,) in cursor.fetchall()}
        if not new_ids:
            # A repeated tick: the deliveries of this window were queued by the first.
            return []
        # Every item of theirs went out in an earlier digest: nothing new to say.
        empty = returned if sql.items_return_empty else set(new_ids) - returned
        if empty:
            cursor.execute(sql.empty, [json.dumps(sorted(empty))])
        # The inbox entry is delivered by existing.
        cursor.execute(sql.deliveries, [created, created, new])
        # Queued twice by two sweeps at once, a delivery is still sent once (deliver()).
        return sorted(pk for pk, status in cursor.fetchall() if status == DeliveryStatus.PENDING)


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
