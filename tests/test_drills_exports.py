"""The term's drill records of a school and the district's summary: who gets them, what they say,
and cells that cannot run as formulas."""

import datetime
import io

from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from drills.models import ClassHeadcount, Drill
from drills.services import sign_off
from tests.base import LAYOUT_QUERIES
from tests.drills_world import DAY, DrillWorldTestCase
from tests.obligations_world import D, at

ON = {"on": DAY.isoformat()}


def held(school, seconds=150):
    start = at(DAY, 10)
    return Drill.objects.create(
        school=school,
        drill_type="fire_evacuation",
        commander="王主任",
        status="held",
        planned_at=start,
        started_at=start,
        all_clear_at=start + datetime.timedelta(seconds=seconds),
        evacuation_seconds=seconds,
    )


class RecordsExportTests(DrillWorldTestCase):
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.fire = held(cls.s1, seconds=150)
        cls.fire.commander = '=HYPERLINK("http://x")'
        cls.fire.problems_found = "东侧楼梯堆放杂物"
        cls.fire.save()
        for name, expected, arrived in (("一年级1班", 40, 40), ("一年级2班", 38, 36)):
            ClassHeadcount.objects.create(
                drill=cls.fire,
                class_name=name,
                teacher_name="张老师",
                expected=expected,
                arrived=arrived,
                missing=expected - arrived,
                reported_at=at(DAY, 10, 3),
            )
        sign_off(cls.principal1, cls.fire)
        cls.planned = Drill.objects.create(
            school=cls.s1,
            drill_type="earthquake",
            planned_at=at(D(2026, 12, 1), 10),
            commander="王主任",
        )
        cls.other = held(cls.s2)

    def login(self, persona):
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))

    def test_who_gets_a_schools_records(self):
        url = reverse("drillplans:records-school", args=[self.s1.pk])
        for persona, status in {
            "principal1": 200,
            "officer1": 200,
            "district1": 200,
            "city": 200,
            "police1": 403,
            "principal1_police2": 200,
            "principal2": 404,
            "district2": 404,
            "outsider": 404,
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(url, ON).status_code, status)
        self.login("principal1_police2")
        url = reverse("drillplans:records-school", args=[self.s2.pk])
        self.assertEqual(self.client.get(url, ON).status_code, 403)

    def test_the_records_of_the_term_as_a_page_and_a_workbook(self):
        self.login("principal1")
        url = reverse("drillplans:records-school", args=[self.s1.pk])
        page = self.client.get(url, ON)
        self.assertEqual(len(page.context["rows"]), 2)
        self.assertEqual(
            (page.context["first"], page.context["last"]), (D(2026, 9, 1), D(2027, 1, 22))
        )
        self.assertContains(page, "东侧楼梯堆放杂物")
        # The header in English, to name the columns here.
        response = self.client.get(url, {**ON, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
        sheet = load_workbook(io.BytesIO(response.content)).active
        # The school's name and the day asked for on top, then the header.
        self.assertIn(self.s1.name, sheet["A1"].value)
        self.assertIn(DAY.isoformat(), sheet["A2"].value)
        header = [cell.value for cell in sheet[3]]
        row = dict(zip(header, [cell.value for cell in sheet[4]], strict=True))
        self.assertEqual(row["Commander"], '\'=HYPERLINK("http://x")')
        self.assertEqual((row["Expected"], row["Arrived"], row["Missing"]), (78, 76, 2))
        self.assertEqual((row["Evacuation time (s)"], row["Target (s)"]), (150, 180))
        self.assertEqual(row["Signed off by"], str(self.principal1))
        self.assertEqual(sheet.max_row, 5)
        # As CSV too, logged in the access log.
        response = self.client.get(url, {**ON, "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(
            response.content.decode("utf-8-sig").splitlines()[0].split(",")[0], "Planned for"
        )
        entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
        self.assertEqual(entry.changes["export"][1], f"drill-records-{self.s1.code}.csv")

    def test_the_records_cost_a_fixed_number_of_queries(self):
        self.login("principal1")
        url = reverse("drillplans:records-school", args=[self.s1.pk])
        # Session and user, the school, the user's roles, the check of its
        # rights there, the school's terms (2), the drills with their counts.
        with self.assertNumQueries(8 + LAYOUT_QUERIES):
            self.client.get(url, ON)

    def test_a_day_outside_every_term_or_not_a_date_is_a_400(self):
        self.login("principal1")
        url = reverse("drillplans:records-school", args=[self.s1.pk])
        self.assertEqual(self.client.get(url, {"on": "2026-08-01"}).status_code, 400)
        self.assertEqual(self.client.get(url, {"on": "yesterday"}).status_code, 400)

    def test_the_district_summary(self):
        url = reverse("drillplans:records-district", args=[self.d1.pk])
        for persona, status in {
            "district1": 200,
            "city": 200,
            "district1_principal2": 200,
            "principal1": 403,
            "district2": 404,
            "outsider": 404,
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(url, ON).status_code, status)
        self.login("district1")
        rows = {row[0]: row for row in self.client.get(url, ON).context["rows"]}
        # S1 and the kindergarten of district 1; S2 is another district's.
        self.assertEqual(set(rows), {self.s1.name, self.k1.name})
        self.assertEqual(rows[self.s1.name][2:4], [1, 1])
        response = self.client.get(url, {**ON, "format": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        # Title, as-of date and header rows, then a row per school.
        self.assertEqual(sheet.max_row, 5)
