"""Duty logs: the staffing rules, the calendar, locking, countersigning and history."""

import datetime
import threading

import time_machine
from django.db import connection, connections
from django.test import TransactionTestCase, skipUnlessDBFeature
from rest_framework.test import APIClient

from accounts.tokens import issue_token
from posts.models import DailyCoverage, DutyLog, DutyLogRevision, PostPeriod
from posts.rosters import generate_shifts
from tests.base import World
from tests.posts_world import NOW, TODAY, PostsWorldTestCase, build_posts, make_member

URL = "/api/v1/duty-logs/"


class DutyLogTests(PostsWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY + datetime.timedelta(days=6))

    def log(self, persona, period, **payload):
        return self.api(persona).post(
            URL, {"post_period": period.pk, "date": TODAY.isoformat(), **payload}, format="json"
        )

    def test_logging_as_rostered_takes_one_request(self):
        response = self.log("principal1", self.morning("s1"))
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(len(data["attendance"]), 5)
        self.assertTrue(all(row["was_rostered"] and row["present"] for row in data["attendance"]))
        # police, aux, guard_a, guard_b qualified; the community worker not: 4/5 = 80%.
        self.assertEqual(
            (data["present_count"], data["qualified_count"], data["police_count"]), (5, 4, 2)
        )
        self.assertTrue(data["meets_staffing"])
        self.assertTrue(data["meets_qualified_share"])

    def test_seventy_five_percent_is_below_the_rule(self):
        data = self.log("principal1", self.afternoon("s1")).json()
        self.assertEqual((data["present_count"], data["qualified_count"]), (4, 3))
        self.assertTrue(data["meets_staffing"])
        self.assertFalse(data["meets_qualified_share"])

    def test_the_threshold_is_the_citys(self):
        self.city_a.qualified_share_required = "0.75"
        self.city_a.save()
        data = self.log("principal1", self.afternoon("s1")).json()
        self.assertTrue(data["meets_qualified_share"])

    def test_an_expired_certificate_does_not_qualify(self):
        members = self.members["s1"]
        data = self.log(
            "principal1",
            self.morning("s1"),
            attendance_input=[
                {"member": members["police"].pk},
                {"member": members["guard_a"].pk},
                {"member": members["guard_expired"].pk},
            ],
        ).json()
        self.assertEqual((data["present_count"], data["qualified_count"]), (3, 2))
        expired = next(r for r in data["attendance"] if r["member"] == members["guard_expired"].pk)
        self.assertFalse(expired["is_qualified"])
        self.assertFalse(expired["was_rostered"])

    def test_absent_members_and_walk_ins(self):
        members = self.members["s1"]
        data = self.log(
            "officer1",
            self.morning("s1"),
            attendance_input=[
                {"member": members["police"].pk, "present": True},
                {"member": members["aux"].pk, "present": False},
                {"member": members["volunteer"].pk, "present": True},
            ],
        ).json()
        self.assertEqual(data["present_count"], 2)
        self.assertFalse(data["meets_staffing"])  # 2 of the 3 needed
        # The volunteer is pending verification: present, not qualified.
        self.assertEqual(data["qualified_count"], 1)

    def test_too_few_police_breaks_staffing(self):
        members = self.members["s1"]
        data = self.log(
            "principal1",
            self.morning("s1"),
            attendance_input=[
                {"member": members[r].pk} for r in ("guard_a", "guard_b", "community")
            ],
        ).json()
        self.assertEqual(data["police_count"], 0)
        self.assertFalse(data["meets_staffing"])

    def test_a_second_submission_gets_a_clear_conflict(self):
        self.assertEqual(self.log("principal1", self.morning("s1")).status_code, 201)
        second = self.log("officer1", self.morning("s1"))
        self.assertEqual(second.status_code, 409)
        self.assertEqual(second.json()["id"], DutyLog.objects.get().pk)
        self.assertIn("principal1", second.json()["detail"])
        self.assertEqual(DutyLog.objects.count(), 1)

    def test_a_post_costs_eight_queries_with_a_token_and_answers_from_memory(self):
        # The calendar's answer for the day is cached by the first log.
        self.assertEqual(self.log("principal1", self.afternoon("s1")).status_code, 201)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(self.users['principal1'])[1]}")
        body = {"post_period": self.morning("s1").pk, "date": TODAY.isoformat()}
        # The token with its user and the user's roles; the post period with its
        # school, district and city and the day's roster; [BEGIN: here the test's
        # savepoint]; the log, inserted once with its figures; its attendance; the
        # day's coverage (one upsert); the write check; [COMMIT: here its release].
        # The answer is written from memory: it matches the log read back.
        with self.assertNumQueries(8):
            response = client.post(URL, body, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        read_back = self.api("principal1").get(f"{URL}{response.json()['id']}/").json()
        self.assertEqual(response.json(), read_back)
        coverage = DailyCoverage.objects.get(school=self.s1, date=TODAY)
        self.assertEqual((coverage.logs, coverage.logged, coverage.present), (2, 2, 9))

    def test_the_list_pages_by_cursor_and_counts_nothing(self):
        for period in (self.morning("s1"), self.afternoon("s1")):
            self.assertEqual(self.log("principal1", period).status_code, 201)
        client = self.api("district1")
        # The user's roles; the page of logs; their attendance with members.
        with self.assertNumQueries(3):
            page = client.get(URL, {"page_size": 1}).json()
        self.assertNotIn("count", page)
        self.assertEqual(len(page["results"]), 1)
        second = client.get(page["next"]).json()
        self.assertEqual(second["next"], None)
        ids = {page["results"][0]["id"], second["results"][0]["id"]}
        self.assertEqual(ids, set(DutyLog.objects.values_list("pk", flat=True)))
        # A cursor edited by hand is a 400 naming it, as on the pages.
        response = client.get(URL, {"cursor": "not-a-cursor"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("cursor", response.json())

    def test_bad_input_is_refused_and_nothing_is_saved(self):
        s1 = self.members["s1"]
        s2 = self.members["s2"]
        other_school_member = make_member("外校保安", self.s2, kind="community_worker")
        cases = [
            ("future", {"date": "2026-11-24"}, "date"),
            ("weekend", {"date": "2026-11-22"}, "date"),
            ("holiday", {"date": "2026-10-01"}, "date"),
            ("vacation", {"date": "2026-08-12"}, "date"),
            ("not a date", {"date": "soon"}, "date"),
            (
                "other school's member",
                {"attendance_input": [{"member": s2["police"].pk}]},
                "attendance_input",
            ),
            (
                "listed twice",
                {"attendance_input": [{"member": s1["police"].pk}, {"member": s1["police"].pk}]},
                "attendance",
            ),
            ("times", {"actual_start": "07:50", "actual_end": "07:10"}, "actual_end"),
            ("negative count", {"illegal_parking": -1}, "illegal_parking"),
            ("weather", {"weather": "tornado"}, "weather"),
        ]
        for name, payload, field in cases:
            with self.subTest(name):
                response = self.log("principal1", self.morning("s1"), **payload)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json())
        # District staff see S2's member? No: D1 staff do not; a member of a school
        # in scope but not assigned to this one is refused by the service.
        response = self.log(
            "city", self.morning("s1"), attendance_input=[{"member": other_school_member.pk}]
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("attendance", response.json())
        self.assertFalse(DutyLog.objects.exists())
        self.assertFalse(DailyCoverage.objects.exists())

    def test_an_out_of_scope_post_period_is_invalid(self):
        response = self.log("principal1", self.morning("s2"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("post_period", response.json())

    def test_police_cannot_write_logs(self):
        self.assertEqual(self.log("police1", self.morning("s1")).status_code, 403)

    def test_school_staff_backfill_only_within_the_window_but_the_bureau_any_day(self):
        # Thursday is four days back, past the city's three days of late entry.
        thursday = "2026-11-19"
        response = self.log("principal1", self.morning("s1"), date=thursday)
        self.assertEqual(response.status_code, 403)
        response = self.log("district1", self.morning("s1"), date=thursday)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(response.json()["is_late"])


class GatePostTests(PostsWorldTestCase):
    """The create takes a short way for the gate's common POST (posts/api/dutylog_create.py):
    the same rules, errors and answer as DutyLogSerializer, which any other POST takes."""

    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY)

    def post(self, persona, body):
        return self.api(persona).post(URL, body, format="json")

    def test_every_refusal_is_the_serializers(self):
        morning = self.morning("s1").pk
        today = TODAY.isoformat()
        cases = [
            ("principal1", {"post_period": morning}),
            ("principal1", {"post_period": morning, "date": "soon"}),
            ("principal1", {"post_period": morning, "date": None}),
            ("principal1", {"post_period": morning, "date": "2026-11-24"}),
            ("principal1", {"post_period": morning, "date": "2026-11-22"}),
            ("principal1", {"post_period": morning, "date": "1900-01-01"}),
            ("principal1", {"date": today}),
            ("principal1", {"post_period": "abc", "date": today}),
            ("principal1", {"post_period": True, "date": today}),
            ("principal1", {"post_period": 0, "date": today}),
            ("principal1", {"post_period": -1, "date": today}),
            ("principal1", {"post_period": 10**12, "date": today}),
            ("principal1", {"post_period": None, "date": today}),
            ("principal1", {"post_period": morning, "date": today, "illegal_parking": -1}),
            ("principal1", {"post_period": morning, "date": today, "illegal_parking": None}),
            ("principal1", {"post_period": morning, "date": today, "weather": "tornado"}),
            ("principal1", {"post_period": morning, "date": today, "actual_start": "25:00"}),
            # The times are the serializer's to refuse before the service sees the day.
            (
                "principal1",
                {
                    "post_period": morning,
                    "date": "2026-11-24",
                    "actual_start": "07:50",
                    "actual_end": "07:10",
                },
            ),
            # Out of scope: as missing (400). Seen through a role that may not
            # write logs (police of S2): 403. Police write none anywhere.
            ("principal1", {"post_period": self.morning("s2").pk, "date": today}),
            ("principal1_police2", {"post_period": self.morning("s2").pk, "date": today}),
            ("police1", {"post_period": morning, "date": today}),
            ("outsider", {"post_period": morning, "date": today}),
        ]
        for persona, body in cases:
            with self.subTest(persona=persona, body=body):
                short = self.post(persona, body)
                # `reason` is the serializer's alone: the same body takes its way.
                full = self.post(persona, {**body, "reason": ""})
                self.assertIn(short.status_code, (400, 403), short.content)
                self.assertEqual((short.status_code, short.json()), (full.status_code, full.json()))
        # Neither way wrote anything.
        self.assertFalse(DutyLog.objects.exists())
        self.assertFalse(DailyCoverage.objects.exists())
        for body in ([], "text"):
            with self.subTest(body=body):
                response = self.post("principal1", body)
                self.assertEqual(response.status_code, 400)
                self.assertIn("non_field_errors", response.json())

    def test_the_short_way_writes_what_the_serializer_would_and_answers_the_same(self):
        body = {
            "date": TODAY.isoformat(),
            "actual_start": "07:05",
            "actual_end": "07:45",
            "illegal_parking": 2,
            "weather": "fog",
            "incidents": "  A van parked at the gate.  ",
        }
        short = self.post("principal1", {**body, "post_period": self.morning("s1").pk})
        full = self.post("officer1", {**body, "post_period": self.afternoon("s1").pk, "reason": ""})
        self.assertEqual((short.status_code, full.status_code), (201, 201))
        for response in (short, full):
            read_back = self.api("principal1").get(f"{URL}{response.json()['id']}/").json()
            self.assertEqual(response.json(), read_back)
        same = ("actual_start", "actual_end", "illegal_parking", "weather", "incidents")
        self.assertEqual(
            {key: short.json()[key] for key in same}, {key: full.json()[key] for key in same}
        )
        self.assertEqual(short.json()["incidents"], "A van parked at the gate.")
        self.assertEqual(len(short.json()["attendance"]), 5)

    def test_a_multi_role_user_writes_only_through_the_role_that_may(self):
        # Principal of S1, police liaison of S2: logs S1, not S2.
        for school, status in (("s1", 201), ("s2", 403)):
            body = {"post_period": self.morning(school).pk, "date": TODAY.isoformat()}
            response = self.post("principal1_police2", body)
            self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(DutyLog.objects.get().school, self.s1)


class DutyLogEditingTests(PostsWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY)

    def setUp(self):
        response = self.api("principal1").post(
            URL, {"post_period": self.morning("s1").pk, "date": TODAY.isoformat()}, format="json"
        )
        self.log_id = response.json()["id"]
        self.url = f"{URL}{self.log_id}/"

    def test_school_staff_edit_on_the_day_and_the_history_keeps_the_before(self):
        members = self.members["s1"]
        response = self.api("officer1").patch(
            self.url,
            {
                "electric_tricycles": 4,
                "attendance_input": [
                    {"member": members[r].pk} for r in ("police", "aux", "community")
                ],
            },
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["present_count"], 3)
        self.assertFalse(response.json()["meets_qualified_share"])  # 2/3
        [revision] = DutyLogRevision.objects.filter(log_id=self.log_id)
        self.assertEqual(revision.before["present_count"], 5)
        self.assertEqual(revision.before["electric_tricycles"], 0)
        self.assertEqual(revision.changed_by, self.users["officer1"])
        history = self.api("district1").get(f"{self.url}history/").json()
        self.assertEqual(len(history), 1)

    def test_the_post_period_and_day_cannot_be_moved(self):
        response = self.api("principal1").patch(
            self.url, {"date": "2026-11-20", "post_period": self.afternoon("s1").pk}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        log = DutyLog.objects.get(pk=self.log_id)
        self.assertEqual((log.date, log.post_period_id), (TODAY, self.morning("s1").pk))

    def test_after_the_day_only_the_bureau_edits(self):
        with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
            response = self.api("principal1").patch(self.url, {"incidents": "补记"}, format="json")
            self.assertEqual(response.status_code, 403)
            response = self.api("district1").patch(
                self.url, {"incidents": "补记", "reason": "校长电话说明"}, format="json"
            )
            self.assertEqual(response.status_code, 200)
        revision = DutyLogRevision.objects.get(log_id=self.log_id)
        self.assertEqual(revision.reason, "校长电话说明")

    def test_countersigning(self):
        self.assertEqual(self.api("principal1").post(f"{self.url}countersign/").status_code, 403)
        self.assertEqual(self.api("police2").post(f"{self.url}countersign/").status_code, 404)
        response = self.api("police1").post(f"{self.url}countersign/")
        self.assertEqual(response.status_code, 200)
        self.assertIsNotNone(response.json()["countersigned_at"])
        again = self.api("police1").post(f"{self.url}countersign/")
        self.assertEqual(again.status_code, 409)
        # Countersigned: closed to the school, even on the day.
        response = self.api("principal1").patch(self.url, {"incidents": "改"}, format="json")
        self.assertEqual(response.status_code, 403)
        response = self.api("city").patch(self.url, {"incidents": "改"}, format="json")
        self.assertEqual(response.status_code, 200)

    def test_coverage_follows_the_logs(self):
        row = DailyCoverage.objects.get(school=self.s1, date=TODAY)
        self.assertEqual(
            (row.required, row.logged, row.compliant, row.status), (2, 1, 1, "partial")
        )
        self.api("principal1").post(
            URL, {"post_period": self.afternoon("s1").pk, "date": TODAY.isoformat()}, format="json"
        )
        row.refresh_from_db()
        # The afternoon log is 75% qualified: logged but not compliant.
        self.assertEqual((row.logged, row.compliant, row.status), (2, 1, "partial"))
        self.city_a.qualified_share_required = "0.75"
        self.city_a.save()
        self.api("principal1").patch(
            f"{URL}{DutyLog.objects.get(post_period=self.afternoon('s1')).pk}/",
            {
                "attendance_input": [
                    {"member": self.member("s1", r).pk}
                    for r in ("police", "aux", "guard_a", "community")
                ]
            },
            format="json",
        )
        row.refresh_from_db()
        self.assertEqual(row.status, "covered")
        self.assertEqual(self.api("district1").delete(self.url).status_code, 204)
        row.refresh_from_db()
        self.assertEqual((row.logged, row.status), (1, "partial"))


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentSubmissionTests(TransactionTestCase):
    """Two phones submit the same post period at the same instant (PostgreSQL)."""

    def setUp(self):
        self.traveller = time_machine.travel(NOW, tick=False)
        self.traveller.start()
        World.build(self)
        build_posts(self)
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY)

    def tearDown(self):
        self.traveller.stop()

    def test_one_record_and_a_clear_answer_to_the_second(self):
        barrier = threading.Barrier(2)
        responses = {}

        def submit(persona):
            try:
                client = APIClient()
                client.force_authenticate(self.users[persona])
                barrier.wait()
                responses[persona] = client.post(
                    URL,
                    {"post_period": self.posts["s1"][1].pk, "date": TODAY.isoformat()},
                    format="json",
                )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit, args=(p,)) for p in ("principal1", "officer1")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        statuses = sorted(response.status_code for response in responses.values())
        self.assertEqual(statuses, [201, 409])
        self.assertEqual(DutyLog.objects.count(), 1)
        self.assertEqual(DailyCoverage.objects.get().logged, 1)
        self.assertEqual(connection.vendor, "postgresql")

    def test_coverage_counts_both_of_two_logs_written_at_once(self):
        # Two post periods of one school logged at the same instant: each writer
        # adds its log to the day's row as the other left it.
        barrier = threading.Barrier(2)
        statuses = []

        def submit(period):
            try:
                client = APIClient()
                client.force_authenticate(self.users["principal1"])
                barrier.wait()
                response = client.post(
                    URL, {"post_period": period.pk, "date": TODAY.isoformat()}, format="json"
                )
                statuses.append(response.status_code)
            finally:
                connections.close_all()

        periods = self.posts["s1"][1], self.posts["s1"][2]
        threads = [threading.Thread(target=submit, args=(p,)) for p in periods]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(statuses, [201, 201])
        row = DailyCoverage.objects.get()
        self.assertEqual((row.logs, row.logged, row.present), (2, 2, 9))
        self.assertEqual(row.status, "partial")  # the afternoon is below the share
        self.assertEqual(connection.vendor, "postgresql")
