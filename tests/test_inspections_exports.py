"""The month's fire patrol and check records as .xlsx and printable HTML, and formula escaping.
The export contract (title rows, CSV, access log, query count) is
tests/test_exports_filing.py's."""

import io

from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from campussafety.spreadsheets import XLSX, safe_cell
from inspections.views.exports import ROUND_COLUMNS
from schools.choices import WindowStatus
from schools.models import School
from schools.obligations import excuse
from tests.base import LAYOUT_QUERIES
from tests.factories import UserFactory
from tests.inspections_pages import (
    BUREAU,
    SCHOOL_STAFF,
    TUESDAY,
    InspectionsPageTestCase,
    fire_round,
)
from tests.obligations_world import D


class SafeCellTests(SimpleTestCase):
    def test_text_that_would_run_as_a_formula_is_escaped(self):
        for text in ("=1+1", "+86 123", "-2", "@SUM(A1)", "\tx", "\rx"):
            with self.subTest(text=text):
                self.assertEqual(safe_cell(text), "'" + text)
        for value in ("防火巡查", "a=b", 3, -2, None):
            with self.subTest(value=value):
                self.assertEqual(safe_cell(value), value)


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def table(sheet):
    """A sheet's header and rows, below its title and as-of rows."""
    return list(sheet.iter_rows(values_only=True))[2:]


