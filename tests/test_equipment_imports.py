"""Importing a school's spreadsheet: the dry-run preview, per-row errors in the user's language,
all rows or none, the same file twice changing nothing, and the export read back in."""

import io

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from equipment import imports
from equipment.models import Item, Location, Movement, StockBalance
from equipment.services import receive
from tests.permissions import ALL_PERSONAS
from tests.test_pages_equipment import BUREAU, SCHOOL_STAFF, EquipmentPageTestCase

HEADER = "Asset tag,Type code,Location,Location kind,Quantity,Serial number,Manufactured on\n"
GOOD = (
    HEADER
    + "MHQ-101,extinguisher-dry-powder,教学楼2层,floor,,SN1,2022-05-01\n"
    + "MHQ-102,extinguisher-dry-powder,教学楼2层,,1,,2021-05-01\n"
    + ",steel-fork,南门门卫室,,2,,\n"
    + ",cut-gloves,南门值班保安,,3,,\n"
)
# Valid at any school: it names only new places, with their kinds.
ANYWHERE = (
    HEADER
    + "MHQ-201,extinguisher-dry-powder,新楼1层,floor,,,2022-05-01\n"
    + ",steel-fork,新门卫室,gatehouse,2,,\n"
)


def upload(text, name="equipment.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


class ImportPageTests(EquipmentPageTestCase):
    def preview(self, text, **kwargs):
        url = reverse("equipment:import", args=[self.s1.pk])
        return self.client.post(url, {"file": upload(text, **kwargs)}, **self.headers)

    headers = {}

    def ledger(self):
        return (Movement.objects.count(), sorted(StockBalance.objects.values_list("pk", "held")))

    def test_only_the_schools_own_staff_import(self):
        self.each_persona(
            lambda key: reverse("equipment:import", args=[getattr(self, key).pk]), SCHOOL_STAFF
        )

    def test_export_for_staff_and_bureaus(self):
        self.each_persona(
            lambda key: reverse("equipment:export", args=[getattr(self, key).pk]),
            SCHOOL_STAFF | BUREAU,
        )

    def test_preview_then_commit_then_the_same_file_again_changes_nothing(self):
        self.login("officer1")
        before = self.ledger()
        response = self.preview(GOOD)
        self.assertEqual(response.status_code, 200)
        plan = response.context["plan"]
        self.assertTrue(plan.is_valid)
        self.assertEqual(plan.counts(), {"new_piece": 2, "top_up": 2})
        # The dry run saved nothing.
        self.assertEqual(self.ledger(), before)
        url = reverse("equipment:import", args=[self.s1.pk])
        response = self.client.post(url, {"token": response.context["token"]})
        self.assertRedirects(response, reverse("equipment:board", args=[self.s1.pk]))
        floor = Location.objects.get(school=self.s1, name="教学楼2层")
        self.assertEqual(floor.kind, "floor")
        self.assertEqual(
            Item.objects.get(asset_tag="MHQ-101").service_due_on.isoformat(), "2025-05-01"
        )
        forks = StockBalance.objects.get(
            location=self.s1_gatehouse, equipment_type__code="steel-fork"
        )
        self.assertEqual(forks.held, 2)
        self.assertEqual(Movement.objects.filter(reason="从表格导入").count(), 4)
        after = self.ledger()
        response = self.preview(GOOD)
        self.assertEqual(response.context["plan"].counts(), {"unchanged": 4})
        self.client.post(url, {"token": response.context["token"]})
        self.assertEqual(self.ledger(), after)

    def test_a_bad_row_stops_the_whole_file_with_each_rows_errors(self):
        self.login("officer1")
        before = self.ledger()
        text = (
            GOOD
            + "MHQ-101,extinguisher-dry-powder,教学楼2层,,1,,\n"
            + ",unicorn,南门门卫室,,1,,\n"
            + ",torch,不存在的地方,,x,,\n"
            + "MHQ-9,extinguisher-water,教学楼2层,,,,2099-01-01\n"
        )
        response = self.preview(text)
        self.assertEqual(response.status_code, 400)
        plan = response.context["plan"]
        self.assertEqual([row.number for row in plan.errors], [6, 7, 8, 9])
        self.assertIn("MHQ-101", plan.errors[0].errors[0])
        self.assertEqual(response.context["token"], "")
        self.assertEqual(self.ledger(), before)

    def test_a_tag_taken_after_the_preview_undoes_the_whole_import(self):
        plan = imports.plan(self.officer1, self.s1, imports.read_table("a.csv", GOOD.encode()))
        receive(self.officer1, self.s1_floor, self.types["extinguisher-water"], asset_tag="MHQ-102")
        before = self.ledger()
        with self.assertRaises(ValidationError):
            imports.commit(self.officer1, self.s1, plan)
        self.assertEqual(self.ledger(), before)
        self.assertFalse(Location.objects.filter(name="教学楼2层").exists())

    def test_quantities_are_whole_bounded_numbers(self):
        self.login("officer1")
        for quantity in ("x", "-1", "1.5", "nan", "inf", "1e9", "10001"):
            with self.subTest(quantity=quantity):
                response = self.preview(HEADER + f",torch,南门门卫室,,{quantity},,\n")
                self.assertEqual(len(response.context["plan"].errors), 1)
        # Radios without tags are records of their own, one by one: 30,000 is too many.
        rows = [
            {"type": "radio", "location": place, "quantity": 10_000}
            for place in ("南门门卫室", "器材室", "教学楼1层")
        ]
        plan = imports.plan(self.officer1, self.s1, rows)
        self.assertEqual([row.number for row in plan.errors], [4])
        self.assertIn("20000", plan.errors[0].errors[0])

    def test_errors_in_the_users_language(self):
        self.login("officer1")
        bad = HEADER + ",unicorn,南门门卫室,,1,,\n"
        response = self.preview(bad)
        self.assertEqual(response.context["plan"].errors[0].errors, ["未知的类型代码“unicorn”。"])
        self.client.cookies["django_language"] = "en"
        response = self.preview(bad)
        self.assertEqual(
            response.context["plan"].errors[0].errors, ["Unknown type code “unicorn”."]
        )

    def test_a_gb18030_csv_from_excel_is_read(self):
        self.login("officer1")
        response = self.preview(GOOD, encoding="gb18030")
        self.assertTrue(response.context["plan"].is_valid)

    def test_a_tampered_or_stale_preview_is_refused(self):
        self.login("officer1")
        url = reverse("equipment:import", args=[self.s1.pk])
        response = self.client.post(url, {"token": "forged"})
        self.assertContains(response, "请重新上传文件")

    def test_the_export_is_read_back_unchanged(self):
        self.login("officer1")
        self.client.post(
            reverse("equipment:import", args=[self.s1.pk]),
            {"token": self.preview(GOOD).context["token"]},
        )
        response = self.client.get(
            reverse("equipment:export", args=[self.s1.pk]), {"format": "xlsx"}
        )
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet.cell(1, 1).value, "资产标签")
        before = self.ledger()
        xlsx = SimpleUploadedFile("back.xlsx", response.content)
        preview = self.client.post(reverse("equipment:import", args=[self.s1.pk]), {"file": xlsx})
        plan = preview.context["plan"]
        self.assertTrue(plan.is_valid, [row.errors for row in plan.errors])
        self.assertEqual(set(plan.counts()), {"unchanged"})
        # Each download is in the access log: who, which school's file, how many rows.
        entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
        self.assertEqual(entry.actor, self.officer1)
        self.assertEqual(entry.changes["export"][1], f"{self.s1.code}-equipment.xlsx")
        self.assertEqual(entry.changes["rows"][1], str(sheet.max_row - 1))
        csv = self.client.get(reverse("equipment:export", args=[self.s1.pk]), {"format": "csv"})
        self.assertEqual(
            set(self.preview(csv.content.decode("utf-8-sig")).context["plan"].counts()),
            {"unchanged"},
        )
        self.assertEqual(self.ledger(), before)

    def test_the_plan_takes_a_constant_number_of_queries(self):
        rows = imports.read_table("a.csv", GOOD.encode())
        imports.plan(self.officer1, self.s1, rows)
        # The types, the school's places, its pieces' tags, its balances.
        with self.assertNumQueries(4):
            imports.plan(self.officer1, self.s1, rows)
        with self.assertNumQueries(4):
            imports.plan(self.officer1, self.s1, rows * 10)


