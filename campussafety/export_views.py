"""A page's export, answered in the request or queued for a worker.

A page's export is a *builder*: a module-level function `build(user, query)`
returning a campussafety.exports.Table from the user and the page's query
string (the page's own filters and scoped queryset, so the export and the
page never disagree). `export_response()` counts the rows in the database:

- up to settings.EXPORT_ASYNC_ROWS, the file is the response;
- beyond, the Celery task reminders.tasks.build_export is queued with the
  builder's dotted path, the user, the query string and the language; the user
  is told the file is being prepared. The worker calls the same builder, stores
  the file and notifies the user with its link (reminders/exports.py).

Either way the export is written to the access log (who, which table, which
filters, how many rows).

This module sits with the other view helpers, below every app, so that any
app's list exports the same way (the schools list too, which cannot import
the reminders app above it): the task is sent by its name, not imported.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render as render_page
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import RoleAssignment
from campussafety.client_ip import client_ip
from campussafety.exports import FORMATS, Table, log_export, render
from campussafety.views import CURSOR_PARAM

FORMAT_PARAM = "format"
# The worker's task (reminders/tasks.py), named rather than imported: see above.
BUILD_TASK = "reminders.tasks.build_export"
# What a page's address carries that is not a filter: the file's format and where the
# page is in the list. An export holds every page.
NOT_FILTERS = (FORMAT_PARAM, "page", CURSOR_PARAM)


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


def invalid_query(form) -> BadRequest:
    """What a builder raises when the query's form is not valid (a file has no form to show
    its errors on): a 400 saying why (campussafety.views.bad_request)."""
    return BadRequest("; ".join(str(e) for errors in form.errors.values() for e in errors))


def without_format(query: QueryDict) -> QueryDict:
    """The page's filters alone: what an export link carries and a builder reads."""
    query = query.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    return query


def file_response(data: bytes, fmt: str, filename: str) -> HttpResponse:
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
        from campussafety.celery import app

        app.send_task(
            BUILD_TASK,
            args=(
                request.user.pk,
                builder_path(build),
                query.urlencode(),
                fmt,
                translation.get_language(),
                client_ip(request),
            ),
        )
        messages.info(
            request,
            _(
                "The export has %(rows)s rows: it is being prepared, and you will be "
                "notified with a download link when it is ready."
            )
            % {"rows": rows},
        )
        return HttpResponseRedirect(f"{request.path}?{without_format(request.GET).urlencode()}")
    data = render(table, fmt, unit_name(request.user))
    log_export(request.user, table, fmt, rows, client_ip(request))
    return file_response(data, fmt, table.filename(fmt))


class ExportMixin:
    """A list page that also answers ?format=xlsx|csv with its rows.

    `export_builder` (a staticmethod wrapping a module-level builder) is given
    the user and the page's query string, and reuses the page's filters and
    scoped queryset: the file holds what the page lists, every page of it. A
    page whose address names its object (a district's dashboard) adds it to the
    query in `export_query()`, so that a worker building the file later reads
    the same. The page's template gets `export_query`, the filters its export
    links carry (includes/export_buttons.html).
    """

    export_builder = None

    def export_query(self) -> QueryDict:
        return self.request.GET

    def get(self, request, *args, **kwargs):
        fmt = requested_format(request)
        if fmt is not None and request.user.is_authenticated:
            return export_response(request, self.export_builder, fmt, self.export_query())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["export_query"] = without_format(self.request.GET).urlencode()
        return context


class ExportView(LoginRequiredMixin, View):
    """A file only (a filing form): ?format=xlsx (the default) or csv."""

    export_builder = None

    def get(self, request, *args, **kwargs):
        fmt = requested_format(request) or "xlsx"
        return export_response(request, self.export_builder, fmt)


class FilingView(LoginRequiredMixin, View):
    """A filing form (CHECKS.md §8): its printable page, or ?format=xlsx|csv its file.

    The address names the school or district; `get()` adds it to the query under
    `key`, so that the builder (and a worker building a large file later) reads
    it like any other filter. The page and the file read the same rows: `read`
    (user, query) gives them with the query's form, or None and the form when
    it is not valid (the page then shows its errors with a 400, the builder
    raises invalid_query()); `page_context()` turns them into the template's
    context, to which `export_query` is added for includes/export_buttons.html.
    """

    key = None
    template_name = None
    read = None
    export_builder = None

    def get(self, request, pk):
        query = request.GET.copy()
        query[self.key] = str(pk)
        fmt = requested_format(request)
        if fmt is not None:
            return export_response(request, self.export_builder, fmt, query)
        found, form = self.read(request.user, query)
        if found is None:
            return render_page(request, self.template_name, {"form": form}, status=400)
        context = self.page_context(found, query)
        context["export_query"] = without_format(request.GET).urlencode()
        return render_page(request, self.template_name, context)

    def page_context(self, found, query) -> dict:
        raise NotImplementedError
