"""Dates out of bounds, ids that are not ids, and errors under /api/: clear answers, never a 500."""

from django.test import RequestFactory
from django.urls import get_resolver, reverse

from campussafety import views as site_views
from campussafety.dates import EARLIEST, LATEST
from campussafety.ids import parse_id
from schools.models import Term
from tests.posts_pages import PostsPageTestCase

FAR = "9999-12-31"
FAR_WEEK = "9999-12-25"


class DateBoundsTests(PostsPageTestCase):
    def test_the_bounds(self):
        self.assertEqual((EARLIEST.isoformat(), LATEST.isoformat()), ("2000-01-01", "2100-12-31"))

    def test_api_date_inputs_are_400(self):
        api = self.api("principal1")
        post = self.post("s1")
        cases = {
            "shifts/generate": (
                "post",
                "/api/v1/shifts/generate/",
                {"post": post.pk, "start": FAR_WEEK, "end": FAR},
            ),
            "shifts/problems": (
                "get",
                f"/api/v1/shifts/problems/?start={FAR_WEEK}&end={FAR}",
                None,
            ),
            "school-days": (
                "get",
                f"/api/v1/calendar/school-days/?start={FAR_WEEK}&end={FAR}",
                None,
            ),
            "duty-log filter": ("get", f"/api/v1/duty-logs/?date_after={FAR}", None),
            "shift filter": ("get", "/api/v1/shifts/?date=1999-12-31", None),
        }
        for case, (method, url, data) in cases.items():
            with self.subTest(case):
                answer = getattr(api, method)(url, data, format="json")
                self.assertEqual(answer.status_code, 400, answer.content)
                self.assertEqual(answer["Content-Type"], "application/json")

    def test_a_model_date_in_the_api_is_400(self):
        answer = self.api("district1").post(
            "/api/v1/terms/",
            {
                "name": "远期学期",
                "district": self.d1.pk,
                "audience": "schools",
                "start_date": "9999-01-01",
                "end_date": FAR,
            },
            format="json",
        )
        self.assertEqual(answer.status_code, 400)
        self.assertIn("end_date", answer.data)
        self.assertFalse(Term.objects.filter(name="远期学期").exists())

    def test_roster_pages_answer_400(self):
        self.login("principal1")
        for name in ("roster", "roster-print"):
            with self.subTest(name):
                url = f"{reverse(f'posts:{name}')}?school={self.s1.pk}&week={FAR}"
                response = self.client.get(url)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "2100-12-31", status_code=400)
        url = f"{reverse('posts:roster-generate')}?school={self.s1.pk}&week={FAR}"
        self.assertEqual(self.client.post(url, {"weeks": "1"}).status_code, 400)

    def test_calendar_forms_refuse_far_dates(self):
        self.login("district1")
        response = self.client.post(
            reverse("schools:term-add"),
            {
                "name": "远期学期",
                "audience": "schools",
                "district": self.d1.pk,
                "start_date": "9999-01-01",
                "end_date": FAR,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("end_date", response.context["term_form"].errors)
        self.assertFalse(Term.objects.filter(name="远期学期").exists())
        self.assertEqual(self.client.get(reverse("schools:calendar")).status_code, 200)
        # The picker is told the bounds too.
        self.assertContains(self.client.get(reverse("schools:calendar")), 'max="2100-12-31"')

    def test_member_dates_on_the_page(self):
        self.login("district1")
        member = self.member("s1", "community")
        response = self.client.post(
            reverse("posts:assignment-add", args=[member.pk]),
            {"school": self.k1.pk, "start_date": FAR},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("start_date", response.context["assignment_form"].errors)


class IdParsingTests(PostsPageTestCase):
    def test_parse_id(self):
        for value, expected in {
            "12": 12,
            " 7 ": 7,
            "²": None,
            "١٢": None,
            "0": None,
            "-3": None,
            "9" * 30: None,
            "": None,
            None: None,
        }.items():
            with self.subTest(value=value):
                self.assertEqual(parse_id(value), expected)

    def test_superscript_ids_are_not_found_not_a_crash(self):
        self.login("district1")
        for url in (
            f"{reverse('posts:roster')}?school=%C2%B2",
            f"{reverse('posts:today')}?school=%C2%B2",
            f"{reverse('posts:members')}?school=%C2%B2",
        ):
            with self.subTest(url):
                self.assertIn(self.client.get(url).status_code, (200, 404))
        api = self.api("district1")
        answer = api.get("/api/v1/shifts/problems/?start=2026-11-23&end=2026-11-27&school=²")
        self.assertEqual(answer.status_code, 404)
        self.assertEqual(answer["Content-Type"], "application/json")
        for url in ("/api/v1/members/?school=%C2%B2", "/api/v1/shifts/?school=%C2%B2"):
            with self.subTest(url):
                self.assertEqual(api.get(url).status_code, 400)


class ApiErrorsAreJsonTests(PostsPageTestCase):
    def test_an_unknown_api_url_is_json(self):
        for url in ("/api/v1/no-such-thing/", "/api/nothing", "/api/v1/members/1/nope/"):
            with self.subTest(url):
                answer = self.api("district1").get(url)
                self.assertEqual(answer.status_code, 404)
                self.assertEqual(answer["Content-Type"], "application/json")
                self.assertIn("detail", answer.json())

    def test_pages_keep_the_site_page(self):
        self.login("district1")
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")

    def test_a_server_error_outside_drf_is_json_under_api(self):
        resolver = get_resolver()
        self.assertIs(resolver.resolve_error_handler(500), site_views.server_error)
        factory = RequestFactory()
        answer = site_views.server_error(factory.get("/api/v1/members/"))
        self.assertEqual((answer.status_code, answer["Content-Type"]), (500, "application/json"))
        page = site_views.server_error(factory.get("/posts/members/"))
        self.assertEqual(page.status_code, 500)
        self.assertNotEqual(page["Content-Type"], "application/json")
