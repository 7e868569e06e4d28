"""The filing forms (CHECKS.md §8) under the export contract of tests/export_contract.py:
the month's fire records, the annual hazard ledger, the supervised hazards report, the
security staff table and the technical-defence table, as .xlsx (the unit, the as-of date
and the Chinese headers on top) and CSV, scoped, escaped, masked, logged, linked from their
page with its filters, at a pinned query count.

The forms' own rows are tested beside their apps (tests/test_inspections_exports.py,
tests/test_hazards_exports.py, tests/test_exports_lists.py FilingFormTests)."""

import csv
import datetime
import io
import tempfile

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from inspections.models import Hazard, SupervisionOrder
from schools.obligations import excuse
from tests.base import PinnedClockMixin, WorldTestCase
from tests.export_contract import csv_rows, sheet_rows
from tests.factories import UserFactory
from tests.inspections_pages import TUESDAY, InspectionsPageTestCase, fire_round
from tests.obligations_world import D
from tests.posts_world import NOW
from tests.test_exports_bureau import FORMULA, Planted

# Fire patrol and check records ---------------------------------------------------------------


class FireRecords(Planted):
    """November's fire records (the inspections world's pinned month). An excuse at S1 gives a
    reason like a formula, one at S2 the foreign text; a round behind a window at S1 is there
    from the start, so that the rounds' queries are counted before the rows grow."""

    query = {"month": "2026-11"}

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        excuse(cls.district1, cls.fire_patrol, [cls.s1], TUESDAY, TUESDAY, FORMULA)
        excuse(cls.district2, cls.fire_patrol, [cls.s2], TUESDAY, TUESDAY, "沾化停电")
        cls.foreign = "沾化停电"
        cls.inspector = UserFactory(username="inspector-wang", full_name="王检查")
        fire_round(cls, D(2026, 11, 16), cls.inspector)

    def grow(self):
        # More windows done by rounds, each with its findings.
        for day in (17, 18, 19):
            fire_round(self, D(2026, 11, day), self.inspector, place=f"{day}号楼")


class SchoolFireRecordsExportTests(FireRecords, InspectionsPageTestCase):
    name = "fire-records-3716020001-2026-11"
    # Session, user, roles; the school; its scope check; the fire rules; due_windows():
    # facts, overrides, school days (schools, terms, exceptions), summary rows; the
    # excuses; the windows' completions by rounds, the rounds with their counts and
    # inspector, their findings; the unit's name; the access log's entry.
    queries = 18

    def export_url(self):
        return reverse("inspections:fire-export-school", args=[self.s1.pk])

    def test_the_round_behind_a_window_in_the_csv(self):
        rows = csv_rows(self.export())
        header, rows = rows[0], rows[1:]
        self.assertEqual(header[:3], ["School", "Inspection", "Date"])
        (monday,) = [row for row in rows if row[2] == "2026-11-16" and row[7]]
        self.assertEqual(
            monday[7:], ["王检查", "2026-11-16 16:00:00", "2", "'=配电房: 灭火器过期", "1"]
        )


class DistrictFireRecordsExportTests(FireRecords, InspectionsPageTestCase):
    name = "fire-records-371602-2026-11"
    # Session, user, roles; the district; its scope check; its schools; then as a
    # school's (above, but the school), for every school of the district at once.
    queries = 19

    def export_url(self):
        return reverse("inspections:fire-export-district", args=[self.d1.pk])

    def grow(self):
        super().grow()
        self.more_schools()

    def test_a_sheet_per_school_and_one_csv(self):
        response = self.export("xlsx", language="zh-hans")
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        # A sheet a school, named after it; each opens with the title rows and the header.
        self.assertEqual(len(book.sheetnames), 3)
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            self.assertIn("滨城区", rows[0][0])
            self.assertEqual(rows[2][0], "学校")
            self.assertEqual(len({row[0] for row in rows[3:]}), 1)
        schools = {row[0] for row in csv_rows(self.export())[1:]}
        self.assertEqual(schools, {self.s1.name, self.k1.name, "'" + FORMULA})

    def test_the_summary_layout(self):
        rows = csv_rows(self.export(layout="summary"))
        self.assertEqual(rows[0][0], "School")
        self.assertEqual(len(rows[0]), 7)
        by_school = {row[0]: row for row in rows[1:]}
        self.assertEqual(set(by_school), {self.s1.name, self.k1.name, "'" + FORMULA})
        disposition = self.export(layout="summary")["Content-Disposition"]
        self.assertIn("fire-records-371602-2026-11-summary", disposition)

    def test_a_worker_builds_the_same_file_from_the_query(self):
        # What a large file's task does (reminders/exports.py): the builder found by its
        # path reads the district from the query the view gave it.
        from campussafety.export_views import builder_path
        from inspections.views.exports import district_fire_table
        from reminders.exports import build_in_worker

        in_request = csv_rows(self.export())
        query = f"month=2026-11&district={self.d1.pk}"
        with self.settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="exports-")):
            export, _deliveries = build_in_worker(
                self.district1, builder_path(district_fire_table), query, "csv"
            )
            with export.file.open("rb") as stored:
                built = csv.reader(io.StringIO(stored.read().decode("utf-8-sig")))
                self.assertEqual(list(built), in_request)
        self.assertEqual(export.rows, len(in_request) - 1)

    def test_a_bad_month_is_a_400_for_the_file_too(self):
        self.client.force_login(self.district1)
        response = self.client.get(self.export_url(), {"month": "2026-13", "format": "csv"})
        self.assertContains(response, "YYYY-MM", status_code=400)


