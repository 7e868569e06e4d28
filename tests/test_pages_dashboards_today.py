"""The live "today" board for district staff: what each app declares, scoped, refreshed by htmx."""

from django.urls import reverse

from campussafety.charts import bar_chart, histogram, line_chart
from campussafety.panels import today_items
from tests.base import LAYOUT_QUERIES
from tests.factories import SchoolFactory
from tests.posts_pages import PostsPageTestCase


class TodayBoardTests(PostsPageTestCase):
    def get(self, persona, **query):
        self.login(persona)
        return self.client.get(reverse("dashboards:today"), query)

    def unlogged(self, response):
        (entry,) = [
            e for e in response.context["items"] if e["item"].key == "posts.morning_unlogged"
        ]
        return entry["count"], {row["school"] for row in entry["rows"]}

    def test_every_app_declares_its_items(self):
        keys = [item.key for item in today_items()]
        for key in (
            "posts.morning_unlogged",
            "inspections.patrols_late",
            "inspections.hazards_due",
        ):
            self.assertIn(key, keys)

    def test_posts_not_yet_logged_this_morning_in_the_users_scope(self):
        response = self.get("district1")
        self.assertEqual(response.status_code, 200)
        # Nine o'clock: S1's morning post (from 7:10) is not logged; S2 is another district's.
        self.assertEqual(self.unlogged(response), (1, {self.s1.name}))
        self.assertContains(response, "今天")
        self.assertContains(response, 'hx-trigger="every 60s"')
        self.log_today("s1")
        self.assertEqual(self.unlogged(self.get("district1")), (0, set()))
        self.assertEqual(self.unlogged(self.get("city")), (1, {self.s2.name}))

    def test_the_district_filter(self):
        response = self.get("city", district=self.d2.pk)
        self.assertEqual(self.unlogged(response), (1, {self.s2.name}))
        self.assertContains(response, self.d2.name)
        # Another district than one's own, or not an id: as absent as a made-up one.
        self.assertEqual(self.get("district1", district=self.d2.pk).status_code, 404)
        self.assertEqual(self.get("district1", district="x").status_code, 404)

    def test_htmx_polling_gets_the_items_alone(self):
        self.login("district1")
        response = self.client.get(reverse("dashboards:today"), headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="today-board"')
        self.assertNotContains(response, "<html")

    def test_bureau_staff_only(self):
        for persona in ("principal1", "officer1", "police1", "outsider"):
            with self.subTest(persona=persona):
                self.assertEqual(self.get(persona).status_code, 403)
        for persona in ("admin", "city", "district1", "district2"):
            with self.subTest(persona=persona):
                self.assertEqual(self.get(persona).status_code, 200)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("dashboards:today")).status_code, 302)

    def test_queries_do_not_grow_with_schools(self):
        # session, user, roles; posts: the school days (three), the periods;
        # inspections: the windows checked (steady state), counted, a page of
        # them; hazards: counted, a page.
        url = reverse("dashboards:today")
        self.login("city")
        for added in (0, 5):
            for n in range(added):
                SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n}")
            # The first look of the day materialises the schools' windows.
            self.client.get(url)
            with self.subTest(added=added), self.assertNumQueries(12 + LAYOUT_QUERIES):
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)


class ChartTests(PostsPageTestCase):
    def test_charts_are_svg_with_their_numbers(self):
        trend = line_chart(
            "覆盖率", ["11-20", "11-21", "11-22"], [("滨城区", [90, None, 100])], unit="%"
        )
        self.assertIn("<svg", trend.svg)
        self.assertIn("<polyline", trend.svg)
        self.assertNotIn("style=", trend.svg)
        self.assertEqual(trend.rows[1], ("11-21", [None]))
        bars = bar_chart("对比", ["<b>区</b>", "乙"], [50, 100], unit="%", target=100)
        # Labels are escaped; a bar below the target is red.
        self.assertIn("&lt;b&gt;", bars.svg)
        self.assertIn("#dc3545", bars.svg)
        ages = histogram("隐患", [("7天内", 3), ("30天内", 0)])
        self.assertEqual(ages.svg.count("<rect"), 2)
