"""Exports of coordination's lists: meetings, action items, the legal vice-presidents' view
and the year's activities of a district, each under the contract of
tests/export_contract.py. The instability register has none: its strict access and
per-read logging are kept (README, "Exports")."""

import datetime
import zoneinfo

from django.urls import reverse

from tests.base import PinnedClockMixin
from tests.coordination_world import (
    CoordinationWorldTestCase,
    make_activity,
    make_appointment,
    make_item,
    make_meeting,
)
from tests.export_contract import ExportContract, csv_rows
from tests.factories import SchoolFactory

FORMULA = '=HYPERLINK("http://x")'
NOW = datetime.datetime(2026, 10, 20, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
PHONE = "13987654321"


class CoordinationExports(ExportContract):
    """The world of every class below (a mixin: no tests of its own)."""

    pinned_at = NOW
    unit = "滨城区"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # A legal vice-president's phone at S1: no export may carry it in full.
        make_appointment(cls.s1, phone=PHONE)
        cls.personal = (PHONE, None)


class MeetingExportTests(CoordinationExports, PinnedClockMixin, CoordinationWorldTestCase):
    url = reverse("coordination:meetings")
    name = "security-meetings"
    query = {"level": "district"}
    # Session, user, roles; the count; the unit's name; the meetings with their units and
    # counts; the access log's entry.
    queries = 7

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_item(make_meeting(district=cls.d1, title=FORMULA), owner_school=cls.s1)
        make_meeting(district=cls.d2, title="沾化区联席会议")
        cls.planted, cls.foreign = FORMULA, "沾化区联席会议"

    def grow(self):
        for index in range(3):
            make_item(make_meeting(district=self.d1, title=f"例会{index}"), owner_school=self.s1)

    def test_counts_and_units_as_the_page(self):
        rows = csv_rows(self.export())
        header, (row,) = rows[0], rows[1:]
        self.assertEqual(header[:4], ["Held on", "Title", "Level", "Unit"])
        self.assertEqual((row[3], row[5], row[6]), (self.d1.name, "1", "1"))


class ActionItemExportTests(CoordinationExports, PinnedClockMixin, CoordinationWorldTestCase):
    url = reverse("coordination:items")
    name = "action-items"
    # Session, user, roles; the count; the unit's name; the items with their meeting and
    # owner; the access log's entry.
    queries = 7

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        meeting = make_meeting(city=cls.city_a)
        make_item(meeting, owner_district=cls.d1, title=FORMULA)
        make_item(meeting, owner_district=cls.d2, title="沾化区事项")
        cls.planted, cls.foreign = FORMULA, "沾化区事项"

    def grow(self):
        meeting = make_meeting(city=self.city_a, title="全市例会")
        for index in range(3):
            make_item(meeting, owner_district=self.d1, title=f"事项{index}")

    def test_overdue_as_the_page(self):
        (row,) = csv_rows(self.export())[1:]
        # Due on 12 October, open on the 20th: overdue.
        self.assertEqual((row[1], row[2], row[3]), (self.d1.name, "2026-10-12", "yes"))


class LegalExportTests(CoordinationExports, PinnedClockMixin, CoordinationWorldTestCase):
    url = reverse("coordination:legal")
    name = "legal-vice-presidents"
    query = {"year": "2026", "all": "1"}
    # Session, user, roles; the minimums of the cities (their ids, the minimums); the
    # count; the unit's name; the schools with their figures; the access log's entry.
    queries = 9

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        SchoolFactory(district=cls.d1, police_station=cls.p1, name=FORMULA)
        cls.planted, cls.foreign = FORMULA, cls.s2.name

    def grow(self):
        for _index in range(3):
            school = SchoolFactory(district=self.d1, police_station=self.p1)
            make_appointment(school, phone="13700000000")
            make_activity(school)

    def test_needing_attention_by_default_as_the_page(self):
        make_activity(self.s1)
        rows = {row[0]: row for row in csv_rows(self.export(all=""))[1:]}
        # S1 has its legal vice-president and an activity by October, expecting 4 a year
        # pro rata: 4 × 10/12 → 4 expected, so it is behind, as are the others.
        self.assertIn("'" + FORMULA, rows)
        self.assertEqual(rows[self.s1.name][2:], ["yes", "1", "4"])


class ActivityExportTests(CoordinationExports, PinnedClockMixin, CoordinationWorldTestCase):
    name = "legal-vp-activities-371602-2026"
    query = {"year": "2026"}
    # Session, user, roles; the district; the bureau's check of it; the count; the unit's
    # name; the activities with their school and legal vice-president; the log entry.
    queries = 9

    def export_url(self):
        return reverse("coordination:activities-export", args=[self.d1.pk])

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_activity(cls.s1, note=FORMULA)
        make_activity(cls.s2, note="沾化活动")
        cls.planted, cls.foreign = FORMULA, "沾化活动"

    def grow(self):
        for _index in range(3):
            make_activity(self.k1)

    def page_url(self):
        return reverse("coordination:legal")

    def test_the_export_answers_whoever_the_page_answers(self):
        # The page lists every district of the user's; the file is one district's: its
        # refusals are its own (tests/test_coordination_pages.py, test_activities_export).
        self.skipTest("a file of one district, not a page's rows")

    def test_the_page_links_its_export_with_its_filters(self):
        self.client.force_login(self.district1)
        response = self.client.get(reverse("coordination:legal"), {"year": "2026"})
        for fmt in ("xlsx", "csv"):
            self.assertContains(response, f"{self.export_url()}?year=2026&amp;format={fmt}")