class ImportAPITests(EquipmentPageTestCase):
    def test_import_persona_by_persona(self):
        def send(client, key):
            return client.post(
                reverse("equipment-import"),
                {"school": getattr(self, key).pk, "file": upload(ANYWHERE), "dry_run": "false"},
                format="multipart",
            )

        self.check("import", send, SCHOOL_STAFF, foreign_status=400)

    def test_export_persona_by_persona(self):
        def send(client, key):
            return client.get(
                reverse("equipment-export"), {"school": getattr(self, key).pk, "file_format": "csv"}
            )

        self.check("export", send, SCHOOL_STAFF | BUREAU, foreign_status=400)

    def test_a_dry_run_answers_the_plan_and_a_bad_file_its_rows(self):
        client = self.api("principal1")
        response = client.post(
            reverse("equipment-import"), {"school": self.s1.pk, "file": upload(GOOD)}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["counts"], {"new_piece": 2, "top_up": 2})
        bad = client.post(
            reverse("equipment-import"),
            {"school": self.s1.pk, "file": upload(HEADER + ",unicorn,南门门卫室,,1,,\n")},
        )
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["rows"][0]["errors"], ["未知的类型代码“unicorn”。"])
        # Over 5 MB: refused before it is read.
        big = SimpleUploadedFile("big.csv", b"x" * (imports.MAX_UPLOAD_BYTES + 1))
        response = client.post(reverse("equipment-import"), {"school": self.s1.pk, "file": big})
        self.assertEqual(response.status_code, 400)
        nonsense = client.post(
            reverse("equipment-import"),
            {"school": self.s1.pk, "file": SimpleUploadedFile("x.pdf", b"%PDF")},
        )
        self.assertEqual(nonsense.status_code, 400)

    def test_every_persona_is_listed(self):
        self.assertIn("principal1_police2", ALL_PERSONAS)
