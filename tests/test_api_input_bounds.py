"""Bad or outsized API input is a clear 4xx in JSON, and races get a clear 409."""

import contextlib
import datetime
import threading
from unittest import mock

import time_machine
from django.db import connection, connections
from django.test import TransactionTestCase, skipUnlessDBFeature
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from campussafety.errors import Conflict
from posts import members, rosters
from posts.api.serializers import MAX_ATTENDANCE
from posts.models import DutyLog, Member, PostPeriod, Shift
from posts.rosters import generate_shifts
from tests.base import World
from tests.posts_world import NOW, TODAY, PostsWorldTestCase, build_posts, make_member

RANGE = {"start": TODAY.isoformat(), "end": (TODAY + datetime.timedelta(days=4)).isoformat()}


class AttendanceBoundTests(PostsWorldTestCase):
    multi_role_personas = True

    def log(self, entries):
        return self.api("principal1").post(
            "/api/v1/duty-logs/",
            {
                "post_period": self.morning("s1").pk,
                "date": TODAY.isoformat(),
                "attendance_input": entries,
            },
            format="json",
        )

    def test_a_list_longer_than_the_bound_is_refused_unread(self):
        entries = [{"member": n} for n in range(1, MAX_ATTENDANCE + 2)]
        with CaptureQueriesContext(connection) as queries:
            response = self.log(entries)
        self.assertEqual(response.status_code, 400)
        self.assertIn("attendance_input", response.json())
        self.assertFalse(DutyLog.objects.exists())
        self.assertLessEqual(len(queries), 3)

    def test_members_resolve_in_one_query_however_many(self):
        def queries_for(count):
            entries = [{"member": 900000 + n} for n in range(count)]
            with CaptureQueriesContext(connection) as queries:
                response = self.log(entries)
            self.assertEqual(response.status_code, 400)
            return len(queries)

        self.assertEqual(queries_for(2), queries_for(MAX_ATTENDANCE))

    def test_a_member_of_another_school_the_user_sees_only_as_police_is_refused(self):
        member = self.member("s2", "police")
        response = self.api("principal1_police2").post(
            "/api/v1/duty-logs/",
            {
                "post_period": self.morning("s1").pk,
                "date": TODAY.isoformat(),
                "attendance_input": [{"member": member.pk}],
            },
            format="json",
        )
        self.assertEqual(response.status_code, 403, response.content)
        self.assertFalse(DutyLog.objects.exists())


