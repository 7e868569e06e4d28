"""Today at the gate: who is rostered, and logging as rostered in one tap."""

import datetime
from unittest import mock

import time_machine
from django.urls import reverse

from accounts.scope import ADD, Scope
from posts.models import (
    DailyCoverage,
    DutyLog,
    Shift,
)
from tests.base import LAYOUT_QUERIES
from tests.posts_pages import (
    D,
    PostsPageTestCase,
    messages_of,
)
from tests.posts_world import NOW, TODAY, make_member


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


class QualificationReasonTests(PostsPageTestCase):
    """ "Not qualified" says why: unverified, certificate expired, no certificate, or the kind."""

    def test_each_reason(self):
        members = self.members["s1"]
        members["guard_b"].guard_certificate_expiry = None
        cases = {
            "police": None,
            "aux": None,
            "guard_a": None,
            "guard_b": "无保安员证",
            "guard_expired": "保安员证已于 2026年10月31日 过期",
            "community": "非民警、辅警或持证保安员",
            "volunteer": "尚未核验",
        }
        for role, reason in cases.items():
            with self.subTest(role=role):
                member = members[role]
                shown = member.unqualified_reason(TODAY)
                self.assertEqual(None if shown is None else str(shown), reason)
                self.assertEqual(member.is_qualified_on(TODAY), reason is None)

    def test_the_today_page_says_why(self):
        self.login("principal1")
        response = self.client.get(reverse("posts:today"))
        self.assertContains(response, "非专业力量: 非民警、辅警或持证保安员")


class PastDayTests(PostsPageTestCase):
    """The missed-days list opens that day's posts at that school, read-only but for entering."""

    FRIDAY = D(2026, 11, 20)

    def test_the_missed_days_link_opens_that_day(self):
        self.login("district1")
        response = self.client.get(
            reverse("posts:missed"), {"start": "2026-11-20", "end": "2026-11-20"}
        )
        self.assertContains(response, f"?school={self.s1.pk}&amp;date=2026-11-20")

    def test_bureau_staff_see_the_day_and_may_enter_on_the_schools_behalf(self):
        self.login("district1")
        response = self.client.get(
            reverse("posts:today"), {"school": self.s1.pk, "date": "2026-11-20"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["today"], self.FRIDAY)
        self.assertNotContains(response, "quick-log")
        self.assertContains(response, "代学校补录")
        self.assertContains(
            response, reverse("posts:log-create", args=[self.morning("s1").pk]) + "?date=2026-11-20"
        )

    def test_the_school_logs_it_late_and_a_day_to_come_is_today(self):
        self.login("principal1")
        response = self.client.get(reverse("posts:today"), {"date": "2026-11-20"})
        self.assertContains(response, "enter-late")
        self.assertNotContains(response, "代学校补录")
        response = self.client.get(reverse("posts:today"), {"date": "2026-12-01"})
        self.assertEqual(response.context["today"], TODAY)
        self.assertContains(response, "quick-log")


class LogAllDueTests(PostsPageTestCase):
    """One tap logs every period of today that has started, as rostered, by the same rules."""

    def setUp(self):
        self.url = reverse("posts:log-all-due")

    def test_at_nine_the_morning_is_logged_and_the_afternoon_is_not(self):
        self.login("officer1")
        response = self.client.post(self.url, {"school": self.s1.pk}, follow=True)
        self.assertRedirects(response, reverse("posts:today"))
        self.assertEqual(
            list(DutyLog.objects.values_list("post_period", "date")),
            [(self.morning("s1").pk, TODAY)],
        )
        self.assertEqual([m.level_tag for m in messages_of(response)], ["success"])
        # A second tap finds nothing due.
        response = self.client.post(self.url, {"school": self.s1.pk}, follow=True)
        self.assertEqual([m.level_tag for m in messages_of(response)], ["info"])
        self.assertEqual(DutyLog.objects.count(), 1)

    def test_in_the_evening_both_periods(self):
        with time_machine.travel(NOW.replace(hour=18)):
            self.login("principal1")
            self.client.post(self.url, {"school": self.s1.pk})
        self.assertEqual(DutyLog.objects.filter(school=self.s1, date=TODAY).count(), 2)
        self.assertEqual(DailyCoverage.objects.get(school=self.s1, date=TODAY).logged, 2)

    def test_who_may(self):
        self.assert_status("police1", "post", self.url, 403, {"school": self.s1.pk})
        self.assert_status("principal2", "post", self.url, 404, {"school": self.s1.pk})
        self.assert_status("principal1", "post", self.url, 404, {"school": "x"})
        self.assertFalse(DutyLog.objects.exists())
        self.login("principal1")
        self.assertContains(self.client.get(reverse("posts:today")), "log-all-due")


class PageWritesAreRecheckedTests(PostsPageTestCase):
    """Every page that writes a duty log keeps it only through the one write check
    (accounts.scope.write_in_scope), as the API does, not on its own may() alone."""

    def checked(self, method, url, data):
        seen = []
        original = Scope.require

        def spy(scope, objects, action):
            seen.append((objects, action))
            return original(scope, objects, action)

        with mock.patch.object(Scope, "require", autospec=True, side_effect=spy):
            response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        return [(o.pk, action) for o, action in seen if isinstance(o, DutyLog)]

    def test_the_quick_log_the_log_all_and_the_form(self):
        self.login("officer1")
        morning = self.morning("s1")
        quick = self.checked("post", reverse("posts:log-quick", args=[morning.pk]), {})
        self.assertEqual(quick, [(DutyLog.objects.get(post_period=morning).pk, ADD)])
        DutyLog.objects.all().delete()
        every = self.checked("post", reverse("posts:log-all-due"), {"school": self.s1.pk})
        self.assertEqual(every, [(DutyLog.objects.get(post_period=morning).pk, ADD)])
        DutyLog.objects.all().delete()
        members = self.members["s1"]
        form = {
            "date": TODAY.isoformat(),
            "present": [members[role].pk for role in ("police", "aux", "guard_a", "guard_b")],
            "actual_start": "07:05",
            "actual_end": "07:55",
            "illegal_parking": "0",
            "wrong_way_driving": "0",
            "electric_tricycles": "0",
            "farm_vehicles": "0",
            "other_traffic": "0",
            "incidents": "",
            "weather": "rain",
        }
        created = self.checked("post", reverse("posts:log-create", args=[morning.pk]), form)
        self.assertEqual(created, [(DutyLog.objects.get(post_period=morning).pk, ADD)])
