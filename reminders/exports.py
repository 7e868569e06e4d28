"""The worker's side of a large export, and the notification that brings it.

A page answers its export through campussafety/export_views.py: in the
request, or, above settings.EXPORT_ASYNC_ROWS rows, by queueing
reminders.tasks.build_export with the builder's dotted path, the user, the
query string and the language. The worker calls the same builder (the page's
own filters and scoped queryset), stores the file as an ExportFile (a
protected file only its requester may download, campussafety/media.py),
writes the access-log entry and records an in-app notification (plus the
user's other channels) whose link is that download.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campussafety.export_views import unit_name
from campussafety.exports import Table, log_export, render
from reminders.models import ExportFile
from reminders.registry import Due, ReminderKind, register

EXPORT_READY = "export-ready"


@register
class ExportReady(ReminderKind):
    """Sent once per built file; never swept (no schedule): the export task records it."""

    name = EXPORT_READY
    label = gettext_lazy("Export ready")
    recipients = gettext_lazy("The user who asked for a large export.")

    def sweep(self, now):
        # Nothing is ever found due by a sweep: the export task records each file.
        return []

    def window(self, now):
        # A digest of its own for each file: two exports minutes apart are two messages.
        return now.isoformat()

    def title(self, params):
        return _("Your export is ready: %(title)s") % {"title": params.get("title", "")}

    def body(self, params):
        return _("%(rows)s rows. Download it from the link below.") % {
            "rows": params.get("rows", 0)
        }


def build_in_worker(user, path: str, query: str, fmt: str, remote_addr=None):
    """What the export task does: build, store, log, and notify. Returns the stored file
    and the deliveries to send."""
    from django.utils.module_loading import import_string

    from reminders import delivery

    build = import_string(path)
    table: Table = build(user, QueryDict(query))
    table.filters = table.filters or query
    rows = table.count()
    data = render(table, fmt, unit_name(user))
    export = ExportFile(user=user, title=str(table.title)[:200], rows=rows)
    export.file.save(table.filename(fmt), ContentFile(data), save=True)
    log_export(user, table, fmt, rows, remote_addr)
    link = reverse("media", args=[export.file.name])
    to_send = delivery.record(
        [
            Due(
                kind=EXPORT_READY,
                subject=f"export-{export.pk}",
                due=export.created.isoformat(),
                params={"title": export.title, "rows": rows, "url": link},
                user_id=user.pk,
            )
        ]
    )
    return export, to_send