class ErrorFormatTests(PostsWorldTestCase):
    def test_deeply_nested_json_is_a_400(self):
        body = "[" * 100000 + "]" * 100000
        response = self.api("principal1").generic(
            "POST", "/api/v1/duty-logs/", body, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/json")

    def test_an_unexpected_error_is_a_json_500(self):
        client = self.api("district1")
        client.raise_request_exception = False
        with (
            mock.patch("posts.coverage.coverage", side_effect=RuntimeError("boom")),
            self.assertLogs("campussafety.api", "ERROR"),
        ):
            # By district: coverage() counts it (by school, posts/coverage_by_school.py pages it).
            response = client.get("/api/v1/coverage/", {**RANGE, "group_by": "district"})
        self.assertEqual(response.status_code, 500)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("detail", response.json())

    def test_bad_page_sizes(self):
        for value in ("abc", "0", "-1", "²", "1.5"):
            with self.subTest(value=value):
                response = self.api("city").get("/api/v1/schools/", {"page_size": value})
                self.assertEqual(response.status_code, 400)
                self.assertIn("page_size", response.json())
        self.assertEqual(
            self.api("city").get("/api/v1/schools/", {"page_size": "2"}).status_code, 200
        )

    def test_bad_booleans_are_refused_and_good_ones_work(self):
        for url, name in (
            ("/api/v1/posts/", "is_active"),
            ("/api/v1/duty-logs/", "countersigned"),
            ("/api/v1/schools/", "is_boarding"),
            ("/api/v1/notifications/", "unread"),
        ):
            with self.subTest(url=url):
                response = self.api("district1").get(url, {name: "maybe"})
                self.assertEqual(response.status_code, 400)
                self.assertIn(name, response.json())
                for value in ("true", "false", "1", "0", ""):
                    self.assertEqual(self.api("district1").get(url, {name: value}).status_code, 200)

    def test_an_unknown_school_on_the_reports_is_refused(self):
        for url in (
            "/api/v1/coverage/",
            "/api/v1/coverage/missed/",
            "/api/v1/calendar/school-days/",
        ):
            for value in ("999999", "²", "abc", str(self.s2.pk)):
                with self.subTest(url=url, school=value):
                    response = self.api("district1").get(url, {"school": value, **RANGE})
                    self.assertEqual(response.status_code, 400)
                    self.assertIn("school", response.json())
            response = self.api("district1").get(url, {"school": self.s1.pk, **RANGE})
            self.assertEqual(response.status_code, 200)


class DecisionRaceTests(PostsWorldTestCase):
    def test_a_decision_taken_on_a_stale_view_of_the_member_is_a_conflict(self):
        member = make_member("待核验", self.s1, pending=True)
        first, second = Member.objects.get(pk=member.pk), Member.objects.get(pk=member.pk)
        members.record_decision(first, self.district1, "verified")
        with self.assertRaises(Conflict):
            members.record_decision(second, self.police1, "rejected", "证件不符")
        member.refresh_from_db()
        self.assertEqual(
            (member.verification_status, member.verified_by), ("verified", self.district1)
        )


class RaceTestCase(TransactionTestCase):
    def setUp(self):
        self.traveller = time_machine.travel(NOW, tick=False)
        self.traveller.start()
        World.build(self)
        build_posts(self)

    def tearDown(self):
        self.traveller.stop()

    def at_once(self, requests):
        """Send (persona, method, url, data) requests at the same instant; their responses."""
        barrier = threading.Barrier(len(requests))
        responses = [None] * len(requests)

        def send(index, persona, method, url, data):
            try:
                client = APIClient()
                client.force_authenticate(self.users[persona])
                barrier.wait()
                responses[index] = getattr(client, method)(url, data, format="json")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        return responses


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentDecisionTests(RaceTestCase):
    """District staff and police decide on the same member at the same instant (PostgreSQL)."""

    def test_the_first_decision_wins_and_the_others_get_409(self):
        member = make_member("待核验", self.s1, pending=True)
        url = f"/api/v1/members/{member.pk}/verify/"
        # Every request has read the member before any records its decision:
        # they are truly simultaneous, whatever the threads' timing.
        all_read = threading.Barrier(3)
        check = members.check_decision

        def check_when_all_have_read(*args):
            all_read.wait()
            return check(*args)

        with mock.patch.object(members, "check_decision", check_when_all_have_read):
            responses = self.at_once(
                [
                    ("district1", "post", url, {"decision": "verified"}),
                    ("police1", "post", url, {"decision": "rejected", "reason": "证件不符"}),
                    ("admin", "post", url, {"decision": "verified"}),
                ]
            )
        statuses = sorted(response.status_code for response in responses)
        self.assertEqual(statuses, [200, 409, 409])
        self.assertEqual(connection.vendor, "postgresql")


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentGenerationTests(RaceTestCase):
    """Two principals' phones generate the same roster at the same instant (PostgreSQL)."""

    def test_each_reports_the_rows_it_created(self):
        post = self.posts["s1"][0]
        data = {"post": post.pk, **RANGE}
        # Hold each generation, once it has the roster to itself, until the
        # other one could have read it too (or two seconds have passed).
        both_reading = threading.Barrier(2)
        days = rosters.school_days

        def school_days_when_both_read(*args):
            with contextlib.suppress(threading.BrokenBarrierError):
                both_reading.wait(timeout=2)
            return days(*args)

        with mock.patch.object(rosters, "school_days", school_days_when_both_read):
            responses = self.at_once(
                [
                    ("principal1", "post", "/api/v1/shifts/generate/", data),
                    ("officer1", "post", "/api/v1/shifts/generate/", data),
                ]
            )
        self.assertEqual([r.status_code for r in responses], [200, 200])
        created = sorted(r.json()["created"] for r in responses)
        self.assertEqual(created, [0, Shift.objects.count()])
        self.assertEqual(connection.vendor, "postgresql")


class SequentialGenerationTests(PostsWorldTestCase):
    def test_a_second_generation_reports_nothing_new(self):
        periods = PostPeriod.objects.filter(post__school=self.s1)
        first = generate_shifts(periods, TODAY, TODAY + datetime.timedelta(days=4))
        second = generate_shifts(periods, TODAY, TODAY + datetime.timedelta(days=4))
        self.assertEqual((first.created, second.created), (Shift.objects.count(), 0))
