"""What every list export must do, declared once and inherited by each export's test class.

A class names the page (`url`, or `export_url()` when it needs the world), who
exports it (`persona`, default district1) and with which filters (`query`), and
plants in its setUpTestData:

- `planted`: text that looks like a formula, in a row the export lists;
- `foreign`: text of a row of another district, which it must not list;
- `personal`: (what must never appear, what must appear instead or None) — a
  phone or ID number in full, and its mask where the page shows one;
- `grow()`: more rows in scope, to show the query count does not grow with them;
- `queries`: the export's pinned query count (the access log's content type cached).

It inherits the tests: scoped, escaped, masked, logged in the access log, the
.xlsx's title rows (the user's unit, the as-of date, the headers), the page's
export links carrying its filters, and a constant query count.
"""

import csv
import io

from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook


def sheet_rows(response):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def csv_rows(response):
    assert response.content.startswith(b"\xef\xbb\xbf"), "CSV must carry a BOM for Excel"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


class ExportContract:
    url = None
    persona = "district1"
    query = {}
    planted = None
    foreign = None
    personal = None
    queries = None
    # The unit named in the .xlsx's title row (the persona's first role's).
    unit = None
    # The export's file name stem, as the access log records it.
    name = None

    def export_url(self):
        return self.url

    def page_url(self):
        """The page whose export this is (the same address, but for a file alone)."""
        return self.export_url()

    def grow(self):
        raise NotImplementedError

    def export(self, fmt="csv", persona=None, language="en", **query):
        self.client.force_login(self.users[persona or self.persona])
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return self.client.get(self.export_url(), {**self.query, **query, "format": fmt})

    def text(self, response):
        self.assertEqual(response.status_code, 200, response.content[:500])
        self.assertIn("attachment", response["Content-Disposition"])
        return "\n".join("\t".join(row) for row in csv_rows(response))

    def test_export_lists_its_scope_only(self):
        text = self.text(self.export())
        self.assertIn(self.planted, text)
        self.assertNotIn(self.foreign, text)

    def test_export_escapes_formulas(self):
        # A cell opening with the formula is written with an apostrophe first, so that a
        # spreadsheet shows it as text; no cell opens with the formula itself.
        rows = csv_rows(self.export())
        cells = [cell for row in rows for cell in row]
        self.assertTrue(any(cell.startswith("'" + self.planted) for cell in cells), cells)
        self.assertFalse(any(cell.startswith(self.planted) for cell in cells), cells)

    def test_export_masks_personal_data(self):
        full, masked = self.personal
        for fmt in ("csv", "xlsx"):
            response = self.export(fmt)
            if fmt == "csv":
                text = self.text(response)
            else:
                text = "\n".join(str(cell) for row in sheet_rows(response) for cell in row)
            self.assertNotIn(full, text, fmt)
            if masked is not None:
                self.assertIn(masked, text, fmt)

    def test_export_is_in_the_access_log(self):
        before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
        self.text(self.export())
        entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
        self.assertEqual(entries.count(), before + 1)
        entry = entries.latest("pk")
        self.assertEqual(entry.actor, self.users[self.persona])
        self.assertEqual(entry.changes["export"][1], f"{self.name}.csv")
        for key, value in self.query.items():
            self.assertIn(f"{key}={value}", entry.changes["filters"][1])

    def test_xlsx_names_the_unit_and_the_date_in_chinese(self):
        rows = sheet_rows(self.export("xlsx", language="zh-hans"))
        self.assertIn(self.unit, rows[0][0])
        self.assertTrue(rows[1][0].startswith("截至"), rows[1][0])
        header = [cell for cell in rows[2] if cell]
        self.assertTrue(header)
        # Every header is translated: none is left in English.
        for cell in header:
            self.assertFalse(cell.isascii(), header)

    def test_the_export_answers_whoever_the_page_answers(self):
        # Persona by persona (the multi-role ones too, where the world has them): the same
        # refusal as the page (403, 404), or both answered.
        for persona, user in self.users.items():
            with self.subTest(persona=persona):
                self.client.force_login(user)
                page = self.client.get(self.page_url(), self.query).status_code
                query = {**self.query, "format": "csv"}
                self.assertEqual(self.client.get(self.export_url(), query).status_code, page)

    def test_the_page_links_its_export_with_its_filters(self):
        self.client.force_login(self.users[self.persona])
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.get(self.export_url(), self.query)
        self.assertEqual(response.status_code, 200)
        links = [f'data-export="{fmt}"' for fmt in ("xlsx", "csv")]
        for link in links:
            self.assertContains(response, link)
        for key, value in self.query.items():
            self.assertContains(response, f"{key}={value}")

    def test_export_query_count_is_pinned(self):
        self.export()  # signed in; the access log's content type, cached from then on
        query = {**self.query, "format": "csv"}

        def check():
            with CaptureQueriesContext(connection) as captured:
                self.text(self.client.get(self.export_url(), query))
            sql = "\n".join(q["sql"][:300] for q in captured.captured_queries)
            self.assertEqual(len(captured), self.queries, sql)

        check()
        self.grow()
        check()
