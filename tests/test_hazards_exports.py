"""The annual hazard ledger (年度学校安全隐患整改销号登记表) as of a date, and the
supervised-hazards report: their rows, scope, .xlsx (formula injection escaped). The export
contract (title rows, CSV, access log, query count) is tests/test_exports_filing.py's."""

import datetime
import io

import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from inspections import hazards
from inspections.choices import HazardState
from inspections.models import Hazard
from inspections.views.hazard_exports import ledger_columns
from tests.base import LAYOUT_QUERIES
from tests.hazards_world import HazardWorldTestCase, days, photo

START = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))


def rows(response):
    """The sheet's header and rows, below its title and as-of rows."""
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)][2:]


def headers():
    return [str(column.header) for column in ledger_columns(datetime.date(2026, 1, 1))]


def by_column(response) -> dict:
    """The first row of a ledger sheet by the columns' English names."""
    sheet = rows(response)
    with translation.override("en"):
        english = headers()
    with translation.override(response["Content-Language"]):
        names = dict(zip(headers(), english, strict=True))
        states = {str(label): value for value, label in HazardState.choices}
    row = {names[name]: cell for name, cell in zip(sheet[0], sheet[1], strict=True)}
    row["Status"] = states[row["Status"]]
    return row


class LedgerExportTests(HazardWorldTestCase):
    def login(self, persona):
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))

    def closed_in_march(self):
        """Found 2 March, submitted 5 March, re-checked and struck off 9 March."""
        with time_machine.travel(START, tick=False):
            hazard = self.rectifying()
        # Text typed by a user that a spreadsheet would run as a formula.
        Hazard.objects.filter(pk=hazard.pk).update(description='=HYPERLINK("x")')
        with time_machine.travel(START + days(3), tick=False):
            hazards.submit(self.officer1, hazard, rectification="已更换", photos=[photo()])
        with time_machine.travel(START + days(7), tick=False):
            hazards.verify(self.principal1, hazard)
            hazards.close(self.principal1, hazard)
        return hazard

    def test_the_ledger_shows_each_hazard_as_it_stood_on_the_date(self):
        hazard = self.closed_in_march()
        self.login("principal1")
        url = reverse("inspections:hazard-ledger-school", args=[self.s1.pk])
        on_4th = self.client.get(url, {"year": 2026, "as_of": "2026-03-04", "format": "xlsx"})
        self.assertEqual(len(rows(on_4th)), 2)
        row = by_column(on_4th)
        self.assertEqual(row["Ledger number"], hazard.ledger_number)
        self.assertEqual(row["Description"], '\'=HYPERLINK("x")')  # escaped
        self.assertEqual(row["Status"], "rectifying")
        self.assertIsNone(row["How it was rectified"])
        self.assertEqual(row["Photos after"], 0)
        row = by_column(
            self.client.get(url, {"year": 2026, "as_of": "2026-03-10", "format": "xlsx"})
        )
        self.assertEqual(row["Status"], "closed")
        self.assertEqual(row["How it was rectified"], "已更换")
        self.assertEqual(row["Re-checked by"], str(self.principal1))
        self.assertEqual(row["Photos after"], 1)
        # Before it was found, the ledger of that year had nothing.
        before = rows(self.client.get(url, {"year": 2026, "as_of": "2026-03-01", "format": "xlsx"}))
        self.assertEqual(len(before), 1)

    def test_the_printable_ledger_and_a_bad_date(self):
        self.closed_in_march()
        self.login("principal1")
        url = reverse("inspections:hazard-ledger-school", args=[self.s1.pk])
        page = self.client.get(url, {"year": 2026, "as_of": "2026-03-10"})
        self.assertContains(page, "ledger-row", count=1)
        self.assertContains(page, "已更换")
        self.assertEqual(self.client.get(url, {"as_of": "not a date"}).status_code, 400)

    def test_the_district_ledger_names_each_school_and_is_for_the_bureau(self):
        self.closed_in_march()
        self.report("s2")
        self.login("district1")
        url = reverse("inspections:hazard-ledger-district", args=[self.d1.pk])
        sheet = rows(self.client.get(url, {"format": "xlsx", "year": 2026, "as_of": "2026-12-31"}))
        self.assertEqual([r[0] for r in sheet[1:]], [self.s1.name])
        self.assertEqual(
            self.client.get(
                reverse("inspections:hazard-ledger-district", args=[self.d2.pk])
            ).status_code,
            404,
        )
        self.login("principal1")
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login("principal2")
        school_url = reverse("inspections:hazard-ledger-school", args=[self.s1.pk])
        self.assertEqual(self.client.get(school_url).status_code, 404)

    def test_the_ledger_takes_a_fixed_number_of_queries(self):
        self.closed_in_march()
        self.login("district1")
        url = reverse("inspections:hazard-ledger-district", args=[self.d1.pk])
        params = {"year": 2026, "as_of": "2026-12-31"}
        # Session, user, scope; the district; its scope check; the rows.
        with self.assertNumQueries(6 + LAYOUT_QUERIES):
            self.client.get(url, params)
        with time_machine.travel(START, tick=False):
            for _n in range(4):
                self.rectifying()
        with self.assertNumQueries(6 + LAYOUT_QUERIES):
            self.assertContains(self.client.get(url, params), "ledger-row", count=5)


class SupervisedReportTests(HazardWorldTestCase):
    def test_the_report_lists_the_open_orders_of_the_users_area(self):
        hazard = self.rectifying(level="major")
        order = hazards.supervise(
            self.district1,
            hazard,
            level="district",
            measures="停用",
            responsibility="校长",
            funds="+5万元",
            deadline=timezone.localdate() + days(10),
            contingency_plan="封闭",
        )
        hazards.report_progress(self.officer1, order, progress="施工中")
        other = self.rectifying("s2", level="major")
        hazards.supervise(
            self.city,
            other,
            level="city",
            measures="m",
            responsibility="r",
            funds="f",
            deadline=timezone.localdate() + days(5),
            contingency_plan="c",
        )
        url = reverse("inspections:hazard-supervised")
        self.client.force_login(self.district1)
        sheet = rows(self.client.get(url, {"format": "xlsx"}))
        self.assertEqual(len(sheet), 2)
        self.assertEqual(sheet[1][1], hazard.ledger_number)
        self.assertIn("'+5万元", sheet[1])
        self.client.force_login(self.city)
        page = self.client.get(url)
        self.assertContains(page, "supervised-row", count=2)
        self.client.force_login(self.police1)
        self.assertEqual(self.client.get(url).status_code, 403)
