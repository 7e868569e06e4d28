"""The posts step of `manage.py seed_demo`: deterministic, private, true to the rules."""

import datetime
import io
import random
import re
from collections import defaultdict

import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models
from django.test import TestCase, override_settings

from accounts.models import RoleAssignment
from campussafety.bulk import write_rows
from campussafety.personal import validate_id_number
from posts import demo_data
from posts.choices import MemberKind, VerificationStatus
from posts.dutylogs import refresh_daily_coverage
from posts.models import (
    DailyCoverage,
    DutyAttendance,
    DutyLog,
    Member,
    MemberAssignment,
    Post,
    PostPeriod,
    RosterRule,
    Shift,
)
from posts.rosters import generate_shifts, roster_problems
from posts.rules import staffing_of
from schools.models import School
from tests.posts_world import NOW, TODAY

PASSWORD = "demo-Pass-1"
# Eight schools reach districts 1 and 2 and several police stations; ten days
# of history hold two school weeks.
SCHOOLS, DAYS = 8, 10
# An ID card number anywhere: 17 digits and a digit or X.
ID_NUMBER = re.compile(r"\d{17}[\dX]")


def seed(**options):
    options = {"schools": SCHOOLS, "days": DAYS, "seed": 3, "password": PASSWORD, **options}
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def fingerprint():
    """What must not change between two seeds with the same seed: people and log counts."""
    members = list(
        Member.objects.order_by("badge_number").values_list(
            "badge_number", "name", "kind", "id_number_masked", "phone", "verification_status"
        )
    )
    logs = list(
        DutyLog.objects.order_by(
            "school__code", "date", "post_period__post__name", "period"
        ).values_list("school__code", "date", "period", "present_count", "qualified_count")
    )
    return members, logs, DutyAttendance.objects.count(), Shift.objects.count()


def login(username):
    return RoleAssignment.objects.select_related("user").get(user__username=username)


