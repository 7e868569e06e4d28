"""Recording a meeting: its holding school and the schools it concerns are chosen by
type-ahead search (campussafety.forms.SearchSelect and SearchSelectMultiple over
/schools/search/), so the page weighs the same in a city of 20 schools or 2,000; what is
submitted is still validated against the user's scope."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import Meeting
from schools.models import School
from tests.base import LAYOUT_QUERIES
from tests.coordination_world import DAY, CoordinationWorldTestCase, make_item, make_meeting

URL = reverse("coordination:meeting-add")


def add_schools(world, total):
    """Schools of D1 until city A has `total` (one INSERT)."""
    have = School.objects.filter(district__city=world.city_a).count()
    School.objects.bulk_create(
        [
            School(
                district=world.d1,
                police_station=world.p1,
                name=f"滨城区第{n}小学",
                code=f"{3716025000 + n:010d}",
                school_type="primary",
            )
            for n in range(have, total)
        ]
    )


class MeetingFormTests(CoordinationWorldTestCase):
    def data(self, **changes):
        return {
            "level": "district",
            "district": self.d1.pk,
            "title": "区校园安全联席会议",
            "held_on": DAY.isoformat(),
            **changes,
        }

    def test_the_page_weighs_the_same_for_20_and_2000_schools(self):
        self.login("city")
        weights = []
        for total in (20, 2000):
            add_schools(self, total)
            self.assertEqual(School.objects.filter(district__city=self.city_a).count(), total)
            # Session, user, role assignments; the cities and the districts of the two
            # choices that stay lists (a city has a handful); nothing for the schools.
            with self.assertNumQueries(5 + LAYOUT_QUERIES):
                response = self.client.get(URL)
            self.assertEqual(response.status_code, 200)
            weights.append(len(response.content))
        self.assertEqual(weights[0], weights[1])
        html = response.content.decode()
        self.assertNotIn("滨城区第19小学", html)
        self.assertIn('data-search-url="/schools/search/"', html)
        self.assertIn('<select name="schools"', html)

    def test_the_schools_concerned_are_several_chosen_by_search(self):
        self.login("district1")
        response = self.client.post(URL, self.data(schools=[self.s1.pk, self.k1.pk]))
        self.assertEqual(response.status_code, 302)
        meeting = Meeting.objects.get(title="区校园安全联席会议")
        self.assertEqual(
            set(meeting.schools.values_list("pk", flat=True)), {self.s1.pk, self.k1.pk}
        )
        # The search answers from the user's scope: D2's school is not offered ...
        found = self.client.get(reverse("schools:search"), {"q": "沾化"}).json()["results"]
        self.assertEqual(found, [])

    def test_saving_costs_the_same_for_one_school_or_many(self):
        add_schools(self, 40)
        self.login("district1")
        many = list(School.objects.filter(district=self.d1).values_list("pk", flat=True))
        counts = []
        for n, chosen in enumerate((many[:1], many)):
            with CaptureQueriesContext(connection) as queries:
                response = self.client.post(URL, self.data(title=f"例会{n}", schools=chosen))
            self.assertEqual(response.status_code, 302)
            counts.append(len(queries))
        # Session, user, role assignments; the district, the schools chosen (ONE query
        # for any number), the city; the constraints' checks; the meeting, its schools
        # (those linked, then ONE insert), the scope check; the school meeting obligation
        # withdrawn for a district's meeting; each write in its savepoint.
        self.assertEqual(counts, [21, 21])
        self.assertEqual(Meeting.objects.get(title="例会1").schools.count(), len(many))

    def test_a_school_outside_the_scope_is_a_form_error_and_the_choice_stays(self):
        self.login("district1")
        response = self.client.post(
            URL, self.data(title="越权会议", schools=[self.s1.pk, self.s2.pk])
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Meeting.objects.filter(title="越权会议").exists())
        self.assertTrue(response.context["form"].has_error("schools"))
        # ... and submitting it anyway changes nothing; what was in scope is shown again,
        # chosen, and nothing else is listed.
        response = self.client.post(URL, self.data(title="", schools=[self.s1.pk]))
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response,
            f'<option value="{self.s1.pk}" selected>滨州实验学校</option>',
            status_code=400,
        )
        self.assertNotContains(response, f'<option value="{self.k1.pk}"', status_code=400)
        self.assertNotContains(response, "沾化第一中学", status_code=400)

    def test_an_item_of_a_district_meeting_names_its_school_by_search(self):
        add_schools(self, 200)
        self.login("district1")
        meeting = make_item(make_meeting(district=self.d1), owner_school=self.s1).meeting
        page = self.client.get(reverse("coordination:meeting", args=[meeting.pk]))
        self.assertContains(page, '<select name="owner_school"')
        self.assertNotContains(page, "滨城区第19小学")
        # A school meeting's only choice is its own school: listed.
        school_meeting = make_item(make_meeting(school=self.s1), owner_school=self.s1).meeting
        page = self.client.get(reverse("coordination:meeting", args=[school_meeting.pk]))
        self.assertContains(page, f'<option value="{self.s1.pk}">滨州实验学校</option>')
