"""How long notifications and deliveries are kept (REMINDER_RETENTION_DAYS).

Deleted past the age: notifications their user has read (with their items and
deliveries), digests sent to post members by SMS once none of their deliveries
is still to be sent (they have no inbox to be read in), and finished (sent or
failed) deliveries of notifications still unread. Rows go in batches of
REMINDER_RETENTION_BATCH, each its own short statement, so a first purge of a
large backlog never locks the tables for long.

Large exports built for a user (ExportFile) go after the same age, their stored
file with them: the notification that linked to them is gone by then too.

An item's once-key goes with its digest: a reminder whose due key stays the
same for more than the retention age (a certificate that stays expired) is
sent again after that age, which is a fair reminder.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from reminders.choices import DeliveryStatus
from reminders.models import Delivery, ExportFile, Notification

FINISHED = (DeliveryStatus.SENT, DeliveryStatus.FAILED)


def purge(now: datetime.datetime, days: int | None = None, batch: int | None = None) -> int:
    """Delete what is past the retention age; return how many notifications and deliveries."""
    cutoff = now - datetime.timedelta(days=days or settings.REMINDER_RETENTION_DAYS)
    batch = batch or settings.REMINDER_RETENTION_BATCH
    unfinished = Delivery.objects.filter(notification=OuterRef("pk")).exclude(status__in=FINISHED)
    notifications = Notification.objects.filter(created__lt=cutoff).filter(
        Q(read_at__isnull=False) | Q(user__isnull=True, member__isnull=False) & ~Exists(unfinished)
    )
    deliveries = Delivery.objects.filter(created__lt=cutoff, status__in=FINISHED)
    return (
        _in_batches(notifications, batch)
        + _in_batches(deliveries, batch)
        + _purge_exports(cutoff, batch)
    )


def _purge_exports(cutoff, batch: int) -> int:
    deleted = 0
    while True:
        exports = list(ExportFile.objects.filter(created__lt=cutoff).order_by("pk")[:batch])
        if not exports:
            return deleted
        for export in exports:
            export.file.delete(save=False)
        ExportFile.objects.filter(pk__in=[export.pk for export in exports]).delete()
        deleted += len(exports)


def _in_batches(queryset, batch: int) -> int:
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        queryset.model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