class Pinned:
    """Today is pinned to Monday 23 November 2026, a school day, as in the posts world."""

    @classmethod
    def setUpClass(cls):
        cls.traveller = time_machine.travel(NOW, tick=False)
        cls.traveller.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.traveller.stop()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class SeededPostsTests(Pinned, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = seed()

    def test_every_school_has_a_post_at_each_gate_with_its_peaks(self):
        for school in School.objects.prefetch_related("gates", "posts__periods"):
            with self.subTest(school=school.name):
                self.assertEqual(
                    sorted(post.name for post in school.posts.all()),
                    sorted(f"{gate.name}护学岗" for gate in school.gates.all()),
                )
                for post in school.posts.all():
                    periods = {period.period: period for period in post.periods.all()}
                    self.assertTrue(periods["morning"].is_required)
                    self.assertTrue(periods["afternoon"].is_required)
                    self.assertEqual(str(periods["morning"].start_time), "07:10:00")
                    self.assertEqual(str(periods["afternoon"].end_time), "17:20:00")
                    self.assertGreaterEqual(periods["morning"].min_members, 3)
                    if "evening" in periods:
                        self.assertTrue(school.is_boarding)
                        self.assertFalse(periods["evening"].is_required)

    def test_members_are_registered_as_the_rules_ask(self):
        for member in Member.objects.all():
            with self.subTest(member=member.badge_number):
                self.assertRegex(member.phone, r"^1[3-9]\d{9}$")
                self.assertRegex(member.id_number_masked, r"^\d{3}\*{11}[\dX]{4}$")
                self.assertRegex(member.id_number_hash, r"^[0-9a-f]{64}$")
                if member.kind == MemberKind.POLICE:
                    self.assertRegex(member.police_number, r"^\d{6}$")
                    self.assertEqual(member.unit_kind, "police_station")
                if member.kind == MemberKind.SECURITY_GUARD:
                    self.assertTrue(member.guard_certificate_number)
                    self.assertIn("保安服务有限公司", member.unit_name)
                if member.verification_status == VerificationStatus.REJECTED:
                    self.assertTrue(member.rejection_reason)
                if member.verification_status != VerificationStatus.PENDING:
                    self.assertIsNotNone(member.verified_at)
                self.assertTrue(member.assignments.exists())
        kinds = set(Member.objects.values_list("kind", flat=True))
        self.assertEqual(kinds, set(MemberKind.values))
        # A few serve two neighbouring schools, or at least could; everyone serves one.
        self.assertEqual(
            MemberAssignment.objects.values("member").distinct().count(), Member.objects.count()
        )

    def test_no_clear_id_number_is_stored_or_printed(self):
        # The keyed hash is hex, so it may hold a run of 18 digits by chance;
        # it is checked to be a hash instead.
        text_fields = [
            field.attname
            for field in Member._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
            and field.attname != "id_number_hash"
        ]
        for row in Member.objects.values_list(*text_fields):
            for value in row:
                self.assertIsNone(ID_NUMBER.search(value or ""), value)
        for digest in Member.objects.values_list("id_number_hash", flat=True):
            self.assertRegex(digest, r"^[0-9a-f]{64}$")
        self.assertIsNone(ID_NUMBER.search(self.output))

    def test_every_log_has_the_counts_its_attendance_gives_by_the_rules(self):
        attendance = defaultdict(list)
        for row in DutyAttendance.objects.select_related("member"):
            attendance[row.log_id].append(row)
        logs = DutyLog.objects.select_related("post_period", "school__district__city")
        self.assertTrue(logs)
        for log in logs:
            with self.subTest(log=str(log)):
                rows = attendance[log.pk]
                for row in rows:
                    self.assertEqual(row.is_police, row.member.is_police)
                    self.assertEqual(row.is_qualified, row.member.is_qualified_on(log.date))
                staffing = staffing_of(
                    [row.member for row in rows if row.present],
                    log.post_period,
                    log.date,
                    log.school.district.city.qualified_share_required,
                )
                self.assertEqual(
                    (
                        log.present_count,
                        log.police_count,
                        log.qualified_count,
                        log.meets_staffing,
                        log.meets_qualified_share,
                    ),
                    (
                        staffing.present,
                        staffing.police,
                        staffing.qualified,
                        staffing.meets_staffing,
                        staffing.meets_qualified_share,
                    ),
                )
                self.assertEqual(log.period, log.post_period.period)
        # Some logs break a rule, most do not.
        failing = DutyLog.objects.exclude(meets_staffing=True, meets_qualified_share=True)
        self.assertTrue(0 < failing.count() < DutyLog.objects.count() / 2)

    def test_daily_coverage_is_what_refresh_daily_coverage_makes(self):
        def rows():
            return set(
                DailyCoverage.objects.values_list(
                    "school_id", "date", "required", "logged", "compliant", "status"
                )
            )

        seeded = rows()
        self.assertTrue(seeded)
        school_days = set(DutyLog.objects.values_list("school_id", "date").distinct())
        self.assertEqual({(school, day) for school, day, *_ in seeded}, school_days)
        for school_id, day in school_days:
            refresh_daily_coverage(school_id, day)
        self.assertEqual(rows(), seeded)

    def test_shifts_are_the_weekly_pattern_on_school_days(self):
        end = TODAY + datetime.timedelta(days=13)
        # Generating the coming fortnight again finds nothing to add or remove.
        result = generate_shifts(PostPeriod.objects.all(), TODAY, end)
        self.assertEqual((result.created, result.removed), (0, 0))
        self.assertFalse(Shift.objects.filter(date__gt=end).exists())
        self.assertFalse(Shift.objects.filter(date__week_day__in=(1, 7)).exists())
        for shift in Shift.objects.filter(date__lt=TODAY).select_related("post_period")[:200]:
            self.assertTrue(
                RosterRule.objects.filter(
                    post_period=shift.post_period,
                    member=shift.member_id,
                    weekday=shift.date.weekday(),
                ).exists()
            )

    def test_rosters_mostly_keep_the_rules(self):
        periods = PostPeriod.objects.filter(is_required=True)
        week = TODAY + datetime.timedelta(days=4)
        problems = roster_problems(periods, TODAY, week)
        self.assertLess(len(problems), periods.count() * 5 / 2)

    def test_principal1s_school_has_a_roster_and_a_past_but_today_is_still_to_log(self):
        school = login("principal1").school
        self.assertTrue(Post.objects.filter(school=school).exists())
        self.assertTrue(MemberAssignment.objects.filter(school=school).exists())
        self.assertTrue(Shift.objects.filter(school=school, date=TODAY).exists())
        for offset in range(1, 5):
            day = TODAY + datetime.timedelta(days=offset)
            self.assertTrue(Shift.objects.filter(school=school, date=day).exists(), day)
        self.assertTrue(DutyLog.objects.filter(school=school, date__lt=TODAY).exists())
        self.assertFalse(DutyLog.objects.filter(date=TODAY).exists())

    def test_police1_has_logs_signed_and_logs_to_sign(self):
        police1 = login("police1")
        logs = DutyLog.objects.filter(school__police_station=police1.police_station)
        self.assertTrue(logs.filter(countersigned_by=police1.user).exists())
        last_day = logs.latest("date").date
        self.assertTrue(logs.filter(date=last_day, countersigned_at__isnull=True).exists())
        self.assertFalse(
            DutyLog.objects.exclude(school__police_station=police1.police_station)
            .filter(countersigned_by=police1.user)
            .exists()
        )

    def test_district1_has_members_waiting_for_verification(self):
        district1 = login("district1").user
        pending = Member.objects.for_user(district1).filter(
            verification_status=VerificationStatus.PENDING
        )
        self.assertGreaterEqual(pending.count(), 2)

    def test_the_summary_counts_what_was_made(self):
        self.assertIn(f"{Member.objects.count()} members", self.output)
        self.assertIn(f"{DutyLog.objects.count()} duty logs", self.output)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class SeedPostsAgainTests(Pinned, TestCase):
    def test_the_same_seed_makes_the_same_people_and_logs(self):
        seed()
        first = fingerprint()
        seed(reset=True)
        self.assertEqual(fingerprint(), first)
        seed(reset=True, seed=4)
        self.assertNotEqual(fingerprint()[0], first[0])

    def test_reset_deletes_the_posts_data_with_the_organisation(self):
        seed()
        self.assertTrue(DutyAttendance.objects.exists())
        seed(reset=True, schools=3, days=0)
        self.assertEqual(Post.objects.values("school").distinct().count(), 3)
        self.assertFalse(DutyLog.objects.exists())
        self.assertFalse(DailyCoverage.objects.exists())
        # No history, but the coming fortnight's roster.
        self.assertTrue(Shift.objects.filter(date__gte=TODAY).exists())
        self.assertFalse(Shift.objects.filter(date__lt=TODAY).exists())


class DemoDataTests(TestCase):
    def test_generated_id_numbers_are_valid(self):
        rng = random.Random(1)
        for _ in range(500):
            kind = rng.choice(MemberKind.values)
            region = demo_data.id_region(rng, "371602", ("371602", "371603"))
            number = demo_data.id_number(rng, region, demo_data.BIRTH_YEARS[kind])
            try:
                validate_id_number(number, today=TODAY)
            except ValidationError as error:  # pragma: no cover - the failure message
                self.fail(f"{error.messages}")
            self.assertTrue(1965 <= int(number[6:10]) <= 2000)

    def test_phones_are_mobile_numbers(self):
        rng = random.Random(2)
        for _ in range(200):
            self.assertRegex(demo_data.mobile(rng), r"^1[3-9]\d{9}$")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class WriteRowsTests(Pinned, TestCase):
    """write_rows stores exactly what bulk_create would, dates, times and datetimes included."""

    @classmethod
    def setUpTestData(cls):
        seed(schools=2, days=0)

    def test_duty_logs_written_as_rows_equal_bulk_created_ones(self):
        periods = list(PostPeriod.objects.select_related("post")[:2])
        values = {
            "period": "morning",
            "actual_start": datetime.time(7, 3),
            "actual_end": datetime.time(7, 58),
            "illegal_parking": 2,
            "incidents": "一辆电动三轮车在校门口违规接送学生",
            "weather": "fog",
            "present_count": 4,
            "police_count": 1,
            "qualified_count": 4,
            "meets_staffing": True,
            "meets_qualified_share": True,
            "countersigned_at": NOW - datetime.timedelta(days=1),
        }
        day = TODAY - datetime.timedelta(days=3)
        DutyLog.objects.bulk_create(
            [
                DutyLog(
                    school_id=periods[0].post.school_id,
                    post_period=periods[0],
                    date=day,
                    **values,
                )
            ]
        )
        fields = ("school_id", "post_period_id", "date", *values)
        written = write_rows(
            DutyLog,
            fields,
            [(periods[1].post.school_id, periods[1].pk, day, *values.values())],
        )
        self.assertEqual(written, 1)
        compared = [f for f in fields if f not in ("school_id", "post_period_id")]
        compared += ["farm_vehicles", "submitted_by", "countersigned_by"]
        rows = [
            DutyLog.objects.filter(post_period=period).values(*compared).get() for period in periods
        ]
        self.assertEqual(rows[0], rows[1])
        self.assertEqual(rows[1]["countersigned_at"], values["countersigned_at"])
        created = DutyLog.objects.get(post_period=periods[1]).created
        self.assertEqual(created, NOW)

    def test_texts_that_look_like_copy_syntax_are_written_as_given(self):
        # On PostgreSQL write_rows writes COPY's text format itself: a tab, a line
        # break or a backslash in a text, or a text spelling its NULL, must come back
        # as it was sent, and a None as NULL.
        period = PostPeriod.objects.select_related("post").first()
        texts = ["a\tb", "line\nbreak\r\n", "back\\slash", "\\N", "None", "", "护学岗\t\\"]
        day = TODAY - datetime.timedelta(days=3)
        write_rows(
            DutyLog,
            ("school_id", "post_period_id", "date", "period", "incidents", "submitted_by_id"),
            [
                (period.post.school_id, period.pk, day - datetime.timedelta(days=index), "morning")
                + (text, None)
                for index, text in enumerate(texts)
            ],
        )
        written = DutyLog.objects.filter(post_period=period).order_by("-date")
        self.assertEqual([log.incidents for log in written], texts)
        self.assertEqual({log.submitted_by_id for log in written}, {None})
