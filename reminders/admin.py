"""The delivery log and users' channel settings. Beat's schedule is django-celery-beat's admin."""

import logging

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from reminders.choices import DeliveryStatus
from reminders.models import Delivery, Notification, NotificationItem, NotificationSettings
from reminders.tasks import deliver

logger = logging.getLogger(__name__)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "status", "attempts", "last_error", "not_before", "sent_at"]

    def has_add_permission(self, request, obj=None):
        return False


class NotificationItemInline(admin.TabularInline):
    model = NotificationItem
    extra = 0
    can_delete = False
    fields = ["subject", "due", "school", "params", "url"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created", "kind", "user", "member", "window", "read_at"]
    list_filter = ["kind"]
    date_hierarchy = "created"
    search_fields = ["user__username", "items__subject"]
    raw_id_fields = ["user", "member", "school"]
    readonly_fields = ["kind", "window", "created"]
    inlines = [NotificationItemInline, DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created", "notification", "channel", "status", "attempts", "last_error"]
    list_filter = ["status", "channel"]
    date_hierarchy = "created"
    raw_id_fields = ["notification"]
    readonly_fields = ["attempts", "last_error", "claimed_at", "sent_at", "created"]
    actions = ["retry"]

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry(self, request, queryset):
        with transaction.atomic():
            ids = list(
                queryset.filter(status=DeliveryStatus.FAILED)
                .select_for_update()
                .values_list("pk", flat=True)
            )
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.PENDING, attempts=0, not_before=None
            )
            # Queued once the rows are committed, so a worker never finds them
            # still failed; should the broker be down, the rows stay pending and
            # the periodic flush sends them when it is back.
            transaction.on_commit(lambda: self.queue(request, ids))

    def queue(self, request, ids):
        try:
            for delivery_id in ids:
                deliver.delay(delivery_id)
        except (OperationalError, OSError) as exc:
            logger.error("Retrying deliveries: the task queue is unreachable: %s", exc)
            messages.error(
                request,
                _(
                    "%(count)s deliveries will be sent again, but the task queue cannot be "
                    "reached now: they go out when it is back."
                )
                % {"count": len(ids)},
            )
        else:
            messages.success(request, _("%(count)s deliveries queued again.") % {"count": len(ids)})


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "sms_enabled", "webhook_url"]
    raw_id_fields = ["user"]
