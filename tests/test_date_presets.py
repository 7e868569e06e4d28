"""The date presets (yesterday, this week, this month, this term, last term) on every
date-range filter of the site: each page renders them, and following one filters the page.

The date-range filters (every form or filterset with a start and an end read from a page's
query): coverage and missed days (start, end), the duty log list (date_after,
date_before) and drill compliance (start, end).

Today is Monday 23 November 2026, in city A's autumn term (1 September – 22 January).
"""

import html
import re

from django.urls import reverse

from posts.dutylogs import refresh_daily_coverage
from posts.models import DutyLog
from schools.models import Term
from tests.obligations_world import D
from tests.posts_pages import LAST_FRIDAY, PostsPageTestCase
from tests.posts_world import TODAY

PRESETS = ("yesterday", "this_week", "this_month", "this_term", "last_term")


def preset_link(response, key):
    """The query of the preset `key` as the page links it."""
    found = re.search(rf'<a href="\?([^"]*)"[^>]*data-preset="{key}"', response.content.decode())
    assert found, f"no {key} preset"
    return html.unescape(found.group(1))


class PresetTests(PostsPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Last term, so that every preset is offered.
        Term.objects.create(
            city=cls.city_a, name="2026 春季学期", start_date=D(2026, 2, 24), end_date=D(2026, 7, 3)
        )
        # S1 logged both periods on Friday 20th; nothing today: Friday is covered, today not.
        _post, morning, afternoon = cls.posts["s1"]
        for period in (morning, afternoon):
            DutyLog.objects.create(
                school=cls.s1, post_period=period, date=LAST_FRIDAY, period=period.period
            )
        refresh_daily_coverage(cls.s1.pk, LAST_FRIDAY)

    def page(self, name, query=""):
        self.login("district1")
        response = self.client.get(f"{reverse(name)}?{query}")
        self.assertEqual(response.status_code, 200)
        return response

    def assert_presets(self, response):
        for key in PRESETS:
            self.assertContains(response, f'data-preset="{key}"')

    def test_duty_logs(self):
        response = self.page("posts:logs", f"school={self.s1.pk}")
        self.assert_presets(response)
        # This month holds Friday's logs; this week (today only) none; the school stays chosen.
        month = preset_link(response, "this_month")
        self.assertIn(f"school={self.s1.pk}", month)
        self.assertIn("date_after=2026-11-01&date_before=2026-11-23", month)
        self.assertEqual(
            {log.date for log in self.page("posts:logs", month).context["object_list"]},
            {LAST_FRIDAY},
        )
        week = self.page("posts:logs", preset_link(response, "this_week"))
        self.assertEqual(list(week.context["object_list"]), [])

    def test_coverage(self):
        response = self.page("posts:coverage", "group_by=school")
        self.assert_presets(response)
        week = self.page("posts:coverage", preset_link(response, "this_week"))
        data = week.context["form"].cleaned_data
        self.assertEqual((data["start"], data["end"], data["group_by"]), (TODAY, TODAY, "school"))
        month = self.page("posts:coverage", preset_link(response, "this_month"))
        # The school days counted: this month's fifteen before today; this week's none yet.
        rows = {row.label: row for row in month.context["page_obj"]}
        self.assertEqual(rows[self.s1.name].school_days, 15)
        rows = {row.label: row for row in week.context["page_obj"]}
        self.assertEqual(rows[self.s1.name].school_days, 0)
        last = self.page("posts:coverage", preset_link(response, "last_term"))
        data = last.context["form"].cleaned_data
        self.assertEqual((data["start"], data["end"]), (D(2026, 2, 24), D(2026, 7, 3)))

    def test_missed_days(self):
        response = self.page("posts:missed", f"school={self.s1.pk}")
        self.assert_presets(response)

        def days(key):
            page = self.page("posts:missed", preset_link(response, key))
            return {
                item.date for item, _name in page.context["rows"] if item.school_id == self.s1.pk
            }

        # Today is not over: not missed yet. Friday was logged; Thursday was not.
        self.assertEqual(days("this_week"), set())
        self.assertNotIn(LAST_FRIDAY, days("this_month"))
        self.assertIn(D(2026, 11, 19), days("this_month"))

    def test_drill_compliance(self):
        response = self.page("drills:compliance", f"district={self.d1.pk}")
        self.assert_presets(response)
        link = preset_link(response, "this_term")
        self.assertIn(f"district={self.d1.pk}", link)
        term = self.page("drills:compliance", link)
        self.assertEqual((term.context["start"], term.context["end"]), (D(2026, 9, 1), TODAY))
        self.assertEqual(term.context["level"], "district")
        week = self.page("drills:compliance", preset_link(response, "yesterday"))
        self.assertEqual((week.context["start"], week.context["end"]), (D(2026, 11, 22),) * 2)
