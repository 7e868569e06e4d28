"""An export answered in the request, or built by a worker and announced by a notification.

A page's export is a *builder*: a module-level function `build(user, query)`
returning a campussafety.exports.Table from the user and the page's query
string (the page's own filterset and scoped queryset, so the export and the
page never disagree). `export_response()` counts the rows in the database:

- up to settings.EXPORT_ASYNC_ROWS, the file is the response;
- beyond, a Celery task (reminders.tasks.build_export) is queued with the
  builder's dotted path, the user, the query string and the language; the user
  is told the file is being prepared. The worker calls the same builder, stores
  the file as an ExportFile (a protected file only its requester may download,
  campussafety/media.py) and records an in-app notification (plus the user's
  other channels) whose link is that download.

Either way the export is written to the access log (who, which table, which
filters, how many rows).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.base import ContentFile
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import RoleAssignment
from campussafety.client_ip import client_ip
from campussafety.exports import FORMATS, Table, log_export, render
from reminders.models import ExportFile
from reminders.registry import Due, ReminderKind, register

FORMAT_PARAM = "format"
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


def unit_name(user) -> str:
    """The name of the unit the user works for (their first role's school, station,
    district or city), for an export's title row. One query."""
    if user is None or not user.is_authenticated:
        return ""
    assignment = (
        RoleAssignment.objects.filter(user=user)
        .select_related("school", "police_station", "district", "city")
        .order_by("pk")
        .first()
    )
    if assignment is None:
        return ""
    unit = assignment.school or assignment.police_station or assignment.district or assignment.city
    return unit.name if unit is not None else ""


def builder_path(build) -> str:
    return f"{build.__module__}.{build.__qualname__}"


def requested_format(request) -> str | None:
    """'xlsx' or 'csv' when the query asks for an export, None for the page itself."""
    fmt = request.GET.get(FORMAT_PARAM)
    if fmt is None:
        return None
    if fmt not in FORMATS:
        raise Http404
    return fmt


def without_format(query: QueryDict) -> QueryDict:
    query = query.copy()
    query.pop(FORMAT_PARAM, None)
    query.pop("page", None)
    return query


def file_response(data: bytes, fmt: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_response(request, build, fmt: str, query: QueryDict | None = None):
    """The export `build` describes for this request, as a file, or queued when large."""
    query = without_format(request.GET if query is None else query)
    table: Table = build(request.user, query)
    table.filters = table.filters or query.urlencode()
    rows = table.count()
    if rows > settings.EXPORT_ASYNC_ROWS:
        from reminders.tasks import build_export

        build_export.delay(
            request.user.pk,
            builder_path(build),
            query.urlencode(),
            fmt,
            translation.get_language(),
            client_ip(request),
        )
        messages.info(
            request,
            _(
                "The export has %(rows)s rows: it is being prepared, and you will be "
                "notified with a download link when it is ready."
            )
            % {"rows": rows},
        )
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
    data = render(table, fmt, unit_name(request.user))
    log_export(request.user, table, fmt, rows, client_ip(request))
    return file_response(data, fmt, table.filename(fmt))


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


class ExportMixin:
    """A list page that also answers ?format=xlsx|csv with its rows.

    `export_builder` (a staticmethod wrapping a module-level builder) is given
    the user and the page's query string, and reuses the page's filters and
    scoped queryset: the file holds what the page lists, every page of it.
    """

    export_builder = None

    def get(self, request, *args, **kwargs):
        fmt = requested_format(request)
        if fmt is not None and request.user.is_authenticated:
            return export_response(request, self.export_builder, fmt)
        return super().get(request, *args, **kwargs)


class ExportView(LoginRequiredMixin, View):
    """A file only (a filing form): ?format=xlsx (the default) or csv."""

    export_builder = None

    def get(self, request, *args, **kwargs):
        fmt = requested_format(request) or "xlsx"
        return export_response(request, self.export_builder, fmt)
