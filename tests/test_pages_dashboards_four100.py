"""The city dashboard on the indicators the apps declare: the four 100% as of yesterday, a
red cell's proof reaching the schools and their records, trends and the .xlsx export.

The world: tests/dashboards_world.py's evidence on the posts world (today Monday
23 November 2026; as of Sunday 22nd).
"""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.snapshots import take
from tests.base import LAYOUT_QUERIES
from tests.dashboards_world import build_evidence
from tests.factories import SchoolFactory
from tests.posts_pages import PostsPageTestCase
from tests.posts_world import TODAY

PINNED = 7
FOUR = ["posts.guards", "four100.closed_campus", "equipment.alarm_video", "posts.peaks_covered"]


class FourHundredTests(PostsPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_evidence(cls)

    def get(self, persona, name="city", *args, **query):
        self.login(persona)
        return self.client.get(reverse(f"dashboards:{name}", args=args), query)

    def test_the_four_100_first_and_a_red_cell_reaches_the_proof(self):
        response = self.get("city")
        self.assertEqual(response.status_code, 200)
        codes = [indicator.code for indicator in response.context["indicators"]]
        self.assertEqual(codes[:4], FOUR)
        self.assertEqual(str(response.context["as_of"]), "2026-11-22")
        rows = {row.label: row for row in response.context["rows"]}
        # D2's only school missed an afternoon in the last ten school days: red.
        peaks = rows[self.d2.name].cells[3]
        self.assertEqual(peaks.indicator.code, "posts.peaks_covered")
        self.assertFalse(peaks.met)
        proof = self.client.get(peaks.url)
        self.assertEqual(proof.status_code, 200)
        self.assertEqual([school["name"] for school in proof.context["failing"]], [self.s2.name])
        evidence = proof.context["failing"][0]["url"]
        self.assertTrue(evidence)
        self.assertContains(proof, evidence.replace("&", "&amp;"))
        self.assertEqual(self.client.get(evidence).status_code, 200)
        # The district's row opens the district, its schools a row each, linking to their file.
        district = self.client.get(rows[self.d2.name].url)
        self.assertEqual(district.status_code, 200)
        (school,) = district.context["rows"]
        self.assertEqual(school.url, reverse("schools:file", args=[self.s2.pk]))

    def test_trends_from_the_snapshots(self):
        take(TODAY.replace(day=21))
        take(TODAY.replace(day=22))
        response = self.get("city", indicator="posts.peaks_covered")
        trend = response.context["trend"]
        self.assertEqual(trend.kind, "line")
        series = dict(trend.series)
        self.assertEqual(series[self.d2.name][-2:], [0.0, 0.0])
        self.assertContains(response, "dashboard-trend")

    def test_export_xlsx_names_the_date(self):
        response = self.get("city", format="xlsx", as_of="2026-11-22")
        self.assertEqual(response.status_code, 200)
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        cells = [value for row in book.worksheets[0].iter_rows(values_only=True) for value in row]
        self.assertIn(self.d2.name, cells)
        self.assertTrue(any("2026-11-22" in str(value) for value in cells if value))
        response = self.get("district1", "district", self.d2.pk, format="csv")
        self.assertEqual(response.status_code, 404)
        response = self.get("district2", "district", self.d2.pk, format="csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.s2.name, response.content.decode("utf-8-sig"))

    def test_queries_do_not_grow_with_schools(self):
        # As of a snapshotted day: session, user, roles; the districts; the day found
        # and the values in one GROUP BY; the trend in one more; the layout.
        take(TODAY.replace(day=22))
        for added in (0, 5):
            for n in range(added):
                SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n}")
            self.login("city")
            with self.subTest(added=added), CaptureQueriesContext(connection) as captured:
                response = self.client.get(reverse("dashboards:city"))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(len(captured), PINNED + LAYOUT_QUERIES, captured.captured_queries)
