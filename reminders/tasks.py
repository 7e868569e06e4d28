"""Celery tasks of reminders: beat triggers sweeps; sweeps decide from the data.

Because a sweep looks at the data rather than at the time it was meant to run,
a missed or late tick is caught up by the next one, and a repeated tick finds
its notifications already recorded.
"""

import logging

from celery import group, shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reminders import delivery, retention
from reminders.registry import KINDS
from schools.models import District

logger = logging.getLogger(__name__)


@shared_task
def run_sweep(kind: str, now: str | None = None) -> int:
    """Record what reminder `kind` finds due and queue its deliveries.

    A kind that fans out is swept as one task per district (a Celery group):
    more workers, on more machines, sweep a city or a province faster. Beat
    still sends this one tick; the parts queue their own deliveries, and this
    returns how many deliveries it queued itself (none then).

    `now` (ISO 8601) replays a sweep as of another moment; beat leaves it out.
    """
    moment = parse_datetime(now) if now else timezone.now()
    reminder = KINDS[kind]
    if reminder.fans_out:
        districts = list(District.objects.order_by("pk").values_list("pk", flat=True))
        group(sweep_district.si(kind, moment.isoformat(), pk) for pk in districts).apply_async()
        logger.info("Sweep %s: fanned out to %s districts", kind, len(districts))
        return 0
    return _sweep_and_queue(kind, moment, reminder.sweep(moment))


@shared_task
def sweep_district(kind: str, now: str, district: int) -> int:
    """One district's part of a fanned-out sweep: record it and queue its deliveries."""
    moment = parse_datetime(now)
    return _sweep_and_queue(kind, moment, KINDS[kind].sweep_districts(moment, [district]), district)


def _sweep_and_queue(kind, moment, dues, district=None) -> int:
    to_send = delivery.record(dues, moment, district)
    for delivery_id in to_send:
        deliver.delay(delivery_id)
    logger.info(
        "Sweep %s%s: %s due, %s deliveries queued",
        kind,
        "" if district is None else f" (district {district})",
        len(dues),
        len(to_send),
    )
    return len(to_send)


@shared_task(bind=True, max_retries=None)
def deliver(self, delivery_id: int) -> str:
    """Send one delivery. The number of attempts is the delivery row's to count,
    so Celery's own retry limit is off."""
    try:
        return delivery.deliver(delivery_id)
    except delivery.RetryLater as retry:
        raise self.retry(countdown=retry.countdown) from None


@shared_task
def flush_deliveries(limit: int = 1000) -> int:
    """Queue deliveries held back (quiet hours) or orphaned (a lost message, a dead worker)."""
    ids = delivery.due_for_sending(timezone.now(), limit)
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)


@shared_task
def purge_old_notifications() -> int:
    """Delete read notifications and finished deliveries past the retention age."""
    return retention.purge(timezone.now())


@shared_task
def build_export(
    user_id: int, builder: str, query: str, fmt: str, language: str, remote_addr=None
) -> int:
    """Build a large export in the requester's language and scope, store it for them
    alone, and notify them with its link (reminders/exports.py). Returns the file's id."""
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from reminders.exports import build_in_worker

    user = get_user_model().objects.get(pk=user_id)
    with translation.override(language):
        export, to_send = build_in_worker(user, builder, query, fmt, remote_addr)
    for delivery_id in to_send:
        deliver.delay(delivery_id)
    return export.pk
