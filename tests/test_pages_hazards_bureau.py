"""The bureau's overview of the ledger: counts by city, district and school, ageing, drill-down."""

import datetime

from django.urls import reverse
from django.utils import timezone

from campussafety.views import grouped_page
from inspections import hazards
from inspections.models import Hazard
from inspections.views.hazards_bureau import TOTALS, overview_rows
from tests.base import LAYOUT_QUERIES
from tests.hazards_world import HazardWorldTestCase, days, photo, today


class OverviewTests(HazardWorldTestCase):
    def login(self, persona):
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))

    def found_days_ago(self, hazard, n):
        Hazard.objects.filter(pk=hazard.pk).update(
            found_at=timezone.now() - datetime.timedelta(days=n)
        )

    def world(self):
        """At S1: an overdue one found 40 days ago, a new report, a supervised major one, and
        a recurrence of one struck off; at S2: one found 100 days ago; at S3 (city B) one."""
        late = self.rectifying()
        Hazard.objects.filter(pk=late.pk).update(deadline=today() - days(3))
        self.found_days_ago(late, 40)
        self.report()
        major = self.rectifying(level="major")
        hazards.supervise(
            self.district1,
            major,
            level="district",
            measures="m",
            responsibility="r",
            funds="f",
            deadline=today() + days(9),
            contingency_plan="c",
        )
        done = hazards.submit(
            self.officer1,
            self.rectifying(category="electrical"),
            rectification="x",
            photos=[photo()],
        )
        hazards.close(self.principal1, hazards.verify(self.principal1, done))
        self.report(category="electrical")  # the same place and category: a recurrence
        old = self.report("s2")
        self.found_days_ago(old, 100)
        self.report("s3", user=self.admin)

    def test_the_city_sees_its_districts_and_drills_down_to_schools(self):
        self.world()
        self.login("city")
        url = reverse("inspections:hazard-overview")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        rows = {row["name"]: row for row in response.context["rows"]}
        self.assertEqual(set(rows), {self.d1.name, self.d2.name})  # not city B's district
        d1 = rows[self.d1.name]
        self.assertEqual(
            (d1["open"], d1["overdue"], d1["supervised"], d1["recurring"]), (4, 1, 1, 1)
        )
        self.assertEqual((d1["under7"], d1["to30"], d1["to90"], d1["over90"]), (3, 0, 1, 0))
        self.assertEqual(rows[self.d2.name]["over90"], 1)
        self.assertEqual(response.context["totals"]["open"], 5)
        # The ageing histogram: the totals by age, drawn and beside it in a table.
        ageing = response.context["ageing"]
        self.assertEqual([values for _label, values in ageing.rows], [[3], [0], [1], [1]])
        self.assertContains(response, '<svg viewBox="0 0 480 220"')
        self.assertContains(response, "chart-table")
        schools = self.client.get(url, {"district": self.d1.pk})
        self.assertEqual([row["name"] for row in schools.context["rows"]], [self.s1.name])
        ledger = reverse("inspections:hazards")
        self.assertContains(schools, f"{ledger}?school={self.s1.pk}&amp;overdue=on")
        overdue = self.client.get(ledger, {"school": self.s1.pk, "overdue": "on"})
        self.assertEqual(len(overdue.context["hazards"]), 1)
        recurring = self.client.get(ledger, {"school": self.s1.pk, "recurring": "on"})
        self.assertEqual(len(recurring.context["hazards"]), 1)
        aged = self.client.get(ledger, {"school": self.s1.pk, "age": "to90"})
        self.assertEqual(len(aged.context["hazards"]), 1)

    def test_district_staff_see_their_schools_and_nothing_else(self):
        self.world()
        self.login("district2")
        response = self.client.get(reverse("inspections:hazard-overview"))
        self.assertEqual([row["name"] for row in response.context["rows"]], [self.s2.name])
        outside = self.client.get(reverse("inspections:hazard-overview"), {"district": self.d1.pk})
        self.assertEqual(outside.status_code, 404)
        self.login("principal1")
        self.assertEqual(self.client.get(reverse("inspections:hazard-overview")).status_code, 403)

    def test_the_overview_takes_a_fixed_number_of_queries(self):
        self.login("city")
        url = reverse("inspections:hazard-overview")
        # Session, user, scope; the grouped counts.
        with self.assertNumQueries(4 + LAYOUT_QUERIES):
            self.client.get(url)
        self.world()
        with self.assertNumQueries(4 + LAYOUT_QUERIES):
            self.client.get(url)
        # Drilling down adds the district.
        with self.assertNumQueries(5 + LAYOUT_QUERIES):
            self.client.get(url, {"district": self.d1.pk})

    def test_a_page_of_rows_carries_the_whole_tables_totals_in_one_statement(self):
        self.world()
        rows = overview_rows(Hazard.objects.all(), "school", today(), today().year)
        every = list(rows)
        self.assertGreater(len(every), 2)
        sums = {column: sum(row[column] for row in every) for column in TOTALS}
        seen = []
        for number in range(1, len(every) + 1):
            with self.assertNumQueries(1):
                page, totals = grouped_page(rows, TOTALS, str(number), size=1)
            self.assertEqual(totals, sums)
            self.assertEqual(page.paginator.num_pages, len(every))
            seen += page.object_list
        # Each school once, in the table's order; no window column left in a row.
        self.assertEqual(seen, every)
        # Past the end: the last page (two more statements); not a number: the first.
        with self.assertNumQueries(3):
            last, totals = grouped_page(rows, TOTALS, "99", size=1)
        self.assertEqual((last.number, last.object_list, totals), (len(every), every[-1:], sums))
        self.assertEqual(grouped_page(rows, TOTALS, "x", size=1)[0].object_list, every[:1])
        empty, totals = grouped_page(rows.none(), TOTALS, "3", size=1)
        self.assertEqual((list(empty.object_list), totals["open"]), ([], 0))
