"""The read replica: which database a view's queries go to (campussafety/replica.py).

The replica is a test mirror of the default database (tests/conftest.py), so
both aliases reach the same rows; what is checked is the connection each query
is sent on. TransactionTestCase: the replica's connection is a connection of
its own and sees only committed rows, as a real standby would.
"""

from django.core.cache import cache
from django.db import connections, router
from django.test import RequestFactory, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from campussafety import replica
from schools.models import School
from tests.base import World

RANGE = {"start": "2026-11-16", "end": "2026-11-20"}


@override_settings(REPLICA_READS=True)
class ReplicaRoutingTests(TransactionTestCase):
    databases = {"default", "replica"}

    def setUp(self):
        World.build(self)
        cache.delete_many([replica._pin_key(user.pk) for user in self.users.values()])

    def capture(self, call):
        """(the response, SQL sent to the primary, SQL sent to the replica)."""
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica"]) as standby,
        ):
            response = call()
        return response, [q["sql"] for q in primary], [q["sql"] for q in standby]

    def api(self, persona):
        client = APIClient()
        client.force_authenticate(self.users[persona])
        return client

    def test_the_coverage_api_reads_from_the_replica(self):
        client = self.api("city")
        response, primary, standby = self.capture(
            lambda: client.get("/api/v1/coverage/", RANGE | {"group_by": "district"})
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(primary, [])
        self.assertTrue(any("schools_school" in sql for sql in standby), standby)

    def test_the_coverage_page_reads_from_the_replica_once_the_user_is_known(self):
        self.client.force_login(self.users["district1"])
        response, primary, standby = self.capture(
            lambda: self.client.get(reverse("posts:coverage"), RANGE)
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(any("schools_school" in sql for sql in standby), standby)
        # The primary loads the session and its user, nothing of the page's own
        # (the layout's unread count included: the template renders in the view).
        tables = ("django_session", "accounts_user")
        for sql in primary:
            self.assertTrue(any(table in sql for table in tables), sql)

    def test_an_export_reads_from_the_replica(self):
        self.client.force_login(self.users["district1"])
        response, _primary, standby = self.capture(
            lambda: self.client.get(
                reverse("inspections:fire-export-district", args=[self.d1.pk]),
                {"format": "xlsx"},
            )
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(any("schools_school" in sql for sql in standby), standby)

    def test_an_unmarked_view_reads_from_the_primary(self):
        client = self.api("city")
        response, primary, standby = self.capture(lambda: client.get("/api/v1/schools/"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(standby, [])
        self.assertTrue(primary)

    def test_after_a_write_the_user_reads_the_primary(self):
        """Sticky primary: a page POST, then the API with the same user."""
        self.client.force_login(self.users["city"])
        response = self.client.post(reverse("reminders:read-all"))
        self.assertEqual(response.status_code, 302)
        client = self.api("city")
        response, primary, standby = self.capture(lambda: client.get("/api/v1/coverage/", RANGE))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(standby, [])
        self.assertTrue(any("schools_school" in sql for sql in primary))
        # Another user still reads the replica.
        other = self.api("district1")
        _response, primary, standby = self.capture(lambda: other.get("/api/v1/coverage/", RANGE))
        self.assertEqual(primary, [])
        self.assertTrue(standby)

    def test_an_api_write_pins_its_token_user(self):
        client = self.api("district2")
        self.assertEqual(client.post("/api/v1/notifications/read-all/").status_code, 200)
        _response, primary, standby = self.capture(
            lambda: client.get("/api/v1/coverage/missed/", RANGE)
        )
        self.assertEqual(standby, [])
        self.assertTrue(primary)

    def test_a_refused_write_does_not_pin(self):
        client = self.api("district2")
        response = client.post("/api/v1/coverage/", {})
        self.assertEqual(response.status_code, 405)
        _response, primary, standby = self.capture(lambda: client.get("/api/v1/coverage/", RANGE))
        self.assertEqual(primary, [])
        self.assertTrue(standby)

    def test_writes_inside_a_marked_view_go_to_the_primary(self):
        request = RequestFactory().get("/")
        request.user = self.users["admin"]
        with replica.replica_reads(request):
            school = School.objects.get(pk=self.s1.pk)
            self.assertEqual(school._state.db, "replica")
            self.assertEqual(router.db_for_write(School, instance=school), "default")
            with CaptureQueriesContext(connections["default"]) as primary:
                school.name = "滨州实验学校（新）"
                school.save(update_fields=["name"])
            self.assertTrue(
                any(q["sql"].startswith("UPDATE") and "schools_school" in q["sql"] for q in primary)
            )
            self.assertEqual(School.objects.select_for_update().filter(pk=school.pk).db, "default")
        # Outside a marked view, reads are Django's own choice: the primary.
        self.assertEqual(School.objects.get(pk=self.s1.pk).name, "滨州实验学校（新）")
        self.assertEqual(School.objects.all().db, "default")


class ReplicaOffTests(TransactionTestCase):
    """Without a replica (REPLICA_READS off) a marked view reads the primary."""

    databases = {"default", "replica"}

    def setUp(self):
        World.build(self)

    def test_marked_views_read_the_primary(self):
        client = APIClient()
        client.force_authenticate(self.users["city"])
        with CaptureQueriesContext(connections["replica"]) as standby:
            response = client.get("/api/v1/coverage/", RANGE)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(standby), 0)
