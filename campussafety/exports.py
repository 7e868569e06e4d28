"""Exports: a table declared once (columns with translatable headers, its rows), written as
.xlsx or CSV, and logged in the access log.

An app describes what a list exports as a `Table`: the columns, each a header
and a function of a row giving the cell (the same masking the page applies: a
column calls campussafety.personal or reads what the queryset decided), and
the rows (the page's own filtered queryset, so the export and the page cannot
disagree). This module writes it:

- .xlsx: a title row naming the user's unit and the table, an as-of row, the
  header row (translated: Chinese under zh-hans), then the rows; a form filed a
  sheet per school repeats them on each sheet (`Table.sheet`). Written with
  openpyxl's write-only mode, so memory does not grow with the rows.
- CSV: the header and the rows, UTF-8 with a byte-order mark, which Excel and
  WPS need to read Chinese correctly; its first line is the header (no title
  rows), the date in the file's name.

Every text cell goes through safe_cell (formula injection). Whether an export
is built in the request or by a worker is campussafety/export_views.py; the
worker's side and the notification that brings a large file, reminders/exports.py.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from campussafety.keyset import KeysetRows, walk
from campussafety.spreadsheets import XLSX, safe_cell, sheet_title

FORMATS = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}
# Rows fetched from the database at a time when a queryset is written.
CHUNK = 2000
# The first column's header of a table of places, by what its rows stand for (the level of
# a drill-down: a row per city, district or school).
PLACE_HEADERS = {
    "city": gettext_lazy("City"),
    "district": gettext_lazy("District"),
    "school": gettext_lazy("School"),
}


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) translatable string
    value: Callable[[Any], Any]


@dataclass
class Table:
    """What one export holds. `rows` is a queryset (counted in the database, read in
    chunks), a campussafety.keyset.KeysetRows with a count() (read a keyset page a chunk)
    or a list; `model` names what the access log says was exported."""

    name: str  # the file name's stem, ASCII
    title: Any
    columns: list[Column]
    rows: Iterable
    model: type | None = None
    as_of: datetime.date | None = None
    # What the rows were chosen by (the page's filters), for the access log.
    filters: str = ""
    # Called with each chunk of rows before they are written (see chunks()).
    prepare: Callable[[list], None] | None = None
    # The .xlsx's sheet of a row, for a form filed a sheet per school (the rows in order of
    # it): each sheet has the title rows and the header. The CSV is one table all the same.
    sheet: Callable[[Any], str] | None = None

    def count(self) -> int:
        rows = self.rows
        if isinstance(rows, (list, tuple)):
            return len(rows)
        if callable(getattr(rows, "count", None)):
            # A queryset, or a list read by keyset that counts itself for an export
            # (posts.coverage.MissedDays).
            return rows.count()
        self.rows = list(rows)
        return len(self.rows)

    def header(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def chunks(self):
        """The rows a chunk at a time, each prepared by `prepare` (names looked up for a
        chunk in one query, say), so memory and queries grow by chunks, not rows."""
        rows = self.rows
        if isinstance(rows, QuerySet):
            chunk = []
            for row in rows.iterator(chunk_size=CHUNK):
                chunk.append(row)
                if len(chunk) == CHUNK:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk
        elif isinstance(rows, KeysetRows):
            # Each chunk read after the last: never an OFFSET into the list.
            yield from walk(rows, CHUNK)
        else:
            rows = list(rows)
            for start in range(0, len(rows), CHUNK):
                yield rows[start : start + CHUNK]

    def rows_and_cells(self):
        """Each row with its cells as a spreadsheet takes them."""
        for chunk in self.chunks():
            if self.prepare is not None:
                self.prepare(chunk)
            for row in chunk:
                yield row, [cell_value(column.value(row)) for column in self.columns]

    def cells(self):
        for _row, cells in self.rows_and_cells():
            yield cells

    def filename(self, fmt: str) -> str:
        day = self.as_of or timezone.localdate()
        return f"{self.name}-{day:%Y%m%d}.{fmt}"


def percent(share):
    """A share (0–1) as a spreadsheet cell in per cent, to one decimal; empty when unknown.
    A column using it says "(%)" in its header."""
    return None if share is None else round(share * 100, 1)


def cell_value(value):
    """A cell as a spreadsheet takes it: text escaped, aware times local and naive."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, (int, float, datetime.date)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return safe_cell(str(value))


def write_xlsx(table: Table, out, unit: str = "") -> None:
    """The table as a workbook on the binary stream `out`: one sheet, or one per
    `table.sheet` of the rows, each opening with the title, as-of and header rows."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    heading = f"{unit} · {table.title}" if unit else str(table.title)
    as_of = table.as_of or timezone.localdate()

    def new_sheet(name):
        sheet = workbook.create_sheet(sheet_title(name))

        def strong(text):
            cell = WriteOnlyCell(sheet, value=safe_cell(str(text)))
            cell.font = bold
            return cell

        sheet.append([strong(heading)])
        sheet.append([safe_cell(_("As of %(date)s") % {"date": as_of.isoformat()})])
        sheet.append([strong(header) for header in table.header()])
        return sheet

    sheet, name = None, None
    for row, cells in table.rows_and_cells():
        wanted = table.title if table.sheet is None else table.sheet(row)
        if sheet is None or wanted != name:
            name, sheet = wanted, new_sheet(wanted)
        sheet.append(cells)
    if sheet is None:
        new_sheet(table.title)
    workbook.save(out)


def write_csv(table: Table, out) -> None:
    """The table as CSV on the binary stream `out`: UTF-8 with a byte-order mark."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([safe_cell(header) for header in table.header()])
    for row in table.cells():
        writer.writerow(row)
    text.flush()
    text.detach()


def render(table: Table, fmt: str, unit: str = "") -> bytes:
    buffer = io.BytesIO()
    if fmt == "csv":
        write_csv(table, buffer)
    else:
        write_xlsx(table, buffer, unit)
    return buffer.getvalue()


def log_export(user, table: Table, fmt: str, rows: int, remote_addr=None) -> None:
    """An access-log entry: who exported which table, in which format, how many rows, and
    chosen by which filters. One INSERT (and the content type, cached)."""
    model = table.model
    content_type = ContentType.objects.get_for_model(model) if model is not None else None
    if content_type is None:
        content_type = ContentType.objects.get_for_model(LogEntry)
    LogEntry.objects.create(
        content_type=content_type,
        object_pk="",
        object_id=None,
        object_repr=str(table.title)[:200],
        action=LogEntry.Action.ACCESS,
        changes={
            "export": ["", f"{table.name}.{fmt}"],
            "rows": ["", str(rows)],
            "filters": ["", table.filters],
        },
        actor=user if user is not None and user.is_authenticated else None,
        remote_addr=remote_addr,
    )


def filtered(filterset_class, query, queryset, user):
    """`queryset` under the page's filters read from `query`, exactly as its FilterView does
    (an invalid filter lists nothing). The filterset's scoped choices read `user`."""
    from types import SimpleNamespace

    filterset = filterset_class(
        query or None, queryset=queryset, request=SimpleNamespace(user=user)
    )
    if not filterset.is_bound or filterset.is_valid():
        return filterset.qs
    return queryset.none()


def log_download(request, name: str, title, model, rows: int, fmt: str = "xlsx") -> None:
    """The access-log entry of a file a view wrote itself (a layout of its own, such as a
    school's inventory in the import's columns), with the request's filters."""
    from campussafety.client_ip import client_ip

    table = Table(
        name=name, title=title, columns=[], rows=[], model=model, filters=request.GET.urlencode()
    )
    log_export(request.user, table, fmt, rows, client_ip(request))
