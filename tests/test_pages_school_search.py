"""Choosing a school by type-ahead search: the endpoint answers from the user's scope, and
bureau pages weigh the same whatever the number of schools in it."""

from django.urls import reverse

from tests.factories import SchoolFactory
from tests.test_pages import PageTestCase

URL = reverse("schools:search")


class SchoolSearchTests(PageTestCase):
    def found(self, persona, **query):
        self.login(persona)
        response = self.client.get(URL, query)
        self.assertEqual(response.status_code, 200)
        return [row["text"] for row in response.json()["results"]]

    def test_only_schools_in_scope_by_name_or_code(self):
        self.assertEqual(self.found("district1"), ["滨城区实验幼儿园", "滨州实验学校"])
        self.assertEqual(self.found("district1", q="实验学"), ["滨州实验学校"])
        self.assertEqual(self.found("district1", q="3716020002"), ["滨城区实验幼儿园"])
        # Another district's school is not found, however it is named.
        self.assertEqual(self.found("district1", q="沾化"), [])
        self.assertEqual(self.found("city", q="沾化"), ["沾化第一中学"])
        self.assertEqual(self.found("principal1"), ["滨州实验学校"])
        self.assertEqual(self.found("outsider"), [])

    def test_at_most_twenty_in_two_queries(self):
        SchoolFactory.create_batch(25, district=self.d1, police_station=self.p1)
        self.login("district1")
        self.client.get(URL)  # the session is read and refreshed once
        # session, user; role assignments; the schools.
        with self.assertNumQueries(4):
            response = self.client.get(URL, {"q": "小学"})
        self.assertEqual(len(response.json()["results"]), 20)

    def test_anonymous_visitors_sign_in(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)


class PageWeightTests(PageTestCase):
    """A bureau page's filters offer schools by search, not as one <option> each."""

    PAGES = ("posts:logs", "posts:members")

    def sizes(self):
        self.login("city")
        sizes = {}
        for name in self.PAGES:
            response = self.client.get(reverse(name))
            self.assertEqual(response.status_code, 200, name)
            self.assertContains(response, 'data-search-url="/schools/search/"')
            sizes[name] = len(response.content)
        return sizes

    def test_the_html_is_the_same_size_for_3_schools_or_60(self):
        before = self.sizes()
        SchoolFactory.create_batch(57, district=self.d1, police_station=self.p1)
        self.assertEqual(self.sizes(), before)

    def test_the_chosen_school_stays_shown(self):
        self.login("city")
        response = self.client.get(reverse("posts:logs"), {"school": self.s2.pk})
        self.assertContains(
            response, f'<option value="{self.s2.pk}" selected>沾化第一中学</option>'
        )
        self.assertNotContains(response, "滨州实验学校</option>")
