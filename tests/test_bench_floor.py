"""The benchmarks' served floor: hand-written SQL behind a bare view, through the same client."""

import datetime

from django.db import connection
from django.test import Client, TestCase, override_settings

from campussafety.bench import URLCONF, compared, served
from tests.factories import UserFactory


def floor():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1, %s", [datetime.date(2026, 9, 1)])
        return cursor.fetchall()


@override_settings(ROOT_URLCONF=URLCONF)
class ServedFloorTests(TestCase):
    def setUp(self):
        self.client = Client()
        self.client.force_login(UserFactory())

    def test_the_view_serves_the_floors_rows_to_a_signed_in_user(self):
        response = served(self.client, floor)()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"rows": [[1, "2026-09-01"]]})

    def test_the_view_refuses_an_anonymous_request(self):
        self.assertEqual(served(Client(), floor)().status_code, 403)

    def test_a_request_is_compared_with_the_served_floor(self):
        timings, queries, status, cells = compared(
            lambda: self.client.get("/health/"), floor, 2, self.client
        )
        self.assertEqual(len(timings), 2)
        sql_ms, view_ms, ratio = cells
        self.assertTrue(sql_ms and view_ms and ratio.endswith("x"))

    def test_a_function_is_compared_with_its_sql(self):
        _t, queries, status, (sql_ms, view_ms, ratio) = compared(floor, floor, 1)
        self.assertEqual((queries, status, view_ms), (1, None, ""))
        self.assertTrue(ratio.endswith("x"))

    @override_settings(ROOT_URLCONF="campussafety.urls")
    def test_the_site_does_not_serve_the_floors(self):
        with self.assertRaisesMessage(RuntimeError, "URLCONF"):
            compared(lambda: None, floor, 1, self.client)