# The annual hazard ledger and the supervised hazards -----------------------------------------


def hazard(school, description, number, **fields):
    return Hazard.objects.create(
        school=school, year=2026, number=number, description=description, found_at=NOW, **fields
    )


class Ledger(Planted):
    """A hazard at S1 described like a formula, one at S2 the foreign text."""

    pinned_at = NOW
    multi_role_personas = True
    query = {"year": "2026"}

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        hazard(cls.s1, FORMULA, 1)
        hazard(cls.s2, "沾化围墙破损", 1)
        cls.planted, cls.foreign = FORMULA, "沾化围墙破损"

    def grow(self):
        for number in range(2, 5):
            hazard(self.s1, "围墙破损", number)

    def test_the_ledger_year_and_its_date_head_the_xlsx(self):
        rows = sheet_rows(self.export("xlsx", language="zh-hans", as_of="2026-11-20"))
        self.assertIn("2026年度学校安全隐患整改销号登记表", rows[0][0])
        self.assertEqual(rows[1][0], "截至 2026-11-20")


class SchoolLedgerExportTests(Ledger, PinnedClockMixin, WorldTestCase):
    name = "hazard-ledger-3716020001-2026"
    # Session, user, roles; the school and its scope check; the count; the unit's name;
    # the hazards as they stood, with their school, checkpoint and people; the access
    # log's entry.
    queries = 9

    def export_url(self):
        return reverse("inspections:hazard-ledger-school", args=[self.s1.pk])


class DistrictLedgerExportTests(Ledger, PinnedClockMixin, WorldTestCase):
    name = "hazard-ledger-371602-2026"
    # Session, user, roles; the district and its scope check; the count; the unit's name;
    # the hazards as they stood; the access log's entry.
    queries = 9

    def export_url(self):
        return reverse("inspections:hazard-ledger-district", args=[self.d1.pk])

    def grow(self):
        for number, school in enumerate(self.more_schools(), start=2):
            hazard(school, "围墙破损", number)


def supervised(issuer, school, number, funds):
    """A major hazard at `school` under the district's supervision, its funds as given."""
    made = hazard(school, "教学楼外墙脱落", number, level="major", supervised=True)
    return SupervisionOrder.objects.create(
        hazard=made,
        level="district",
        measures="停用",
        responsibility="校长",
        funds=funds,
        deadline=NOW.date() + datetime.timedelta(days=10),
        contingency_plan="封闭",
        issued_by=issuer,
        issued_at=timezone.now(),
    )


class SupervisedExportTests(Planted, PinnedClockMixin, WorldTestCase):
    url = reverse("inspections:hazard-supervised")
    name = "supervised-hazards"
    pinned_at = NOW
    multi_role_personas = True
    # Session, user, roles (the bureau's check reads them); the count; the unit's name; the
    # open orders with their hazard, school and last report; the access log's entry.
    queries = 7

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        supervised(cls.district1, cls.s1, 1, FORMULA)
        supervised(cls.district2, cls.s2, 1, "沾化专项资金")
        cls.planted, cls.foreign = FORMULA, "沾化专项资金"

    def grow(self):
        for number in range(2, 5):
            supervised(self.district1, self.s1, number, "10万元")


# The file-only forms: security staff and technical defence -------------------------------


class FileOnly(Planted):
    """A form that is a file alone, for ?district=: the district's dashboard links it."""

    pinned_at = NOW
    multi_role_personas = True
    by_district = True

    def test_the_page_links_its_export_with_its_filters(self):
        self.client.force_login(self.district1)
        dashboard = self.client.get(reverse("dashboards:district", args=[self.d1.pk]))
        for fmt in ("xlsx", "csv"):
            self.assertContains(
                dashboard, f"{self.export_url()}?district={self.d1.pk}&amp;format={fmt}"
            )
        # And the district's printable forms, each offering its own .xlsx and CSV.
        for name in (
            "inspections:fire-export-district",
            "inspections:hazard-ledger-district",
            "drillplans:records-district",
        ):
            self.assertContains(dashboard, f'href="{reverse(name, args=[self.d1.pk])}"')


class SecurityStaffExportTests(FileOnly, PinnedClockMixin, WorldTestCase):
    url = reverse("posts:security-staff")
    name = "security-staff-371602"
    # Session, user, roles; the district; its schools; their members counted in one GROUP
    # BY; the unit's name; the access log's entry.
    queries = 8


class TechnicalDefenceExportTests(FileOnly, PinnedClockMixin, WorldTestCase):
    url = reverse("equipment:technical-defence")
    name = "technical-defence-371602"
    # Session, user, roles; the district; the catalogue's technical-defence types; its
    # schools; their stock, latest video checks and latest alarm tests; the unit's name; the
    # access log's entry.
    queries = 11

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from tests.equipment_world import ensure_defaults

        # The catalogue's technical-defence types, as the other filing test does.
        ensure_defaults()
