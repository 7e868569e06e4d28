"""The organisation API beyond the permission matrix: auth, validation, the calendar, queries."""

import datetime

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from schools.models import School, Term
from tests.base import PASSWORD, WorldTestCase
from tests.factories import GateFactory, SchoolFactory


class TokenTests(WorldTestCase):
    url = "/api/v1/auth/token/"

    def test_good_credentials_give_a_token_that_authenticates(self):
        response = APIClient().post(self.url, {"username": "principal1", "password": PASSWORD})
        self.assertEqual(response.status_code, 200)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        schools = client.get("/api/v1/schools/").json()["results"]
        self.assertEqual([row["id"] for row in schools], [self.s1.pk])

    def test_wrong_credentials_do_not_say_which_part_was_wrong(self):
        wrong_password = APIClient().post(self.url, {"username": "principal1", "password": "x"})
        no_such_user = APIClient().post(self.url, {"username": "nobody", "password": PASSWORD})
        self.assertEqual(wrong_password.status_code, 400)
        self.assertEqual(no_such_user.status_code, 400)
        self.assertEqual(wrong_password.json(), no_such_user.json())

    def test_missing_fields_are_field_errors(self):
        response = APIClient().post(self.url, {})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()), {"username", "password"})


class SchoolWriteTests(WorldTestCase):
    def url(self, school):
        return reverse("school-detail", args=[school.pk])

    def test_a_principal_edits_details_but_not_code_or_district(self):
        client = self.api("principal1")
        response = client.patch(self.url(self.s1), {"enrolment": 1500}, format="json")
        self.assertEqual(response.status_code, 200)
        for field, value in (
            ("code", "3716029999"),
            ("district", self.d2.pk),
            ("police_station", self.p2.pk),
        ):
            with self.subTest(field=field):
                response = client.patch(self.url(self.s1), {field: value}, format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.s1.refresh_from_db()
        self.assertEqual((self.s1.code, self.s1.district_id), ("3716020001", self.d1.pk))

    def test_a_principal_may_send_unchanged_bureau_fields(self):
        # A client that PUTs the whole object back must not be refused.
        response = self.api("principal1").patch(
            self.url(self.s1), {"code": self.s1.code, "address": "渤海七路"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_district_staff_may_change_the_code(self):
        response = self.api("district1").patch(
            self.url(self.s1), {"code": "3716029999"}, format="json"
        )
        self.assertEqual(response.status_code, 200)

    def test_police_station_must_be_in_the_schools_district(self):
        # Both are in city A, so in the city staff's scope: the model's rule refuses it.
        response = self.api("city").patch(
            self.url(self.s1), {"police_station": self.p2.pk}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("police_station", response.json())
        self.s1.refresh_from_db()
        self.assertEqual(self.s1.police_station_id, self.p1.pk)

    def test_moving_a_school_out_of_scope_is_invalid(self):
        response = self.api("city").patch(self.url(self.s1), {"district": self.d3.pk})
        self.assertEqual(response.status_code, 400)

    def test_bad_input_is_a_field_error_and_nothing_is_saved(self):
        before = School.objects.count()
        cases = {
            "code": {"code": "12345"},
            "enrolment": {"enrolment": "many"},
            "school_type": {"school_type": "university"},
            "latitude": {"latitude": "95.0", "longitude": "117.9"},
        }
        for field, bad in cases.items():
            with self.subTest(field=field):
                payload = {
                    "name": "新学校",
                    "code": "3716021234",
                    "school_type": "primary",
                    "district": self.d1.pk,
                    "police_station": self.p1.pk,
                    **bad,
                }
                response = self.api("district1").post("/api/v1/schools/", payload, format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.assertEqual(School.objects.count(), before)

    def test_half_a_location_is_refused(self):
        response = self.api("principal1").patch(
            self.url(self.s1), {"latitude": "37.38"}, format="json"
        )
        self.assertEqual(response.status_code, 400)

    def test_a_duplicate_code_is_a_field_error(self):
        response = self.api("district1").post(
            "/api/v1/schools/",
            {
                "name": "重复",
                "code": self.s1.code,
                "school_type": "primary",
                "district": self.d1.pk,
                "police_station": self.p1.pk,
            },
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("code", response.json())


class TermWriteTests(WorldTestCase):
    def test_a_term_belongs_to_a_city_or_a_district_not_both(self):
        payload = {
            "city": self.city_a.pk,
            "district": self.d1.pk,
            "name": "学期",
            "start_date": "2027-02-20",
            "end_date": "2027-07-01",
        }
        response = self.api("city").post("/api/v1/terms/", payload, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Term.objects.exists())

    def test_the_end_must_follow_the_start(self):
        payload = {
            "district": self.d1.pk,
            "name": "学期",
            "start_date": "2027-07-01",
            "end_date": "2027-02-20",
        }
        response = self.api("district1").post("/api/v1/terms/", payload, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("end_date", response.json())

    def test_district_staff_cannot_create_a_city_wide_term(self):
        payload = {
            "city": self.city_a.pk,
            "name": "学期",
            "start_date": "2027-02-20",
            "end_date": "2027-07-01",
        }
        response = self.api("district1").post("/api/v1/terms/", payload, format="json")
        # The city is visible to them (for viewing), but not theirs to write.
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Term.objects.exists())


class SchoolDaysAPITests(WorldTestCase):
    url = "/api/v1/calendar/school-days/"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Term.objects.create(
            city=cls.city_a,
            name="秋季学期",
            start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2027, 1, 22),
        )

    def test_the_school_days_of_the_users_schools(self):
        response = self.api("principal1").get(
            self.url, {"start": "2026-11-23", "end": "2026-11-29"}
        )
        self.assertEqual(response.status_code, 200)
        [row] = response.json()["results"]
        self.assertEqual(row["school"], self.s1.pk)
        self.assertEqual(row["count"], 5)
        self.assertEqual(row["days"][0], "2026-11-23")

    def test_filters_apply(self):
        response = self.api("city").get(
            self.url, {"start": "2026-11-23", "end": "2026-11-23", "district": self.d2.pk}
        )
        self.assertEqual([row["school"] for row in response.json()["results"]], [self.s2.pk])

    def test_bad_ranges_are_field_errors(self):
        client = self.api("city")
        for params, field in (
            ({"end": "2026-11-29"}, "start"),
            ({"start": "2026-11-29", "end": "2026-11-01"}, "end"),
            ({"start": "2026-01-01", "end": "2027-06-01"}, "end"),
            ({"start": "yesterday", "end": "2026-11-01"}, "start"),
        ):
            with self.subTest(params=params):
                response = client.get(self.url, params)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())

    def test_query_count_does_not_grow_with_schools(self):
        for _ in range(20):
            SchoolFactory(district=self.d1, police_station=self.p1)
        client = self.api("city")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(self.url, {"start": "2026-09-01", "end": "2027-01-22"})
        self.assertEqual(response.json()["count"], 23)
        # 1. role assignments, 2. count, 3. the page of schools,
        # 4-6. school_days(): schools, terms, exceptions.
        self.assertEqual(len(queries), 6, [q["sql"] for q in queries])


class ListQueryCountTests(WorldTestCase):
    """List endpoints run a fixed number of queries however many rows they return."""

    def assert_queries(self, url, expected, grow):
        client = self.api("city")
        with CaptureQueriesContext(connection) as before:
            first = client.get(url)
        grow()
        client = self.api("city")
        with self.assertNumQueries(expected):
            second = client.get(url)
        self.assertEqual(len(before), expected)
        self.assertGreater(second.json()["count"], first.json()["count"])

    def test_schools(self):
        def grow():
            for _ in range(5):
                GateFactory(school=SchoolFactory(district=self.d1, police_station=self.p1))

        # 1. role assignments, 2. count, 3. schools with district and police
        # station, 4. their gates.
        self.assert_queries("/api/v1/schools/", 4, grow)

    def test_gates(self):
        def grow():
            for _ in range(5):
                GateFactory(school=self.s1)

        # 1. role assignments, 2. count, 3. gates.
        self.assert_queries("/api/v1/gates/", 3, grow)

    def test_districts(self):
        def grow():
            for n in range(5):
                type(self.d1).objects.create(city=self.city_a, name=f"新区{n}", code=f"37169{n}")

        # 1. role assignments, 2. count, 3. districts with their city.
        self.assert_queries("/api/v1/districts/", 3, grow)

    def test_police_stations(self):
        def grow():
            for n in range(5):
                type(self.p1).objects.create(district=self.d1, name=f"新派出所{n}")

        # 1. role assignments, 2. count, 3. stations with their district.
        self.assert_queries("/api/v1/police-stations/", 3, grow)


class SchemaTests(WorldTestCase):
    def test_the_openapi_schema_validates_without_warnings(self):
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")

    def test_schema_and_docs_are_served(self):
        client = self.api("city")
        self.assertEqual(client.get("/api/schema/").status_code, 200)
        docs = client.get("/api/docs/")
        self.assertEqual(docs.status_code, 200)
        self.assertNotIn(b"cdn.jsdelivr", docs.content)


class ApiRootTests(WorldTestCase):
    def test_the_root_lists_every_router_endpoint_to_signed_in_users(self):
        response = self.api("principal1").get("/api/v1/")
        self.assertEqual(response.status_code, 200)
        links = response.json()
        for prefix in ("schools", "duty-logs", "members", "shifts", "notifications"):
            self.assertTrue(links[prefix].endswith(f"/api/v1/{prefix}/"), links)

    def test_anonymous_callers_are_refused(self):
        self.assertIn(APIClient().get("/api/v1/").status_code, (401, 403))
