"""Exports of the bureau lists and the filing forms (campussafety/exports.py,
campussafety/export_views.py): scoped like their pages, formula injection escaped,
personal data masked as on screen, logged in the access log, headers in Chinese."""

import datetime

from auditlog.models import LogEntry
from django.conf import settings
from django.urls import reverse

from tests.base import PinnedClockMixin, WorldTestCase
from tests.export_contract import csv_rows, sheet_rows
from tests.posts_world import NOW, make_member

MEMBERS = reverse("posts:members")
LOGS = reverse("posts:logs")
STAFF = reverse("posts:security-staff")
DEFENCE = reverse("equipment:technical-defence")


class ListExportTests(PinnedClockMixin, WorldTestCase):
    pinned_at = NOW

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m1 = make_member(
            '=HYPERLINK("http://x")',
            cls.s1,
            kind="security_guard",
            phone="13812345678",
            guard_certificate_number="GA20260001",
            guard_certificate_expiry=datetime.date(2027, 1, 1),
        )
        cls.m2 = make_member("王二", cls.s2, kind="police", police_number="123456")
        cls.m3 = make_member("李三", cls.s3, kind="auxiliary_police")

    def get(self, persona, url, language="en", **query):
        self.client.force_login(self.users[persona])
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return self.client.get(url, query)

    def test_members_xlsx_scoped_escaped_masked_logged(self):
        response = self.get("district1", MEMBERS, format="xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        rows = sheet_rows(response)
        self.assertIn("滨城区", rows[0][0])  # the unit's name in the title row
        self.assertIn(NOW.date().isoformat(), rows[1][0])
        names = [row[0] for row in rows[3:]]
        # Only D1's member; the formula is text.
        self.assertEqual(names, ['\'=HYPERLINK("http://x")'])
        phone = rows[3][3]
        self.assertEqual(phone, "138****5678")  # district staff see it masked, as on screen
        self.assertNotIn(self.m1.id_number_masked[:3] + "0", str(rows[3][4]))
        self.assertIn("*", rows[3][4])
        self.assertEqual(rows[3][5], "GA2***0001")
        entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
        self.assertEqual(entry.actor, self.district1)
        self.assertEqual(entry.changes["export"][1], "post-members.xlsx")
        self.assertEqual(entry.changes["rows"][1], "1")

    def test_school_staff_see_their_phones_in_full_as_on_screen(self):
        rows = csv_rows(self.get("principal1", MEMBERS, format="csv"))
        self.assertEqual(rows[1][3], "13812345678")

    def test_members_csv_follows_the_page_filters(self):
        rows = csv_rows(self.get("city", MEMBERS, format="csv", kind="police"))
        self.assertEqual([row[0] for row in rows[1:]], ["王二"])
        entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
        self.assertIn("kind=police", entry.changes["filters"][1])

    def test_outsider_exports_nothing(self):
        rows = csv_rows(self.get("outsider", MEMBERS, format="csv"))
        self.assertEqual(len(rows), 1)  # the header alone

    def test_unknown_format_is_404(self):
        self.assertEqual(self.get("city", MEMBERS, format="pdf").status_code, 404)

    def test_headers_in_chinese(self):
        header = csv_rows(self.get("city", MEMBERS, language="zh-hans", format="csv"))[0]
        self.assertIn("电话", header)

    def test_duty_logs_export(self):
        rows = csv_rows(self.get("district1", LOGS, format="csv"))
        self.assertEqual(rows[0][0], "Date")

    def test_export_query_count_is_constant(self):
        self.client.force_login(self.city)
        self.client.get(MEMBERS, {"format": "csv"})
        with self.assertNumQueries(8):
            self.client.get(MEMBERS, {"format": "csv"})
        for index in range(5):
            make_member(f"成员{index}", self.s1)
        with self.assertNumQueries(8):
            self.client.get(MEMBERS, {"format": "csv"})


class FilingFormTests(PinnedClockMixin, WorldTestCase):
    pinned_at = NOW
    multi_role_personas = True

    def setUp(self):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        expiry = datetime.date(2027, 6, 30)
        make_member(
            "甲",
            cls.s1,
            kind="security_guard",
            guard_certificate_number="A1",
            guard_certificate_expiry=expiry,
        )
        make_member(
            "乙",
            cls.s1,
            kind="security_guard",
            guard_certificate_number="A2",
            guard_certificate_expiry=datetime.date(2026, 1, 1),
        )
        make_member("丙", cls.s1, kind="police", police_number="110001")
        make_member("丁", cls.k1, kind="community_worker")
        make_member("戊", cls.s1, kind="staff", pending=True)  # not verified: not counted
        make_member("己", cls.s2, kind="police", police_number="110002")  # another district

    def test_security_staff_numbers(self):
        self.client.force_login(self.district1)
        response = self.client.get(STAFF, {"district": self.d1.pk})
        self.assertEqual(response.status_code, 200)
        rows = sheet_rows(response)
        header = rows[2]
        by_school = {row[0]: dict(zip(header, row, strict=True)) for row in rows[3:]}
        s1 = by_school[self.s1.name]
        self.assertEqual(s1["Members"], 3)
        self.assertEqual(s1["Full-time security guard"], 2)
        self.assertEqual(s1["Police officer"], 1)
        self.assertEqual(s1["Licensed security guards"], 2)
        self.assertEqual(s1["Guard certificates valid"], 1)
        self.assertEqual(s1["Qualified (police, auxiliary police, certified guards)"], 2)
        self.assertEqual(by_school[self.k1.name]["Community worker"], 1)
        self.assertEqual(by_school["Total"]["Members"], 4)
        self.assertNotIn(self.s2.name, by_school)

    def test_security_staff_out_of_scope_is_404(self):
        for persona, district in (("district1", "d2"), ("principal1", "d1"), ("outsider", "d1")):
            self.client.force_login(self.users[persona])
            response = self.client.get(STAFF, {"district": getattr(self, district).pk})
            self.assertEqual(response.status_code, 404, persona)
        self.client.force_login(self.city)
        self.assertEqual(self.client.get(STAFF, {"district": "x"}).status_code, 404)

    def test_multi_role_persona_files_only_where_it_is_bureau_staff(self):
        self.client.force_login(self.district1_principal2)
        for url in (STAFF, DEFENCE):
            self.assertEqual(self.client.get(url, {"district": self.d1.pk}).status_code, 200)
            self.assertEqual(self.client.get(url, {"district": self.d2.pk}).status_code, 404)

    def test_filing_query_counts_do_not_grow_with_schools(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tests.equipment_world import ensure_defaults
        from tests.factories import SchoolFactory

        # The catalogue's technical-defence types, if a flush by an earlier
        # TransactionTestCase removed them: without any, one query is skipped.
        ensure_defaults()
        self.client.force_login(self.district1)

        def counts():
            found = {}
            for url in (STAFF, DEFENCE):
                with CaptureQueriesContext(connection) as queries:
                    self.client.get(url, {"district": self.d1.pk})
                found[url] = len(queries)
            return found

        counts()  # the access log's content types, cached from then on
        before = counts()
        for index in range(3):
            school = SchoolFactory(district=self.d1, police_station=self.p1)
            make_member(
                f"新成员{index}",
                school,
                kind="security_guard",
                guard_certificate_number=f"B{index}",
                guard_certificate_expiry=datetime.date(2027, 1, 1),
            )
        self.assertEqual(counts(), before)
        self.assertEqual(before, {STAFF: 8, DEFENCE: 11})

    def test_technical_defence_table(self):
        from equipment.choices import Category
        from equipment.models import EquipmentType, Location, StockBalance

        camera = EquipmentType.objects.create(
            code="camera-x", name="监控摄像机", category=Category.TECHNICAL_DEFENCE, source="GB"
        )
        place = Location.objects.create(school=self.s1, kind="gatehouse", name="门卫室")
        StockBalance.objects.create(
            school=self.s1, location=place, equipment_type=camera, held=6, faulty=1
        )
        self.client.force_login(self.city)
        rows = sheet_rows(self.client.get(DEFENCE, {"district": self.d1.pk}))
        header = rows[2]
        self.assertIn("监控摄像机", header)
        by_school = {row[0]: dict(zip(header, row, strict=True)) for row in rows[3:]}
        self.assertEqual(by_school[self.s1.name]["监控摄像机"], 6)
        self.assertEqual(by_school[self.s1.name]["Faulty pieces"], 1)
        self.assertEqual(by_school["District total"]["监控摄像机"], 6)
        self.client.force_login(self.district2)
        self.assertEqual(self.client.get(DEFENCE, {"district": self.d1.pk}).status_code, 404)


class MorePageExportTests(PinnedClockMixin, WorldTestCase):
    """The coverage, missed days, hazard ledger and equipment due lists export what they list."""

    pinned_at = NOW
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from inspections.models import Hazard

        for school, text in ((cls.s1, "+滨州围墙"), (cls.s2, "沾化围墙"), (cls.s3, "东营围墙")):
            Hazard.objects.create(
                school=school, year=2026, number=1, description=text, found_at=NOW
            )

    def get(self, persona, name, **query):
        self.client.force_login(self.users[persona])
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return self.client.get(reverse(name), query)

    def descriptions(self, persona, **query):
        rows = csv_rows(self.get(persona, "inspections:hazards", format="csv", **query))
        return sorted(row[3] for row in rows[1:])

    def test_hazards_scoped_and_filtered_like_the_page(self):
        self.assertEqual(self.descriptions("district1"), ["'+滨州围墙"])
        self.assertEqual(self.descriptions("city"), ["'+滨州围墙", "沾化围墙"])
        self.assertEqual(self.descriptions("city", school=self.s2.pk), ["沾化围墙"])
        self.assertEqual(self.descriptions("district1_principal2"), ["'+滨州围墙", "沾化围墙"])
        self.assertEqual(self.descriptions("outsider"), [])

    def test_the_annual_ledger_download_is_logged(self):
        self.client.force_login(self.principal1)
        url = reverse("inspections:hazard-ledger-school", args=[self.s1.pk])
        self.assertEqual(self.client.get(url, {"format": "xlsx"}).status_code, 200)
        entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
        self.assertEqual(entry.actor, self.principal1)
        self.assertEqual(entry.changes["export"][1], f"hazard-ledger-{self.s1.code}-2026.xlsx")

    def test_coverage_and_missed_days(self):
        for name in ("posts:coverage", "posts:missed"):
            response = self.get("city", name, format="xlsx")
            self.assertEqual(response.status_code, 200, name)
            self.assertEqual(sheet_rows(response)[0][0].split(" · ")[0], self.city_a.name)
            # The page's own refusal: coverage is not for police liaisons.
            self.assertEqual(self.get("police1", name, format="csv").status_code, 403, name)
        bad = self.get("city", "posts:coverage", format="csv", start="2026-12-01", end="2026-11-01")
        self.assertEqual(bad.status_code, 400)

    def test_equipment_due_for_bureaus_only(self):
        self.assertEqual(self.get("district1", "equipment:due", format="csv").status_code, 200)
        self.assertEqual(self.get("principal1", "equipment:due", format="csv").status_code, 403)
        other = self.get("district1", "equipment:due", format="csv", district=self.d2.pk)
        self.assertEqual(other.status_code, 404)


class ExportFileRetentionTests(WorldTestCase):
    def test_old_export_files_go_with_their_stored_file(self):
        import tempfile

        from django.core.files.base import ContentFile
        from django.utils import timezone

        from reminders.models import ExportFile
        from reminders.retention import purge

        with self.settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="exports-")):
            export = ExportFile(user=self.city, title="t", rows=1)
            export.file.save("old.csv", ContentFile(b"x"), save=True)
            path = export.file.path
            later = timezone.now() + datetime.timedelta(days=400)
            self.assertGreaterEqual(purge(later), 1)
            self.assertFalse(ExportFile.objects.exists())
            import os

            self.assertFalse(os.path.exists(path))