class FireExportTests(InspectionsPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        excuse(cls.district1, cls.fire_patrol, [cls.s1], TUESDAY, TUESDAY, '=HYPERLINK("x")')
        School.objects.filter(pk=cls.k1.pk).update(name="@幼儿园")

    def test_who_exports_a_school(self):
        self.each_persona(
            lambda key: reverse("inspections:fire-export-school", args=[getattr(self, key).pk]),
            SCHOOL_STAFF | BUREAU,
        )

    def test_who_exports_a_district(self):
        for persona, status in {
            "admin": 200,
            "city": 200,
            "district1": 200,
            "district1_principal2": 200,
            "district2": 404,
            "principal1": 403,
            "police1": 403,
            "outsider": 404,
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(
                    reverse("inspections:fire-export-district", args=[self.d1.pk])
                )
                self.assertEqual(response.status_code, status)

    def test_school_xlsx(self):
        self.login("principal1")
        response = self.client.get(
            reverse("inspections:fire-export-school", args=[self.s1.pk]),
            {"month": "2026-11", "format": "xlsx"},
        )
        self.assertEqual(response["Content-Type"], XLSX)
        rows = table(workbook(response).worksheets[0])
        self.assertEqual(len(rows[0]), 7 + len(ROUND_COLUMNS))
        self.assertTrue(all(rows[0]))
        by_day = {(row[1], str(row[2])[:10]): row for row in rows[1:]}
        patrol = self.fire_patrol.name
        with translation.override(response["Content-Language"]):
            done, excused = str(WindowStatus.DONE.label), str(WindowStatus.EXCUSED.label)
        monday = by_day[(patrol, "2026-11-23")]
        self.assertEqual(monday[4], done)
        self.assertEqual(str(monday[5])[:16], "2026-11-23 15:00")
        tuesday = by_day[(patrol, "2026-11-24")]
        # The excuse's reason starts with "=": written as text, never as a formula.
        self.assertEqual((tuesday[4], tuesday[6]), (excused, '\'=HYPERLINK("x")'))
        # The month's fire check, and every day of November's fire patrols.
        self.assertIn((self.fire_check.name, "2026-11-01"), by_day)
        self.assertEqual(sum(1 for key in by_day if key[0] == patrol), 30)

    def test_district_sheets_and_summary(self):
        self.login("district1")
        url = reverse("inspections:fire-export-district", args=[self.d1.pk])
        book = workbook(self.client.get(url, {"format": "xlsx"}))
        # One sheet per school; a sheet is named after its school, escaped.
        self.assertEqual(sorted(book.sheetnames), sorted(["@幼儿园", self.s1.name]))
        # Each sheet opens with the title rows and the header, then its school's rows.
        kindergarten = table(book["@幼儿园"])
        self.assertEqual(kindergarten[0], table(book[self.s1.name])[0])
        self.assertEqual({row[0] for row in kindergarten[1:]}, {"'@幼儿园"})
        book = workbook(self.client.get(url, {"format": "xlsx", "layout": "summary"}))
        rows = table(book.worksheets[0])
        self.assertEqual(len(rows[0]), 7)
        self.assertTrue(all(rows[0]))
        self.assertEqual({row[0] for row in rows[1:]}, {"'@幼儿园", self.s1.name})

    def test_printable_html(self):
        self.login("district1")
        url = reverse("inspections:fire-export-district", args=[self.d1.pk])
        response = self.client.get(url, {"month": "2026-11"})
        self.assertContains(response, "fire-record")
        self.assertContains(response, "=HYPERLINK")
        response = self.client.get(url, {"layout": "summary"})
        self.assertContains(response, "fire-summary")
        self.login("principal1")
        school_url = reverse("inspections:fire-export-school", args=[self.s1.pk])
        # session, user, role assignments; the school; its scope check; the fire
        # rules; due_windows(): facts, overrides, school days (schools, terms,
        # exceptions), summary rows; the excuses; the windows' completions by
        # rounds (none here, so no rounds or findings).
        with self.assertNumQueries(14 + LAYOUT_QUERIES):
            self.client.get(school_url)

    def test_bad_month_is_a_400_with_the_error(self):
        self.login("principal1")
        for month in ("2026-13", "x"):
            with self.subTest(month=month):
                response = self.client.get(
                    reverse("inspections:fire-export-school", args=[self.s1.pk]),
                    {"month": month, "format": "xlsx"},
                )
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "YYYY-MM", status_code=400)

    def test_the_round_behind_each_window(self):
        inspector = UserFactory(username="inspector-zhang", full_name="张检查")
        fire_round(self, D(2026, 11, 20), inspector)
        self.login("principal1")
        url = reverse("inspections:fire-export-school", args=[self.s1.pk])
        response = self.client.get(url, {"month": "2026-11", "format": "xlsx"})
        rows = table(workbook(response).worksheets[0])
        self.assertEqual(len(rows[0]), 7 + len(ROUND_COLUMNS))
        by_day = {(row[1], str(row[2])[:10]): row for row in rows[1:]}
        friday = by_day[(self.fire_patrol.name, "2026-11-20")]
        self.assertEqual(friday[7], "张检查")
        self.assertEqual(str(friday[8])[:16], "2026-11-20 16:00")
        # Two items failed, one corrected on the spot; the finding's text is escaped.
        self.assertEqual((friday[9], friday[10], friday[11]), (2, "'=配电房: 灭火器过期", 1))
        # A window without a round (Monday's was recorded by other means) leaves them empty.
        monday = by_day[(self.fire_patrol.name, "2026-11-23")]
        self.assertEqual(monday[7:], (None,) * len(ROUND_COLUMNS))
        html = self.client.get(url, {"month": "2026-11"})
        self.assertContains(html, "张检查")
        self.assertContains(html, "=配电房: 灭火器过期")
        with translation.override(html["Content-Language"]):
            self.assertContains(html, str(ROUND_COLUMNS[2]))

    def test_round_columns_in_a_constant_number_of_queries(self):
        inspector = UserFactory(username="inspector-li", full_name="李检查")
        self.login("principal1")
        url = reverse("inspections:fire-export-school", args=[self.s1.pk])
        for day in (D(2026, 11, 18), D(2026, 11, 19), D(2026, 11, 20)):
            fire_round(self, day, inspector)
            # As test_printable_html, then the rounds with their counts and inspector,
            # and their findings: the same however many windows had rounds.
            with self.subTest(day=day), self.assertNumQueries(16 + LAYOUT_QUERIES):
                response = self.client.get(url, {"month": "2026-11"})
            self.assertContains(response, "李检查", count=[18, 19, 20].index(day.day) + 1)
