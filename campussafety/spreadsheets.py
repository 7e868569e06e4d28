"""Spreadsheets for download: cells that cannot run as formulas, and a workbook as a response.

A cell beginning with =, +, -, @, a tab or a carriage return is taken by
Excel and WPS as a formula (CSV/formula injection, OWASP); a school name or an
excuse reason typed by a user must never run as one, so such text gets a
leading apostrophe, which spreadsheets show as plain text.
"""

import io
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters Excel refuses in a sheet's name, and its length limit.
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
SHEET_NAME_MAX = 31


def safe_cell(value):
    """`value` as a cell: text that would start a formula is escaped; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheet_title(text: str) -> str:
    return str(text).translate(SHEET_NAME_FORBIDDEN)[:SHEET_NAME_MAX] or "-"


def add_sheet(workbook: Workbook, title: str, header: list, rows) -> None:
    """A sheet with a header row and `rows`, every cell escaped."""
    sheet = workbook.create_sheet(sheet_title(title))
    sheet.append([safe_cell(str(cell)) for cell in header])
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])


def xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
