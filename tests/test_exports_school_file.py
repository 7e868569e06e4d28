"""The school file (一校一档): scoped page and PDF, composed of the apps' sections, members
masked as in the registry, the PDF readable back with the school's name."""

import datetime
import io
from unittest import mock

from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from inspections.models import Hazard
from tests.base import PinnedClockMixin, WorldTestCase
from tests.posts_world import NOW, make_member


class SchoolFileTests(PinnedClockMixin, WorldTestCase):
    pinned_at = NOW
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.guard = make_member(
            "张保安",
            cls.s1,
            kind="security_guard",
            phone="13912345678",
            guard_certificate_number="GA1",
            guard_certificate_expiry=datetime.date(2027, 1, 1),
        )
        make_member("外校成员", cls.s2)
        cls.hazard = Hazard.objects.create(
            school=cls.s1,
            year=2026,
            number=1,
            description="围墙破损",
            found_at=NOW,
            deadline=datetime.date(2026, 12, 1),
        )

    def get(self, persona, name, school="s1", language="en"):
        self.client.force_login(self.users[persona])
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return self.client.get(reverse(f"schools:{name}", args=[getattr(self, school).pk]))

    def test_page_shows_the_apps_sections(self):
        response = self.get("district1", "file")
        self.assertEqual(response.status_code, 200)
        for text in (
            "滨州实验学校",
            "张保安",
            "139****5678",
            "围墙破损",
            "Kit shortfalls",
            "Drills",
        ):
            self.assertContains(response, text)
        self.assertNotContains(response, "外校成员")
        self.assertNotContains(response, "13912345678")

    def test_principal_sees_own_school_with_phones_as_in_the_registry(self):
        response = self.get("principal1", "file")
        self.assertContains(response, "13912345678")

    def test_out_of_scope_is_404(self):
        for persona, school in (
            ("principal1", "s2"),
            ("district1", "s2"),
            ("city", "s3"),
            ("outsider", "s1"),
        ):
            for name in ("file", "file-pdf"):
                self.assertEqual(self.get(persona, name, school).status_code, 404, persona)

    def test_multi_role_personas_reach_each_of_their_schools(self):
        for persona in ("district1_principal2", "principal1_police2"):
            for school, status in (("s1", 200), ("s2", 200), ("s3", 404)):
                self.assertEqual(self.get(persona, "file", school).status_code, status, persona)

    def test_pdf_holds_the_school_name_and_is_logged(self):
        response = self.get("city", "file-pdf", language="zh-hans")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        self.assertIn("滨州实验学校", text)
        self.assertIn("围墙破损", text)
        entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
        self.assertEqual(entry.actor, self.city)
        self.assertEqual(entry.changes["export"][1], f"school-file-{self.s1.code}.pdf")

    def test_without_weasyprint_the_printable_page_is_served(self):
        with mock.patch.dict("sys.modules", {"weasyprint": None}):
            response = self.get("city", "file-pdf")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "滨州实验学校")

    def test_query_count_does_not_grow_with_members(self):
        self.client.force_login(self.district1)
        url = reverse("schools:file", args=[self.s1.pk])
        self.client.get(url)
        # The page's own (scope, facts, due checks) and each section's; the indicators
        # computed live for today and one snapshot read per indicator for the trend.
        # 69 on SQLite, 75 on PostgreSQL (which materialises the day's windows in
        # fewer, and plans kit compliance in a transaction of its own: a savepoint, the
        # planner setting, the release); and the same again with more members.
        with CaptureQueriesContext(connection) as first:
            self.client.get(url)
        self.assertLessEqual(len(first.captured_queries), 75)
        for index in range(5):
            make_member(f"成员{index}", self.s1)
        with self.assertNumQueries(len(first.captured_queries)):
            self.client.get(url)
