"""Rosters: generation on school days, manual edits that survive regeneration, conflicts, flags."""

import datetime

from posts.models import PostPeriod, RosterRule, Shift
from posts.rosters import generate_shifts, roster_problems
from schools.models import CalendarException
from tests.posts_world import TODAY, PostsWorldTestCase, make_member

D = datetime.date
WEEK_END = D(2026, 11, 29)  # Sunday


class GenerationTests(PostsWorldTestCase):
    def test_shifts_fall_on_school_days_only(self):
        CalendarException.objects.create(
            district=self.d1, date=D(2026, 11, 25), kind="closed", reason="暴雪停课"
        )
        result = generate_shifts(self.post("s1").periods.all(), TODAY, WEEK_END)
        days = sorted(set(Shift.objects.filter(school=self.s1).values_list("date", flat=True)))
        # Mon 23, Tue 24, Thu 26, Fri 27: Wednesday closed, the weekend free.
        self.assertEqual(days, [D(2026, 11, 23), D(2026, 11, 24), D(2026, 11, 26), D(2026, 11, 27)])
        self.assertEqual(result.created, 4 * (5 + 4))

    def test_generation_is_idempotent_and_keeps_manual_edits(self):
        periods = self.post("s1").periods.all()
        generate_shifts(periods, TODAY, WEEK_END)
        morning = self.morning("s1")
        members = self.members["s1"]
        client = self.api("principal1")
        # Remove the community worker from Tuesday's morning shift ...
        tuesday = Shift.objects.get(
            post_period=morning, date=D(2026, 11, 24), member=members["community"]
        )
        self.assertEqual(client.delete(f"/api/v1/shifts/{tuesday.pk}/").status_code, 204)
        # ... add the expired-certificate guard on Thursday morning (a conflict? no:
        # assigned and verified; the certificate only affects the qualified share) ...
        response = client.post(
            "/api/v1/shifts/",
            {
                "post_period": morning.pk,
                "date": "2026-11-26",
                "member": members["guard_expired"].pk,
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        # ... and drop guard_b from the Friday pattern.
        RosterRule.objects.filter(
            post_period=morning, weekday=4, member=members["guard_b"]
        ).delete()

        result = generate_shifts(periods, TODAY, WEEK_END)
        self.assertEqual(result.created, 0)
        self.assertEqual(result.removed, 1)
        active = Shift.objects.filter(post_period=morning, is_cancelled=False)
        self.assertFalse(active.filter(date=D(2026, 11, 24), member=members["community"]).exists())
        self.assertTrue(
            active.filter(date=D(2026, 11, 26), member=members["guard_expired"]).exists()
        )
        self.assertFalse(active.filter(date=D(2026, 11, 27), member=members["guard_b"]).exists())

    def test_generation_starts_today_at_the_earliest(self):
        response = self.api("principal1").post(
            "/api/v1/shifts/generate/",
            {"post": self.post("s1").pk, "start": "2026-11-20", "end": "2026-11-27"},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("start", response.json())

    def test_the_generate_endpoint_reports_the_rosters_problems(self):
        response = self.api("principal1").post(
            "/api/v1/shifts/generate/",
            {"post": self.post("s1").pk, "start": "2026-11-23", "end": "2026-11-27"},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(data["created"], 5 * 9)
        # The afternoon roster is 75% qualified every day; the morning is fine.
        self.assertEqual(len(data["problems"]), 5)
        self.assertTrue(all(p["period"] == "afternoon" for p in data["problems"]))
        self.assertIn("75%", data["problems"][0]["reasons"][0])

    def test_another_schools_post_cannot_be_generated(self):
        response = self.api("principal1").post(
            "/api/v1/shifts/generate/",
            {"post": self.post("s2").pk, "start": "2026-11-23", "end": "2026-11-27"},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Shift.objects.exists())


class ConflictTests(PostsWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, WEEK_END)

    def add(self, persona, period, member, day="2026-11-24"):
        return self.api(persona).post(
            "/api/v1/shifts/",
            {"post_period": period.pk, "date": day, "member": member.pk},
            format="json",
        )

    def test_one_person_cannot_stand_two_places_at_once(self):
        # A guard serving both S1 and K1 (same district) is on S1's morning shift.
        guard = self.member("s1", "guard_a")
        guard.assignments.create(school=self.k1, start_date=D(2026, 9, 1))
        post = self.k1.posts.create(gate=self.k1.gates.create(name="正门"), name="幼儿园护学岗")
        overlapping = post.periods.create(
            period="morning", start_time=datetime.time(7, 40), end_time=datetime.time(8, 20)
        )
        response = self.add("district1", overlapping, guard)
        self.assertEqual(response.status_code, 400)
        self.assertIn("滨州实验学校", response.json()["member"][0])
        later = post.periods.create(
            period="noon", start_time=datetime.time(11, 30), end_time=datetime.time(12, 0)
        )
        self.assertEqual(self.add("district1", later, guard).status_code, 201)

    def test_a_member_not_assigned_to_the_school(self):
        stranger = make_member("外来人员", self.k1)
        response = self.add("district1", self.morning("s1"), stranger)
        self.assertEqual(response.status_code, 400)
        self.assertIn("member", response.json())

    def test_an_unverified_member(self):
        response = self.add("principal1", self.morning("s1"), self.member("s1", "volunteer"))
        self.assertEqual(response.status_code, 400)
        [problem] = response.json()["member"]
        self.assertIn("S1volunteer", problem)

    def test_a_member_of_another_school_out_of_scope(self):
        response = self.add("principal1", self.morning("s1"), self.member("s2", "police"))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(
            Shift.objects.filter(
                member=self.member("s2", "police"), post_period=self.morning("s1")
            ).exists()
        )

    def test_a_past_day_cannot_be_changed(self):
        response = self.add(
            "principal1", self.morning("s1"), self.member("s1", "guard_expired"), day="2026-11-20"
        )
        self.assertEqual(response.status_code, 400)

    def test_replacing_a_member(self):
        shift = Shift.objects.get(
            post_period=self.morning("s1"),
            date=D(2026, 11, 24),
            member=self.member("s1", "community"),
        )
        response = self.api("principal1").post(
            f"/api/v1/shifts/{shift.pk}/replace/",
            {"member": self.member("s1", "guard_expired").pk},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        shift.refresh_from_db()
        self.assertTrue(shift.is_cancelled)
        self.assertEqual(response.json()["origin"], "manual")
        refused = self.api("principal1").post(
            f"/api/v1/shifts/{response.json()['id']}/replace/",
            {"member": self.member("s1", "volunteer").pk},
            format="json",
        )
        self.assertEqual(refused.status_code, 400)

    def test_swapping_two_shifts(self):
        morning_tue = Shift.objects.get(
            post_period=self.morning("s1"),
            date=D(2026, 11, 24),
            member=self.member("s1", "guard_b"),
        )
        afternoon_wed = Shift.objects.get(
            post_period=self.afternoon("s1"),
            date=D(2026, 11, 25),
            member=self.member("s1", "guard_a"),
        )
        response = self.api("officer1").post(
            f"/api/v1/shifts/{morning_tue.pk}/swap/",
            {"other_shift": afternoon_wed.pk},
            format="json",
        )
        # guard_a already stands Tuesday morning: the swap would put them there twice.
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(len(response.json()["member"]), 1)
        self.assertIn("S1guard_a", response.json()["member"][0])
        afternoon_wed_expired = Shift.objects.create(
            school=self.s1,
            post_period=self.afternoon("s1"),
            date=D(2026, 11, 25),
            member=self.member("s1", "guard_expired"),
            origin="manual",
        )
        response = self.api("officer1").post(
            f"/api/v1/shifts/{morning_tue.pk}/swap/",
            {"other_shift": afternoon_wed_expired.pk},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        active = Shift.objects.filter(is_cancelled=False)
        self.assertTrue(
            active.filter(
                post_period=self.morning("s1"),
                date=D(2026, 11, 24),
                member=self.member("s1", "guard_expired"),
            ).exists()
        )
        self.assertTrue(
            active.filter(
                post_period=self.afternoon("s1"),
                date=D(2026, 11, 25),
                member=self.member("s1", "guard_b"),
            ).exists()
        )

    def test_a_swap_with_an_out_of_scope_shift_is_invalid(self):
        mine = Shift.objects.filter(school=self.s1).first()
        theirs = Shift.objects.filter(school=self.s2).first()
        response = self.api("principal1").post(
            f"/api/v1/shifts/{mine.pk}/swap/", {"other_shift": theirs.pk}, format="json"
        )
        self.assertEqual(response.status_code, 400)


class RosterRuleConflictTests(PostsWorldTestCase):
    def test_rules_check_assignment_verification_and_overlap(self):
        client = self.api("principal1")
        url = "/api/v1/roster-rules/"
        morning = self.morning("s1")
        cases = {
            "unverified": self.member("s1", "volunteer"),
            "not assigned": make_member("外校", self.k1),
        }
        for name, member in cases.items():
            with self.subTest(name):
                response = client.post(
                    url,
                    {"post_period": morning.pk, "weekday": 5, "member": member.pk},
                    format="json",
                )
                self.assertEqual(response.status_code, 400)
        noon = self.post("s1").periods.create(
            period="noon", start_time=datetime.time(7, 30), end_time=datetime.time(8, 0)
        )
        response = client.post(
            url,
            {"post_period": noon.pk, "weekday": 0, "member": self.member("s1", "police").pk},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("member", response.json())


class ProblemTests(PostsWorldTestCase):
    def test_problems_are_flagged_before_the_day(self):
        generate_shifts(PostPeriod.objects.filter(post__school=self.s1), TODAY, WEEK_END)
        problems = roster_problems(PostPeriod.objects.filter(post__school=self.s1), TODAY, WEEK_END)
        self.assertEqual({p.post_period.period for p in problems}, {"afternoon"})
        self.assertEqual(len(problems), 5)
        # Remove the police officer from Friday's morning: staffing breaks there too.
        Shift.objects.filter(
            post_period=self.morning("s1"),
            date=D(2026, 11, 27),
            member__kind__in=["police", "auxiliary_police"],
        ).update(is_cancelled=True)
        response = self.api("principal1").get(
            "/api/v1/shifts/problems/", {"start": "2026-11-23", "end": "2026-11-29"}
        )
        friday = [
            p for p in response.json() if p["date"] == "2026-11-27" and p["period"] == "morning"
        ]
        self.assertEqual(len(friday), 1)
        self.assertEqual(friday[0]["police"], 0)
        self.assertEqual(len(friday[0]["reasons"]), 2)  # no police, and 2/3 qualified

    def test_a_post_period_with_no_shifts_is_flagged(self):
        response = self.api("district1").get(
            "/api/v1/shifts/problems/", {"start": "2026-11-23", "end": "2026-11-23"}
        )
        # Nothing generated: both of S1's periods have nobody (and K1 has no posts).
        self.assertEqual(len(response.json()), 2)
        self.assertTrue(all(p["members"] == 0 for p in response.json()))

    def test_problems_of_an_out_of_scope_school_are_404(self):
        response = self.api("principal1").get(
            "/api/v1/shifts/problems/",
            {"start": "2026-11-23", "end": "2026-11-23", "school": self.s2.pk},
        )
        self.assertEqual(response.status_code, 404)


class MakeUpDayTests(PostsWorldTestCase):
    """A make-up school day on a weekend stands the weekly pattern of the weekday it follows."""

    SATURDAY = TODAY + datetime.timedelta(days=5)

    def rostered(self, day):
        return set(
            Shift.objects.filter(school=self.s1, date=day).values_list(
                "post_period_id", "member_id"
            )
        )

    def test_the_followed_weekdays_pattern_is_rostered(self):
        tuesday = TODAY + datetime.timedelta(days=1)
        CalendarException.objects.create(
            district=self.d1, date=self.SATURDAY, kind="open", reason="调休", follows_weekday=1
        )
        generate_shifts(PostPeriod.objects.all(), TODAY, self.SATURDAY)
        self.assertTrue(self.rostered(tuesday))
        self.assertEqual(self.rostered(self.SATURDAY), self.rostered(tuesday))

    def test_the_schools_own_exception_overrides_its_districts(self):
        CalendarException.objects.create(
            district=self.d1, date=self.SATURDAY, kind="open", reason="调休", follows_weekday=1
        )
        # The school opens that Saturday as a Saturday: nobody is rostered on Saturdays.
        CalendarException.objects.create(
            school=self.s1, date=self.SATURDAY, kind="open", reason="运动会"
        )
        generate_shifts(PostPeriod.objects.all(), TODAY, self.SATURDAY)
        self.assertEqual(self.rostered(self.SATURDAY), set())
