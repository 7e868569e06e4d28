"""The posts pages join the same permission checks as every other page.

Anonymous visitors are sent to sign in; an object outside a persona's scope is
a 404; an action its role does not allow is a 403; bad input is a form error
with nothing saved; list pages make a fixed number of queries however many rows.
Today is Monday 23 November 2026, 09:00 in Shanghai (tests/posts_world.py),
and this week's roster is generated from the weekly pattern.
"""

import datetime
import io
import shutil
import tempfile

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from campussafety.personal import hash_id_number, mask_id_number, mask_phone
from posts import dutylogs, views
from posts.choices import VerificationStatus
from posts.models import (
    DailyCoverage,
    DutyAttendance,
    DutyLog,
    DutyLogRevision,
    Member,
    MemberAssignment,
    PostPeriod,
    RosterRule,
    Shift,
)
from posts.rosters import generate_shifts
from schools.models import School
from tests.base import LAYOUT_QUERIES, PERSONAS
from tests.factories import SchoolFactory
from tests.posts_world import NOW, TODAY, PostsWorldTestCase, make_id_number, make_member
from tests.test_pages import PageTestCase

D = datetime.date
SATURDAY = D(2026, 11, 28)
LAST_FRIDAY = D(2026, 11, 20)
TUESDAY = D(2026, 11, 24)
WEDNESDAY = D(2026, 11, 25)
THURSDAY = D(2026, 11, 26)


def temporary_media(test):
    """MEDIA_ROOT in a folder removed after `test`, so uploads leave nothing behind."""
    media = tempfile.mkdtemp()
    test.addCleanup(shutil.rmtree, media, ignore_errors=True)
    return override_settings(MEDIA_ROOT=media)


def png():
    """A small picture for the duty log's photo, made as the test runs."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "navy").save(buffer, "PNG")
    return SimpleUploadedFile("gate.png", buffer.getvalue(), content_type="image/png")


def messages_of(response):
    """The messages a followed response showed (the page has read them already)."""
    return list(response.context["messages"])


class PostsPageTestCase(PostsWorldTestCase, PageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY + datetime.timedelta(days=4))

    def log_today(self, key="s1", persona="principal1", period="morning"):
        period = self.morning(key) if period == "morning" else self.afternoon(key)
        return dutylogs.submit_log(self.users[persona], period, TODAY)

    def assert_status(self, persona, method, url, status, data=None):
        self.login(persona)
        response = getattr(self.client, method)(url, data or {})
        self.assertEqual(response.status_code, status, (persona, method, url))
        return response


class AnonymousTests(PostsPageTestCase):
    def test_every_page_sends_anonymous_visitors_to_sign_in(self):
        log = self.log_today()
        shift = Shift.objects.filter(school=self.s1).first()
        rule = RosterRule.objects.filter(post_period__post__school=self.s1).first()
        member = self.member("s1", "volunteer")
        assignment = member.assignments.get()
        morning = self.morning("s1")
        pages = [
            ("get", reverse("posts:today")),
            ("get", reverse("posts:police")),
            ("get", reverse("posts:logs")),
            ("post", reverse("posts:log-quick", args=[morning.pk])),
            ("get", reverse("posts:log-create", args=[morning.pk])),
            ("post", reverse("posts:log-create", args=[morning.pk])),
            ("get", reverse("posts:log-detail", args=[log.pk])),
            ("get", reverse("posts:log-edit", args=[log.pk])),
            ("post", reverse("posts:log-edit", args=[log.pk])),
            ("post", reverse("posts:log-countersign", args=[log.pk])),
            ("get", reverse("posts:roster")),
            ("get", reverse("posts:roster-print")),
            ("post", reverse("posts:shift-add")),
            ("post", reverse("posts:shift-replace")),
            ("post", reverse("posts:shift-swap")),
            ("post", reverse("posts:shift-remove", args=[shift.pk])),
            ("post", reverse("posts:roster-generate")),
            ("get", reverse("posts:pattern")),
            ("post", reverse("posts:rule-add")),
            ("post", reverse("posts:rule-delete", args=[rule.pk])),
            ("get", reverse("posts:members")),
            ("get", reverse("posts:member-add")),
            ("post", reverse("posts:member-add")),
            ("get", reverse("posts:verify")),
            ("get", reverse("posts:member-detail", args=[member.pk])),
            ("get", reverse("posts:member-edit", args=[member.pk])),
            ("post", reverse("posts:member-verify", args=[member.pk])),
            ("post", reverse("posts:assignment-add", args=[member.pk])),
            ("post", reverse("posts:assignment-end", args=[assignment.pk])),
            ("get", reverse("posts:coverage")),
            ("get", reverse("posts:missed")),
        ]
        for method, url in pages:
            with self.subTest(url=url, method=method):
                response = getattr(self.client, method)(url)
                self.assertRedirects(
                    response, f"{reverse('login')}?next={url}", fetch_redirect_response=False
                )
        self.assertEqual(DutyLog.objects.count(), 1)
        self.assertFalse(Shift.objects.get(pk=shift.pk).is_cancelled)
        self.assertTrue(RosterRule.objects.filter(pk=rule.pk).exists())


class NavigationTests(PostsPageTestCase):
    def test_each_role_sees_the_links_to_its_pages(self):
        expected = {
            "principal1": {"today", "roster", "members"},
            "officer1": {"today", "roster", "members"},
            "police1": {"police", "roster", "members", "verify"},
            "district1": {"roster", "members", "verify", "coverage"},
            "city": {"roster", "members", "coverage"},
            "admin": {"roster", "members", "verify", "coverage"},
            "outsider": set(),
        }
        names = ("today", "police", "roster", "members", "verify", "coverage")
        for persona, shown in expected.items():
            with self.subTest(persona=persona):
                self.login(persona)
                html = self.client.get(reverse("schools:list")).content.decode()
                nav = html[html.index("<nav") : html.index("</nav>")]
                for name in names:
                    self.assertEqual(f'href="{reverse(f"posts:{name}")}"' in nav, name in shown)


class TodayTests(PostsPageTestCase):
    def test_school_staff_see_todays_periods_and_who_is_rostered(self):
        for persona in ("principal1", "officer1"):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("posts:today"))
                self.assertEqual(response.status_code, 200)
                (entry,) = response.context["board"]
                self.assertEqual(entry.school, self.s1)
                self.assertTrue(entry.is_school_day)
                self.assertTrue(entry.may_log)
                morning, afternoon = entry.periods
                self.assertEqual(morning.period, self.morning("s1"))
                self.assertEqual(len(morning.rostered), 5)
                # police, aux, guard_a, guard_b qualified; the community worker not.
                self.assertEqual(morning.qualified_count, 4)
                self.assertIsNone(morning.log)
                self.assertIsNone(afternoon.log)
                self.assertContains(response, reverse("posts:log-quick", args=[morning.period.pk]))
                self.assertContains(response, "S1community")

    def test_others_open_a_school_by_its_id_and_only_in_their_scope(self):
        url = reverse("posts:today")
        for persona in ("police1", "district1", "city", "admin", "outsider"):
            with self.subTest(persona=persona):
                self.assert_status(persona, "get", url, 403)
        response = self.assert_status("district1", "get", f"{url}?school={self.s1.pk}", 200)
        (entry,) = response.context["board"]
        # District staff may log (a bureau may fill in for a school), police may not.
        self.assertTrue(entry.may_log)
        response = self.assert_status("police1", "get", f"{url}?school={self.s1.pk}", 200)
        self.assertFalse(response.context["board"][0].may_log)
        self.assertNotContains(response, "quick-log")
        self.assert_status("district1", "get", f"{url}?school={self.s2.pk}", 404)
        self.assert_status("principal1", "get", f"{url}?school={self.s3.pk}", 404)
        self.assert_status("principal1", "get", f"{url}?school=南门", 404)

    def test_one_tap_logs_the_morning_post_as_rostered_and_a_second_tap_says_so(self):
        self.login("principal1")
        morning = self.morning("s1")
        url = reverse("posts:log-quick", args=[morning.pk])
        response = self.client.post(url, {"next": reverse("posts:today")})
        self.assertRedirects(response, reverse("posts:today"))
        log = DutyLog.objects.get(post_period=morning, date=TODAY)
        self.assertEqual((log.present_count, log.qualified_count), (5, 4))
        self.assertTrue(log.is_compliant)
        self.assertEqual(log.submitted_by, self.principal1)
        self.assertEqual(DailyCoverage.objects.get(school=self.s1, date=TODAY).logged, 1)
        # The page now shows the period logged, with the figures.
        page = self.client.get(reverse("posts:today"))
        self.assertEqual(page.context["board"][0].periods[0].log, log)

        self.login("officer1")
        again = self.client.post(url, {"next": reverse("posts:today")}, follow=True)
        self.assertEqual(again.status_code, 200)
        (message,) = messages_of(again)
        self.assertEqual(message.level_tag, "warning")
        # Who logged it and when, so nobody logs it twice.
        self.assertIn("principal1", message.message)
        self.assertIn(log.created.astimezone(NOW.tzinfo).strftime("%H:%M"), message.message)
        self.assertEqual(DutyLog.objects.filter(post_period=morning).count(), 1)

    def test_one_tap_from_the_home_page_comes_back_home(self):
        self.login("principal1")
        home = self.client.get(reverse("home"))
        morning = self.morning("s1")
        self.assertContains(home, reverse("posts:log-quick", args=[morning.pk]))
        response = self.client.post(
            reverse("posts:log-quick", args=[morning.pk]), {"next": reverse("home")}, follow=True
        )
        self.assertRedirects(response, reverse("home"))
        self.assertTrue(DutyLog.objects.filter(post_period=morning, date=TODAY).exists())
        self.assertNotContains(response, reverse("posts:log-quick", args=[morning.pk]))
        self.assertContains(response, reverse("posts:log-quick", args=[self.afternoon("s1").pk]))

    def test_the_way_back_stays_on_this_site(self):
        self.login("principal1")
        response = self.client.post(
            reverse("posts:log-quick", args=[self.morning("s1").pk]),
            {"next": "https://example.com/"},
        )
        self.assertRedirects(response, reverse("posts:today"), fetch_redirect_response=False)

    def test_who_may_tap(self):
        morning_s1, morning_s2 = self.morning("s1"), self.morning("s2")
        for persona, period, status in (
            ("police1", morning_s1, 403),
            ("principal1", morning_s2, 404),
            ("outsider", morning_s1, 404),
            ("principal2", morning_s1, 404),
        ):
            with self.subTest(persona=persona):
                url = reverse("posts:log-quick", args=[period.pk])
                self.assert_status(persona, "post", url, status)
        self.assertFalse(DutyLog.objects.exists())

    def test_a_day_without_school_says_when_the_next_one_is(self):
        with time_machine.travel(datetime.datetime(2026, 11, 28, 9, 0, tzinfo=NOW.tzinfo)):
            self.login("principal1")
            response = self.client.get(reverse("posts:today"))
            (entry,) = response.context["board"]
            self.assertFalse(entry.is_school_day)
            self.assertEqual(entry.next_school_day, D(2026, 11, 30))
            self.assertEqual(entry.periods, [])
            self.assertNotContains(response, "quick-log")
            # A tap on a stale page is refused with the reason, not an error page.
            response = self.client.post(
                reverse("posts:log-quick", args=[self.morning("s1").pk]), follow=True
            )
            self.assertEqual(response.status_code, 200)
            self.assertFalse(DutyLog.objects.exists())

    def test_query_count_does_not_grow_with_periods_or_members(self):
        self.login("principal1")
        url = reverse("posts:today")
        # session, user, role assignments (the scope); the principal's schools;
        # the school days (the schools, their terms, the exceptions); the
        # periods with post and gate; today's shifts with their members;
        # today's logs; the schools in which the user may log.
        with self.assertNumQueries(11 + LAYOUT_QUERIES):
            self.client.get(url)
        period = self.post("s1").periods.create(
            period="noon", start_time=datetime.time(11, 30), end_time=datetime.time(12, 10)
        )
        for n in range(4):
            member = make_member(f"午间{n}", self.s1, kind="auxiliary_police")
            Shift.objects.create(
                school=self.s1, post_period=period, date=TODAY, member=member, origin="manual"
            )
        self.login("principal1")
        with self.assertNumQueries(11 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["board"][0].periods), 3)


class DutyLogFormTests(PostsPageTestCase):
    def url(self, key="s1", day=None):
        url = reverse("posts:log-create", args=[self.morning(key).pk])
        return f"{url}?date={day}" if day else url

    def data(self, **changes):
        members = self.members["s1"]
        data = {
            "date": TODAY.isoformat(),
            "present": [members[role].pk for role in ("police", "aux", "guard_a", "guard_b")],
            "walk_ins": [members["guard_expired"].pk],
            "actual_start": "07:05",
            "actual_end": "07:55",
            "illegal_parking": "2",
            "wrong_way_driving": "1",
            "electric_tricycles": "3",
            "farm_vehicles": "0",
            "other_traffic": "0",
            "incidents": "一名家长违停，已劝离。",
            "weather": "rain",
        }
        data.update(changes)
        return data

    def test_the_form_lists_the_roster_ticked(self):
        self.login("officer1")
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(len(form.listed), 5)
        self.assertEqual(len(form.initial["present"]), 5)
        walk_ins = set(form.fields["walk_ins"].queryset.values_list("name", flat=True))
        # Assigned to S1 and active, not already on the roster.
        self.assertEqual(walk_ins, {"S1guard_expired", "S1volunteer"})
        self.assertContains(response, 'type="checkbox"', count=5)

    def test_logging_with_changes(self):
        self.login("officer1")
        response = self.client.post(self.url(), self.data())
        log = DutyLog.objects.get(post_period=self.morning("s1"), date=TODAY)
        self.assertRedirects(response, reverse("posts:log-detail", args=[log.pk]))
        # Four rostered present, the community worker absent, the walk-in present.
        self.assertEqual(log.attendance.count(), 6)
        self.assertEqual((log.present_count, log.qualified_count), (5, 4))
        absent = log.attendance.get(present=False)
        self.assertEqual(absent.member, self.member("s1", "community"))
        walk_in = log.attendance.get(member=self.member("s1", "guard_expired"))
        self.assertFalse(walk_in.was_rostered)
        self.assertEqual((log.illegal_parking, log.electric_tricycles), (2, 3))
        self.assertEqual(log.weather, "rain")
        self.assertEqual(log.actual_start, datetime.time(7, 5))

    def test_bad_input_is_a_form_error_and_nothing_is_saved(self):
        foreign = self.member("s2", "guard_a")
        cases = {
            "walk-in of another school": ({"walk_ins": [foreign.pk]}, "walk_ins"),
            "present member not rostered": ({"present": [foreign.pk]}, "present"),
            "end before start": ({"actual_end": "07:00"}, "actual_end"),
            "not a school day": ({"date": SATURDAY.isoformat()}, "date"),
            "not a date": ({"date": "2026-02-30"}, "date"),
            "a day to come": ({"date": "2026-11-24"}, "date"),
            "a past day by a school": ({"date": LAST_FRIDAY.isoformat()}, "date"),
            "negative count": ({"illegal_parking": "-1"}, "illegal_parking"),
            "weather": ({"weather": "tornado"}, "weather"),
            "not a picture": (
                {"photo": SimpleUploadedFile("gate.jpg", b"not a picture", "image/jpeg")},
                "photo",
            ),
        }
        self.login("principal1")
        for case, (changes, field) in cases.items():
            with self.subTest(case):
                response = self.client.post(self.url(), self.data(**changes))
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertFalse(DutyLog.objects.exists())
        self.assertFalse(DutyAttendance.objects.exists())
        self.assertFalse(DailyCoverage.objects.exists())

    def test_bureau_staff_fill_in_a_past_day(self):
        self.login("district1")
        response = self.client.get(self.url(day=LAST_FRIDAY.isoformat()))
        # Nothing was rostered that day (rosters start today).
        self.assertEqual(response.context["form"].listed, [])
        response = self.client.post(
            self.url(day=LAST_FRIDAY.isoformat()),
            self.data(date=LAST_FRIDAY.isoformat(), present=[]),
        )
        log = DutyLog.objects.get(date=LAST_FRIDAY)
        self.assertRedirects(response, reverse("posts:log-detail", args=[log.pk]))
        self.assertEqual(log.present_count, 1)

    def test_someone_else_logged_it_first(self):
        existing = self.log_today(persona="officer1")
        self.login("principal1")
        response = self.client.post(self.url(), self.data())
        self.assertEqual(response.status_code, 200)
        self.assertIn("officer1", " ".join(response.context["form"].non_field_errors()))
        self.assertContains(response, reverse("posts:log-detail", args=[existing.pk]))
        self.assertEqual(DutyLog.objects.count(), 1)

    def test_who_may_open_the_form(self):
        self.assert_status("police1", "get", self.url(), 403)
        self.assert_status("principal1", "get", self.url("s2"), 404)
        self.assert_status("district2", "get", self.url(), 404)
        self.assert_status("district1", "get", self.url(), 200)
        self.assert_status("principal1", "get", self.url(day="明天"), 200)

    def test_a_photo(self):
        with temporary_media(self):
            self.login("principal1")
            response = self.client.post(self.url(), self.data(photo=png()))
            log = DutyLog.objects.get()
            self.assertRedirects(response, reverse("posts:log-detail", args=[log.pk]))
            self.assertTrue(log.photo.name.startswith("duty-logs/2026/11/"))


class DutyLogEditTests(PostsPageTestCase):
    def setUp(self):
        self.log = self.log_today()
        self.url = reverse("posts:log-edit", args=[self.log.pk])
        members = self.members["s1"]
        self.data = {
            "present": [members[role].pk for role in ("police", "aux", "guard_a")],
            "actual_start": "07:10",
            "actual_end": "07:50",
            "illegal_parking": "1",
            "wrong_way_driving": "0",
            "electric_tricycles": "0",
            "farm_vehicles": "0",
            "other_traffic": "0",
            "incidents": "",
            "weather": "",
            "reason": "",
        }

    def test_the_school_corrects_todays_log_and_the_history_keeps_the_old_one(self):
        self.login("officer1")
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("date", response.context["form"].fields)
        response = self.client.post(self.url, self.data)
        self.assertRedirects(response, reverse("posts:log-detail", args=[self.log.pk]))
        self.log.refresh_from_db()
        self.assertEqual((self.log.present_count, self.log.qualified_count), (3, 3))
        self.assertEqual(self.log.attendance.filter(present=False).count(), 2)
        revision = DutyLogRevision.objects.get(log=self.log)
        self.assertEqual(revision.before["present_count"], 5)
        detail = self.client.get(reverse("posts:log-detail", args=[self.log.pk]))
        (row,) = detail.context["history"]
        self.assertEqual(row.revision, revision)
        # The times, the count of illegal parking, the present and qualified
        # counts, and the attendance, which names who was absent.
        self.assertEqual(len(row.changes), 6)
        _label, before, after = row.changes[-1]
        self.assertEqual(before, "S1police、S1aux、S1guard_a、S1guard_b、S1community")
        self.assertTrue(after.startswith("S1police、S1aux、S1guard_a "))
        self.assertIn("S1community", after)

    def test_a_closed_log_is_the_bureaus_with_a_reason(self):
        dutylogs.countersign(self.users["police1"], self.log)
        response = self.assert_status("principal1", "get", self.url, 403)
        self.assertTemplateUsed(response, "posts/denied.html")
        self.assertEqual(response.context["reason"], views.LOCKED)
        self.assert_status("principal1", "post", self.url, 403, self.data)
        detail = self.assert_status(
            "principal1", "get", reverse("posts:log-detail", args=[self.log.pk]), 200
        )
        self.assertFalse(detail.context["can_edit"])
        self.login("district1")
        response = self.client.post(self.url, self.data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("reason", response.context["form"].errors)
        response = self.client.post(self.url, {**self.data, "reason": "派出所更正人数"})
        self.assertRedirects(response, reverse("posts:log-detail", args=[self.log.pk]))
        self.assertEqual(DutyLogRevision.objects.get().reason, "派出所更正人数")

    def test_yesterdays_log_is_closed_too(self):
        with time_machine.travel(NOW + datetime.timedelta(days=1)):
            self.assert_status("officer1", "get", self.url, 403)

    def test_bad_input_changes_nothing(self):
        self.login("principal1")
        for changes in ({"actual_end": "06:00"}, {"walk_ins": [self.member("s2", "aux").pk]}):
            with self.subTest(changes):
                response = self.client.post(self.url, {**self.data, **changes})
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
        self.log.refresh_from_db()
        self.assertEqual(self.log.present_count, 5)
        self.assertFalse(DutyLogRevision.objects.exists())

    def test_who_may_edit(self):
        self.assert_status("police1", "get", self.url, 403)
        self.assert_status("principal2", "get", self.url, 404)
        self.assert_status("district2", "post", self.url, 404, self.data)

    def test_detail_for_every_persona(self):
        url = reverse("posts:log-detail", args=[self.log.pk])
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                in_scope = persona in (
                    "admin",
                    "city",
                    "district1",
                    "principal1",
                    "officer1",
                    "police1",
                )
                response = self.assert_status(persona, "get", url, 200 if in_scope else 404)
                if in_scope:
                    self.assertEqual(
                        response.context["can_countersign"], persona in ("police1", "admin")
                    )


class CountersignTests(PostsPageTestCase):
    def test_police_countersign_once(self):
        log = self.log_today()
        url = reverse("posts:log-countersign", args=[log.pk])
        self.assert_status("police2", "post", url, 404)
        response = self.assert_status("principal1", "post", url, 403)
        # The service's reason, in the site's layout.
        self.assertTemplateUsed(response, "posts/denied.html")
        self.login("police1")
        response = self.client.post(url, {"next": reverse("posts:police")})
        self.assertRedirects(response, reverse("posts:police"))
        log.refresh_from_db()
        self.assertEqual(log.countersigned_by, self.police1)
        signed_at = log.countersigned_at
        response = self.client.post(url, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([m.level_tag for m in messages_of(response)], ["warning"])
        log.refresh_from_db()
        self.assertEqual(log.countersigned_at, signed_at)


class PoliceBoardTests(PostsPageTestCase):
    def test_the_board_of_a_police_liaison(self):
        today_log = self.log_today()
        with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=NOW.tzinfo)):
            old = dutylogs.submit_log(self.district1, self.morning("s1"), LAST_FRIDAY)
        self.login("police1")
        response = self.client.get(reverse("posts:police"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual([entry.school for entry in response.context["board"]], [self.k1, self.s1])
        self.assertEqual(response.context["to_countersign"], [today_log])
        self.assertEqual(list(response.context["recent"]), [old])
        self.assertContains(response, reverse("posts:log-countersign", args=[old.pk]))
        # Logged or missing, per period.
        s1 = response.context["board"][1]
        self.assertEqual([row.log for row in s1.periods], [today_log, None])
        # The kindergarten has no post, and school staff never see the board.
        self.assertEqual(response.context["board"][0].periods, [])
        for persona in ("principal1", "district1", "city", "outsider"):
            with self.subTest(persona=persona):
                self.assert_status(persona, "get", reverse("posts:police"), 403)

    def test_query_count_does_not_grow_with_schools(self):
        self.log_today()
        url = reverse("posts:police")
        self.login("police1")
        # session, user, role assignments; the jurisdiction's schools; the
        # school days (three); periods, shifts, today's logs; the last week's
        # uncountersigned logs. (Where the user may log costs no query: no
        # role of a police liaison may, so the scope answers none() at once.)
        with self.assertNumQueries(11 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(3):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n}")
        self.login("police1")
        with self.assertNumQueries(11 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["board"]), 5)


class DutyLogListTests(PostsPageTestCase):
    def test_lists_the_scope_and_filters_understaffed(self):
        morning = self.log_today()
        afternoon = self.log_today(period="afternoon")
        self.log_today("s2", "principal2")
        self.login("district1")
        url = reverse("posts:logs")
        response = self.client.get(url)
        self.assertEqual(set(response.context["object_list"]), {morning, afternoon})
        response = self.client.get(url, {"understaffed": "true"})
        # The afternoon roster is 3 of 4 qualified: below 80%.
        self.assertEqual(list(response.context["object_list"]), [afternoon])
        response = self.client.get(url, {"school": self.s2.pk})
        self.assertEqual(list(response.context["object_list"]), [])

    def test_query_count_does_not_grow_with_rows(self):
        self.log_today()
        self.login("district1")
        url = reverse("posts:logs")
        # session, user, role assignments; the count; the page of logs with
        # school and post joined; the school and district choices of the filter.
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            self.client.get(url)
        self.log_today(period="afternoon")
        self.log_today("s2", "principal2")
        self.login("city")
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["object_list"]), 3)


class RosterPageTests(PostsPageTestCase):
    def roster(self, persona, **query):
        self.login(persona)
        return self.client.get(reverse("posts:roster"), query)

    def edit(self, persona, name, data, school=None, week=TODAY):
        self.login(persona)
        school = school or self.s1
        url = f"{reverse(f'posts:{name}')}?school={school.pk}&week={week}"
        return self.client.post(url, data)

    def test_the_week_with_its_problems_flagged(self):
        response = self.roster("principal1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["school"], self.s1)
        self.assertEqual(response.context["monday"], TODAY)
        self.assertEqual(len(response.context["days"]), 5)
        ((post, (morning, afternoon)),) = response.context["tables"]
        self.assertEqual([len(cell.shifts) for cell in morning.cells], [5] * 5)
        self.assertFalse(any(cell.problems for cell in morning.cells))
        # The afternoon roster is 3 of 4 qualified, below 80%, every day.
        self.assertTrue(all(cell.problems for cell in afternoon.cells))
        self.assertEqual(response.context["problem_count"], 5)
        self.assertContains(response, "roster-problem", count=5)
        self.assertTrue(response.context["can_edit"])
        self.assertIn("cell_form", response.context)

    def test_who_sees_and_who_edits(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                home = {"district2": self.s2, "principal2": self.s2, "police2": self.s2}.get(
                    persona, self.s1
                )
                if persona == "outsider":
                    response = self.roster(persona)
                    self.assertIsNone(response.context.get("school"))
                    self.assertEqual(self.roster(persona, school=self.s1.pk).status_code, 404)
                    continue
                response = self.roster(persona, school=home.pk)
                self.assertEqual(response.status_code, 200)
                may_edit = persona not in ("police1", "police2")
                self.assertEqual(response.context["can_edit"], may_edit)
                self.assertEqual("cell_form" in response.context, may_edit)
                foreign = self.s3 if persona != "admin" else None
                if foreign:
                    self.assertEqual(self.roster(persona, school=foreign.pk).status_code, 404)

    def test_a_week_that_is_not_a_date_shows_this_week(self):
        for week in ("下周", "2026-13-01", ""):
            with self.subTest(week=week):
                response = self.roster("principal1", week=week)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["monday"], TODAY)
        response = self.roster("principal1", week="2026-12-02")
        self.assertEqual(response.context["monday"], D(2026, 11, 30))
        self.assertEqual(self.roster("principal1", school="南门").status_code, 404)

    def test_add_a_member_to_a_cell(self):
        data = {
            "post_period": self.afternoon("s1").pk,
            "date": TUESDAY.isoformat(),
            "member": self.member("s1", "guard_b").pk,
            "note": "",
        }
        response = self.edit("officer1", "shift-add", data)
        self.assertRedirects(
            response, f"{reverse('posts:roster')}?school={self.s1.pk}&week=2026-11-23"
        )
        self.assertTrue(
            Shift.objects.filter(
                post_period=self.afternoon("s1"), date=TUESDAY, member__name="S1guard_b"
            ).exists()
        )
        # 4 of 5 qualified now: Tuesday afternoon is no longer flagged.
        response = self.roster("officer1")
        afternoon = response.context["tables"][0][1][1]
        self.assertEqual(afternoon.cells[1].problems, [])

    def test_bad_cells_are_form_errors(self):
        base = {
            "post_period": self.afternoon("s1").pk,
            "date": TUESDAY.isoformat(),
            "member": self.member("s1", "guard_b").pk,
        }
        before = Shift.objects.count()
        cases = {
            "member of another school": ({"member": self.member("s2", "guard_b").pk}, "member"),
            "unverified member": ({"member": self.member("s1", "volunteer").pk}, "member"),
            "already on the shift": ({"member": self.member("s1", "police").pk}, "member"),
            "out-of-scope post period": ({"post_period": self.morning("s2").pk}, "post_period"),
            "not a school day": ({"date": SATURDAY.isoformat()}, "date"),
            "not a date": ({"date": "2026-11-31"}, "date"),
            "a past day": ({"date": LAST_FRIDAY.isoformat()}, "date"),
        }
        for case, (changes, field) in cases.items():
            with self.subTest(case):
                response = self.edit("principal1", "shift-add", {**base, **changes})
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["cell_form"].errors)
        self.assertEqual(Shift.objects.count(), before)

    def test_remove_replace_and_swap(self):
        community = Shift.objects.get(
            post_period=self.morning("s1"), date=TUESDAY, member=self.member("s1", "community")
        )
        self.assert_status(
            "police1", "post", reverse("posts:shift-remove", args=[community.pk]), 403
        )
        self.assert_status(
            "principal2", "post", reverse("posts:shift-remove", args=[community.pk]), 404
        )
        response = self.edit(
            "principal1",
            "shift-replace",
            {"shift": community.pk, "member": self.member("s1", "guard_expired").pk},
        )
        self.assertEqual(response.status_code, 302)
        community.refresh_from_db()
        self.assertTrue(community.is_cancelled)
        replacement = Shift.objects.get(
            post_period=self.morning("s1"), date=TUESDAY, member__name="S1guard_expired"
        )

        # The replacement and the community worker swap shifts: back to
        # Tuesday morning for the community worker.
        afternoon = Shift.objects.get(
            post_period=self.afternoon("s1"), date=WEDNESDAY, member=self.member("s1", "community")
        )
        response = self.edit(
            "principal1", "shift-swap", {"shift": replacement.pk, "other_shift": afternoon.pk}
        )
        self.assertEqual(response.status_code, 302)
        live = Shift.objects.filter(is_cancelled=False)
        self.assertTrue(
            live.filter(
                post_period=self.afternoon("s1"), date=WEDNESDAY, member__name="S1guard_expired"
            ).exists()
        )
        self.assertTrue(
            live.filter(
                post_period=self.morning("s1"), date=TUESDAY, member__name="S1community"
            ).exists()
        )

        self.login("principal1")
        response = self.client.post(reverse("posts:shift-remove", args=[afternoon.pk]))
        self.assertRedirects(
            response,
            f"{reverse('posts:roster')}?school={self.s1.pk}&week=2026-11-25",
            fetch_redirect_response=False,
        )

    def test_bad_replacements_and_swaps_are_form_errors(self):
        morning_tuesday = Shift.objects.filter(post_period=self.morning("s1"), date=TUESDAY)
        police = morning_tuesday.get(member__name="S1police")
        aux = morning_tuesday.get(member__name="S1aux")
        foreign = Shift.objects.filter(school=self.s2).first()
        cases = {
            "replace with the same member": (
                "shift-replace",
                "replace_form",
                {"shift": police.pk, "member": self.member("s1", "police").pk},
            ),
            "replace with someone already there": (
                "shift-replace",
                "replace_form",
                {"shift": police.pk, "member": self.member("s1", "aux").pk},
            ),
            "replace in another school's shift": (
                "shift-replace",
                "replace_form",
                {"shift": foreign.pk, "member": self.member("s1", "guard_expired").pk},
            ),
            "swap a shift with itself": (
                "shift-swap",
                "swap_form",
                {"shift": police.pk, "other_shift": police.pk},
            ),
            "swap within one cell": (
                "shift-swap",
                "swap_form",
                {"shift": police.pk, "other_shift": aux.pk},
            ),
            "swap with another school": (
                "shift-swap",
                "swap_form",
                {"shift": police.pk, "other_shift": foreign.pk},
            ),
        }
        before = list(Shift.objects.values_list("pk", "member_id", "is_cancelled"))
        for case, (name, form, data) in cases.items():
            with self.subTest(case):
                response = self.edit("principal1", name, data)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context[form].errors)
        self.assertEqual(list(Shift.objects.values_list("pk", "member_id", "is_cancelled")), before)

    def test_generate_the_next_weeks(self):
        response = self.edit("principal1", "roster-generate", {"weeks": "2", "post": ""})
        self.assertEqual(response.status_code, 302)
        next_week = Shift.objects.filter(school=self.s1, date__gte=D(2026, 11, 30))
        # Five days of the week after: 5 morning + 4 afternoon members a day.
        self.assertEqual(next_week.count(), 45)
        self.assertFalse(Shift.objects.filter(school=self.s2, date__gte=D(2026, 11, 30)).exists())
        for weeks in ("0", "9", "两"):
            with self.subTest(weeks=weeks):
                response = self.edit("principal1", "roster-generate", {"weeks": weeks})
                self.assertEqual(response.status_code, 200)
                self.assertIn("weeks", response.context["generate_form"].errors)
        response = self.edit("principal1", "roster-generate", {"weeks": "1"}, week=D(2026, 11, 9))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["generate_form"].non_field_errors())
        self.assertEqual(self.edit("police1", "roster-generate", {"weeks": "1"}).status_code, 403)
        response = self.edit("principal1", "roster-generate", {"weeks": "1"}, school=self.s2)
        self.assertEqual(response.status_code, 404)

    def test_the_printable_week(self):
        self.login("police1")
        response = self.client.get(reverse("posts:roster-print"), {"school": self.s1.pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "roster-print")
        self.assertContains(response, "S1guard_a")
        self.assertNotContains(response, reverse("posts:shift-add"))
        self.assertNotContains(response, '<form method="post" action="/posts/')
        self.login("outsider")
        self.assertEqual(self.client.get(reverse("posts:roster-print")).status_code, 404)

    def test_query_count_does_not_grow_with_members(self):
        url = f"{reverse('posts:roster')}?school={self.s1.pk}"
        self.login("police1")
        # session, user, role assignments; the school; the week's school days
        # (three); the posts and their periods; the week's shifts with their
        # members; the roster problems (periods, school days, counts: five);
        # the school choices. (Whether a police liaison may edit costs no
        # query: none of their roles may, so the scope answers none().)
        with self.assertNumQueries(16 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(5):
            member = make_member(f"加人{n}", self.s1, kind="police", police_number=f"0{n}")
            Shift.objects.create(
                school=self.s1,
                post_period=self.morning("s1"),
                date=TUESDAY,
                member=member,
                origin="manual",
            )
        self.login("police1")
        with self.assertNumQueries(16 + LAYOUT_QUERIES):
            self.client.get(url)


class PatternPageTests(PostsPageTestCase):
    def add(self, persona, school, **data):
        self.login(persona)
        return self.client.post(f"{reverse('posts:rule-add')}?school={school.pk}", data)

    def test_the_pattern_and_its_editor(self):
        self.login("principal1")
        response = self.client.get(reverse("posts:pattern"))
        self.assertEqual(response.status_code, 200)
        (morning, afternoon) = response.context["rows"]
        self.assertEqual([len(rules) for rules in morning[1]], [5] * 5)
        self.assertEqual(len(response.context["weekdays"]), 5)
        response = self.add(
            "principal1",
            self.s1,
            post_period=self.afternoon("s1").pk,
            weekday=1,
            member=self.member("s1", "guard_b").pk,
        )
        self.assertRedirects(response, f"{reverse('posts:pattern')}?school={self.s1.pk}")
        rule = RosterRule.objects.get(
            post_period=self.afternoon("s1"), weekday=1, member__name="S1guard_b"
        )
        self.login("police1")
        self.assertEqual(
            self.client.post(reverse("posts:rule-delete", args=[rule.pk])).status_code, 403
        )
        self.login("principal2")
        self.assertEqual(
            self.client.post(reverse("posts:rule-delete", args=[rule.pk])).status_code, 404
        )
        self.login("officer1")
        response = self.client.post(reverse("posts:rule-delete", args=[rule.pk]))
        self.assertRedirects(response, f"{reverse('posts:pattern')}?school={self.s1.pk}")
        self.assertFalse(RosterRule.objects.filter(pk=rule.pk).exists())

    def test_query_count_does_not_grow_with_rules(self):
        url = reverse("posts:pattern")
        self.login("principal1")
        # session, user, role assignments; the principal's school; the rules
        # with their members; the periods with their posts; whether the user
        # may edit; the post period and member choices of the add form.
        with self.assertNumQueries(9 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(4):
            member = make_member(f"周规律{n}", self.s1, kind="police", police_number=f"9{n}")
            RosterRule.objects.create(post_period=self.morning("s1"), weekday=5, member=member)
        self.login("principal1")
        with self.assertNumQueries(9 + LAYOUT_QUERIES):
            response = self.client.get(url)
        # A rule on Saturday brings the weekend columns.
        self.assertEqual(len(response.context["weekdays"]), 6)

    def test_the_apis_checks_are_form_errors(self):
        noon = self.post("s1").periods.create(
            period="noon", start_time=datetime.time(7, 30), end_time=datetime.time(8, 0)
        )
        cases = {
            "unverified": (self.morning("s1"), 5, self.member("s1", "volunteer"), "member"),
            "another school's member": (self.morning("s1"), 5, self.member("s2", "aux"), "member"),
            "overlapping post": (noon, 0, self.member("s1", "police"), "member"),
            "out-of-scope period": (self.morning("s2"), 5, self.member("s1", "aux"), "post_period"),
            "twice": (self.morning("s1"), 0, self.member("s1", "aux"), "__all__"),
        }
        before = RosterRule.objects.count()
        for case, (period, weekday, member, field) in cases.items():
            with self.subTest(case):
                response = self.add(
                    "principal1", self.s1, post_period=period.pk, weekday=weekday, member=member.pk
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["rule_form"].errors)
        self.assertEqual(RosterRule.objects.count(), before)
        response = self.add(
            "police1",
            self.s1,
            post_period=self.morning("s1").pk,
            weekday=5,
            member=self.member("s1", "aux").pk,
        )
        self.assertEqual(response.status_code, 403)


class MemberListTests(PostsPageTestCase):
    def test_lists_the_scope_with_personal_data_masked(self):
        guard = self.member("s1", "guard_a")
        for persona, phone_visible in (
            ("principal1", True),
            ("police1", True),
            ("district1", False),
            ("city", False),
        ):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("posts:members"))
                listed = set(response.context["object_list"])
                self.assertIn(guard, listed)
                self.assertNotIn(self.member("s3", "guard_a"), listed)
                self.assertContains(response, guard.id_number_masked)
                self.assertEqual(guard.phone in response.content.decode(), phone_visible)
                self.assertContains(response, mask_phone(guard.phone) if not phone_visible else "")
        self.login("principal1")
        response = self.client.get(reverse("posts:members"))
        self.assertFalse(
            any(member.name.startswith("S2") for member in response.context["object_list"])
        )
        self.login("outsider")
        self.assertEqual(list(self.client.get(reverse("posts:members")).context["object_list"]), [])

    def test_filters(self):
        self.login("district1")
        url = reverse("posts:members")
        cases = {
            "kind=police": {"S1police"},
            "verification_status=pending": {"S1volunteer"},
            "q=guard_": {"S1guard_a", "S1guard_b", "S1guard_expired"},
            f"school={self.s2.pk}": set(),
        }
        for query, names in cases.items():
            with self.subTest(query=query):
                response = self.client.get(f"{url}?{query}")
                self.assertEqual({m.name for m in response.context["object_list"]}, names)

    def test_query_count_does_not_grow_with_rows(self):
        self.login("city")
        url = reverse("posts:members")
        # session, user, role assignments; the count; the page of members with
        # whether each phone is visible (a subquery); their current assignments
        # with schools; the school choices of the filter.
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(10):
            make_member(f"新队员{n}", self.s2)
        self.login("city")
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["object_list"]), 24)


class MemberRegistrationTests(PostsPageTestCase):
    def data(self, **changes):
        data = {
            "name": "张伟",
            "id_number": make_id_number("19900101"),
            "kind": "security_guard",
            "school": self.s1.pk,
            "assignment_start": TODAY.isoformat(),
            "unit_kind": "security_company",
            "unit_name": "滨州市保安服务有限公司",
            "phone": "13912345678",
            "police_number": "",
            "guard_certificate_number": "BA-2026-0099",
            "guard_certificate_expiry": "2028-12-31",
            "badge_number": "HX-07",
        }
        data.update(changes)
        return data

    def test_registration_hashes_masks_and_assigns(self):
        data = self.data(photo=png())
        self.login("principal1")
        with temporary_media(self):
            response = self.client.post(reverse("posts:member-add"), data)
        member = Member.objects.get(name="张伟")
        self.assertTrue(member.photo.name.startswith("members/2026/11/"))
        self.assertRedirects(response, reverse("posts:member-detail", args=[member.pk]))
        self.assertEqual(member.id_number_masked, mask_id_number(data["id_number"]))
        self.assertEqual(member.verification_status, VerificationStatus.PENDING)
        self.assertEqual(list(member.assignments.values_list("school", flat=True)), [self.s1.pk])
        stored = " ".join(str(getattr(member, f.attname)) for f in Member._meta.concrete_fields)
        self.assertNotIn(data["id_number"], stored)
        page = self.client.get(reverse("posts:member-detail", args=[member.pk]))
        self.assertNotContains(page, data["id_number"])
        self.assertContains(page, member.id_number_masked)

    def test_bad_input_is_a_form_error_that_never_echoes_the_number(self):
        existing = make_id_number("19800101")
        self.login("principal1")
        self.client.post(reverse("posts:member-add"), self.data(id_number=existing, name="甲"))
        before = (Member.objects.count(), MemberAssignment.objects.count())
        cases = {
            "malformed": ("371602199001011", "id_number"),
            "checksum": (existing[:-1] + ("0" if existing[-1] != "0" else "1"), "id_number"),
            "duplicate": (existing, "id_number"),
        }
        for case, (number, field) in cases.items():
            with self.subTest(case):
                response = self.client.post(
                    reverse("posts:member-add"), self.data(id_number=number)
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
                self.assertNotContains(response, number)
        others = {
            "another school": ({"school": self.s2.pk}, "school"),
            "phone": ({"phone": "123"}, "phone"),
            "guard without certificate": (
                {"guard_certificate_number": ""},
                "guard_certificate_number",
            ),
            "police without number": ({"kind": "police"}, "police_number"),
            "start not a date": ({"assignment_start": "2026-02-30"}, "assignment_start"),
        }
        for case, (changes, field) in others.items():
            with self.subTest(case):
                response = self.client.post(reverse("posts:member-add"), self.data(**changes))
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertEqual((Member.objects.count(), MemberAssignment.objects.count()), before)

    def test_who_may_register(self):
        for persona, status in (
            ("police1", 403),
            ("outsider", 403),
            ("officer1", 200),
            ("district1", 200),
        ):
            with self.subTest(persona=persona):
                self.assert_status(persona, "get", reverse("posts:member-add"), status)
        self.assert_status("police1", "post", reverse("posts:member-add"), 403, self.data())
        self.assertFalse(Member.objects.filter(name="张伟").exists())

    def test_editing_who_a_member_is_needs_a_new_verification(self):
        guard = self.member("s1", "guard_a")
        url = reverse("posts:member-edit", args=[guard.pk])
        self.assert_status("police1", "get", url, 403)
        self.assert_status("principal2", "get", url, 404)
        self.login("principal1")
        form = self.client.get(url).context["form"]
        self.assertNotIn("school", form.fields)
        self.assertFalse(form.fields["id_number"].required)
        data = {
            "name": guard.name,
            "id_number": "",
            "kind": guard.kind,
            "unit_kind": guard.unit_kind,
            "unit_name": guard.unit_name,
            "phone": guard.phone,
            "police_number": "",
            "guard_certificate_number": guard.guard_certificate_number,
            "guard_certificate_expiry": guard.guard_certificate_expiry.isoformat(),
            "badge_number": "HX-01",
            "is_active": "on",
        }
        response = self.client.post(url, data)
        self.assertRedirects(response, reverse("posts:member-detail", args=[guard.pk]))
        guard.refresh_from_db()
        self.assertEqual((guard.badge_number, guard.verification_status), ("HX-01", "verified"))
        response = self.client.post(url, {**data, "guard_certificate_expiry": "2030-01-01"})
        guard.refresh_from_db()
        self.assertEqual(guard.verification_status, VerificationStatus.PENDING)
        self.assertIsNone(guard.verified_by)
        # Another member's number is refused without repeating it.
        other = make_id_number("19700101")
        make_member("乙", self.s1)
        Member.objects.filter(name="乙").update(id_number_hash=hash_id_number(other))
        response = self.client.post(url, {**data, "id_number": other})
        self.assertIn("id_number", response.context["form"].errors)
        self.assertNotContains(response, other)


class AssignmentTests(PostsPageTestCase):
    def test_assign_and_end(self):
        member = self.member("s1", "community")
        detail = reverse("posts:member-detail", args=[member.pk])
        add = reverse("posts:assignment-add", args=[member.pk])
        self.login("district1")
        response = self.client.post(add, {"school": self.k1.pk, "start_date": "2026-12-01"})
        self.assertRedirects(response, f"{detail}#assignments")
        assignment = MemberAssignment.objects.get(member=member, school=self.k1)
        cases = {
            "another district's school": {"school": self.s2.pk, "start_date": "2026-12-01"},
            "the same start twice": {"school": self.k1.pk, "start_date": "2026-12-01"},
            "end before start": {
                "school": self.k1.pk,
                "start_date": "2027-01-10",
                "end_date": "2027-01-01",
            },
        }
        for case, data in cases.items():
            with self.subTest(case):
                response = self.client.post(add, data)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["assignment_form"].errors)
        self.assertEqual(member.assignments.count(), 2)

        end = reverse("posts:assignment-end", args=[assignment.pk])
        response = self.client.post(end, {"end_date": "2026-11-30"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("end_date", response.context["end_form"].errors)
        self.assertEqual(response.context["failed_end"], assignment.pk)
        response = self.client.post(end, {"end_date": "2027-01-22"})
        self.assertRedirects(response, f"{detail}#assignments")
        assignment.refresh_from_db()
        self.assertEqual(assignment.end_date, D(2027, 1, 22))

        self.assert_status("police1", "post", end, 403, {"end_date": "2027-01-22"})
        self.assert_status("district2", "post", end, 404, {"end_date": "2027-01-22"})
        self.assert_status("police1", "post", add, 403, {"school": self.s1.pk})

    def test_detail_shows_only_schools_in_scope(self):
        member = self.member("s1", "community")
        MemberAssignment.objects.create(member=member, school=self.s3, start_date=TODAY)
        self.login("principal1")
        response = self.client.get(reverse("posts:member-detail", args=[member.pk]))
        self.assertEqual([a.school for a in response.context["assignments"]], [self.s1])
        self.assertNotContains(response, self.s3.name)
        # The next ten of this week's morning and afternoon shifts.
        self.assertEqual(len(response.context["shifts"]), 10)


class VerificationTests(PostsPageTestCase):
    def test_the_queue_and_its_decisions(self):
        volunteer = self.member("s1", "volunteer")
        url = reverse("posts:member-verify", args=[volunteer.pk])
        for persona in ("principal1", "officer1", "city", "outsider"):
            with self.subTest(persona=persona):
                self.assert_status(persona, "get", reverse("posts:verify"), 403)
        self.assert_status("principal1", "post", url, 403, {"decision": "verified"})
        self.assert_status("district2", "post", url, 404, {"decision": "verified"})
        self.login("police1")
        response = self.client.get(reverse("posts:verify"))
        self.assertEqual(list(response.context["members"]), [volunteer])
        response = self.client.post(url, {"decision": "rejected", "reason": "  "})
        self.assertEqual(response.status_code, 200)
        self.assertIn("reason", response.context["verify_form"].errors)
        self.assertEqual(response.context["failed"], volunteer.pk)
        volunteer.refresh_from_db()
        self.assertEqual(volunteer.verification_status, VerificationStatus.PENDING)
        response = self.client.post(url, {"decision": "maybe"})
        self.assertEqual(response.status_code, 200)
        response = self.client.post(url, {"decision": "rejected", "reason": "身份证与本人不符"})
        self.assertRedirects(response, reverse("posts:verify"))
        volunteer.refresh_from_db()
        self.assertEqual(volunteer.verification_status, VerificationStatus.REJECTED)
        self.assertEqual(volunteer.verified_by, self.police1)
        self.assertEqual(volunteer.verified_at, NOW)
        self.login("district1")
        response = self.client.post(
            url,
            {"decision": "verified", "next": reverse("posts:member-detail", args=[volunteer.pk])},
        )
        self.assertRedirects(response, reverse("posts:member-detail", args=[volunteer.pk]))
        volunteer.refresh_from_db()
        self.assertEqual(
            (volunteer.verification_status, volunteer.verified_by, volunteer.rejection_reason),
            (VerificationStatus.VERIFIED, self.district1, ""),
        )

    def test_query_count_does_not_grow_with_rows(self):
        self.login("district1")
        url = reverse("posts:verify")
        # session, user, role assignments; the count; the page of pending
        # members with phone visibility; their current assignments with schools.
        with self.assertNumQueries(6 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(5):
            make_member(f"待核{n}", self.s1, pending=True)
        self.login("district1")
        with self.assertNumQueries(6 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["members"]), 6)


class CoveragePageTests(PostsPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # S1 logged both periods of last Friday (the afternoon below the rule)
        # and S2 only the morning of last Thursday.
        with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=NOW.tzinfo)):
            for period in (cls.posts["s1"][1], cls.posts["s1"][2]):
                dutylogs.submit_log(cls.district1, period, LAST_FRIDAY)
            dutylogs.submit_log(cls.district2, cls.posts["s2"][1], D(2026, 11, 19))

    def get(self, persona, name="coverage", **query):
        self.login(persona)
        return self.client.get(reverse(f"posts:{name}"), query)

    def test_bureau_staff_see_rates_by_school_district_and_day(self):
        response = self.get("city", start="2026-11-16", end="2026-11-20")
        self.assertEqual(response.status_code, 200)
        rows = {row.label: row for row in response.context["page_obj"]}
        self.assertEqual(set(rows), {self.s1.name, self.s2.name, self.k1.name})
        s1 = rows[self.s1.name]
        self.assertEqual((s1.school_days, s1.covered, s1.partial, s1.missed), (5, 0, 1, 4))
        # Nobody was rostered before today, so both of Friday's logs are empty.
        self.assertEqual(s1.understaffed_logs, 2)
        self.assertContains(response, "progress-bar")
        response = self.get("district1", start="2026-11-16", end="2026-11-20", group_by="district")
        (row,) = response.context["page_obj"]
        self.assertEqual(row.label, self.d1.name)
        response = self.get("city", start="2026-11-19", end="2026-11-20", group_by="day")
        self.assertEqual(
            [row.key for row in response.context["page_obj"]], [D(2026, 11, 19), LAST_FRIDAY]
        )

    def test_sorting(self):
        response = self.get("city", start="2026-11-16", end="2026-11-20", sort="-missed")
        labels = [row.label for row in response.context["page_obj"]]
        # The kindergarten missed all five days, S1 and S2 four each.
        self.assertEqual(labels[0], self.k1.name)
        response = self.get("city", start="2026-11-16", end="2026-11-20", sort="-coverage_rate")
        self.assertEqual(len(response.context["page_obj"]), 3)
        # The column headers sort, keeping the range.
        self.assertContains(response, "start=2026-11-16&amp;end=2026-11-20&amp;sort=coverage_rate")
        self.assertContains(response, "start=2026-11-16&amp;end=2026-11-20&amp;sort=-missed")

    def test_the_default_range_is_this_month_up_to_today(self):
        response = self.get("district1")
        form = response.context["form"]
        self.assertEqual(
            (form.cleaned_data["start"], form.cleaned_data["end"]), (D(2026, 11, 1), TODAY)
        )

    def test_bad_ranges_are_form_errors(self):
        cases = {
            "end before start": {"start": "2026-11-20", "end": "2026-11-01"},
            "not a date": {"start": "2026-11-31"},
            "more than a year": {"start": "2025-01-01", "end": "2026-11-20"},
            "unknown grouping": {"group_by": "planet"},
        }
        for case, query in cases.items():
            for name in ("coverage", "missed"):
                if name == "missed" and "group_by" in query:
                    continue
                with self.subTest(case, page=name):
                    response = self.get("district1", name, **query)
                    self.assertEqual(response.status_code, 200)
                    self.assertTrue(response.context["form"].errors)
                    self.assertNotIn("page_obj", response.context)

    def test_only_bureau_staff(self):
        for persona in ("principal1", "officer1", "police1", "outsider"):
            with self.subTest(persona=persona):
                for name in ("coverage", "missed"):
                    self.assertEqual(self.get(persona, name).status_code, 403)
        self.assertEqual(self.get("admin").status_code, 200)

    def test_the_missed_list(self):
        response = self.get("district2", "missed", start="2026-11-16", end="2026-11-20")
        rows = response.context["rows"]
        self.assertEqual(
            [day for _school, _name, day in rows],
            [D(2026, 11, 16), D(2026, 11, 17), D(2026, 11, 18), D(2026, 11, 20)],
        )
        self.assertTrue(all(name == self.s2.name for _school, name, _day in rows))

    def test_query_counts_do_not_grow_with_schools(self):
        # coverage: session, user, role assignments; the school days (three);
        # which schools logged today (the default range ends today); the
        # schools' names and districts; the daily coverage rows added up.
        # missed: the same three, the school days, today's logs, the logged
        # days, the names.
        for name, count in (("coverage", 9), ("missed", 9)):
            with self.subTest(name):
                self.login("city")
                with self.assertNumQueries(count + LAYOUT_QUERIES):
                    self.client.get(reverse(f"posts:{name}"))
        for n in range(5):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n}")
        for name, count in (("coverage", 9), ("missed", 9)):
            with self.subTest(name):
                self.login("city")
                with self.assertNumQueries(count + LAYOUT_QUERIES):
                    response = self.client.get(reverse(f"posts:{name}"))
                self.assertEqual(response.status_code, 200)
        self.assertTrue(School.objects.filter(name="新校4").exists())
