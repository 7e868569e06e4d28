"""Duty log pages: the form, editing and its lock, countersigning, the police board and the list."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from django.urls import reverse

from campussafety.dates import EARLIEST
from posts import dutylogs
from posts.models import (
    DailyCoverage,
    DutyAttendance,
    DutyLog,
    DutyLogRevision,
    Shift,
)
from posts.rules import Staffing, staffing_checks
from posts.views import base as views
from posts.views.dutylogs import DutyLogListView
from schools.calendar import is_school_day
from tests.base import LAYOUT_QUERIES, PERSONAS
from tests.factories import SchoolFactory
from tests.posts_pages import (
    LAST_FRIDAY,
    SATURDAY,
    PostsPageTestCase,
    messages_of,
    png,
    temporary_media,
)
from tests.posts_world import NOW, TODAY, make_member


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

    def test_walk_ins_are_told_apart_and_the_unverified_marked(self):
        # A namesake registered at the school: the ID tail tells them apart.
        twin = make_member("S1volunteer", self.s1, kind="parent_volunteer")
        self.login("officer1")
        form = self.client.get(self.url()).context["form"]
        labels = [label for _value, label in form.fields["walk_ins"].choices]
        volunteer = self.member("s1", "volunteer")
        self.assertIn(
            f"S1volunteer · 家长志愿者 · 身份证尾号 {volunteer.id_number_masked[-4:]} · 待核验",
            labels,
        )
        self.assertIn(f"S1volunteer · 家长志愿者 · 身份证尾号 {twin.id_number_masked[-4:]}", labels)
        self.assertNotEqual(volunteer.id_number_masked[-4:], twin.id_number_masked[-4:])

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
            # Four days back: past the city's three days of late entry.
            "a day too far back for a school": ({"date": "2026-11-19"}, "date"),
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

    def test_opening_a_logged_period_says_so_at_once(self):
        existing = self.log_today(persona="officer1")
        self.login("principal1")
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("officer1", response.context["already_logged"])
        self.assertContains(response, "already-logged")
        self.assertContains(response, reverse("posts:log-detail", args=[existing.pk]))
        # A period not logged yet opens blank.
        afternoon = reverse("posts:log-create", args=[self.afternoon("s1").pk])
        self.assertIsNone(self.client.get(afternoon).context["already_logged"])

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


def edit_data(members):
    """The edit form of S1's morning log: three of the five present, one illegal parking."""
    return {
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


class DutyLogEditTests(PostsPageTestCase):
    def setUp(self):
        self.log = self.log_today()
        self.url = reverse("posts:log-edit", args=[self.log.pk])
        self.data = edit_data(self.members["s1"])

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
        response = self.client.post(url, {"next": reverse("posts:police")}, follow=True)
        self.assertRedirects(response, reverse("posts:police"))
        # The day as the pages write it, not 2026-11-23.
        [message] = messages_of(response)
        self.assertIn("2026年11月23日", str(message))
        log.refresh_from_db()
        self.assertEqual(log.countersigned_by, self.police1)
        signed_at = log.countersigned_at
        response = self.client.post(url, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([m.level_tag for m in messages_of(response)], ["warning"])
        log.refresh_from_db()
        self.assertEqual(log.countersigned_at, signed_at)


class PoliceBoardTests(PostsPageTestCase):
    def test_the_pending_count_is_the_count_of_the_list(self):
        self.log_today()
        with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=NOW.tzinfo)):
            dutylogs.submit_log(self.district1, self.morning("s1"), LAST_FRIDAY)
        self.login("police1")
        response = self.client.get(reverse("posts:police"))
        buttons = response.content.decode().count('action="/posts/logs/')
        self.assertEqual(response.context["pending"], 2)
        self.assertEqual(buttons, 2)
        self.assertContains(response, "2 条记录待会签")

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
        # session, user, role assignments; the page of logs with school (its
        # district and city: the share) and post joined, one more than a page
        # (is there a next?), never counted; the district choices of the filter
        # (the school is a search); the terms of the date presets.
        with self.assertNumQueries(6 + LAYOUT_QUERIES):
            self.client.get(url)
        self.log_today(period="afternoon")
        self.log_today("s2", "principal2")
        self.login("city")
        with self.assertNumQueries(6 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["object_list"]), 3)

    def test_pages_by_position_newest_day_first(self):
        first = self.log_today()
        second = self.log_today(period="afternoon")
        older = dutylogs.submit_log(self.users["district1"], self.morning("s1"), LAST_FRIDAY)
        self.login("district1")
        url = reverse("posts:logs")
        with mock.patch.object(DutyLogListView, "page_size", 2):
            response = self.client.get(url)
            self.assertEqual(list(response.context["object_list"]), [first, second])
            self.assertTrue(response.context["is_first_page"])
            next_query = response.context["next_page_query"]
            response = self.client.get(f"{url}?{next_query}")
        self.assertEqual(list(response.context["object_list"]), [older])
        self.assertNotIn("next_page_query", response.context)
        self.assertContains(response, 'href="?"')  # back to the first page
        self.assertEqual(self.client.get(url, {"after": "yesterday~1"}).status_code, 400)


class VerdictTests(PostsPageTestCase):
    """The detail and the understaffed list name the rule a log failed, and by how much."""

    def log_without_police(self):
        # Half the present must be qualified here: only the police rule fails.
        self.city_a.qualified_share_required = Decimal("0.50")
        self.city_a.save()
        members = self.members["s1"]
        attendance = [
            dutylogs.AttendanceEntry(members[role], present=role not in ("police", "aux"))
            for role in ("police", "aux", "guard_a", "guard_b", "community")
        ]
        return dutylogs.submit_log(
            self.users["principal1"], self.morning("s1"), TODAY, attendance=attendance
        )

    def test_the_detail_highlights_the_police_rule_not_minimum_staffing(self):
        log = self.log_without_police()
        self.login("district1")
        response = self.client.get(reverse("posts:log-detail", args=[log.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [check.rule for check in response.context["log"].failing_checks], ["police"]
        )
        html = response.content.decode()
        failed = re.findall(r'<li class="[^"]*check-failed">(.*?)</li>', html, re.S)
        self.assertEqual(len(failed), 1)
        self.assertIn("到岗警力（民警或辅警）", failed[0])
        self.assertIn("0，至少 1", failed[0])
        self.assertIn("缺 1 名民警或辅警", failed[0])
        self.assertIn("到岗人数", html)
        self.assertIn("3，至少 3", html)

    def test_the_understaffed_list_says_why_each_log_failed(self):
        self.log_without_police()
        self.login("district1")
        response = self.client.get(reverse("posts:logs"), {"understaffed": "true"})
        html = response.content.decode()
        self.assertIn("缺 1 名民警或辅警", html)
        self.assertNotIn("缺 1 人", html)


class StaffingCheckTests(SimpleTestCase):
    def checks(self, present, police, qualified, share="0.80"):
        staffing = Staffing(present, police, qualified, 4, 1, Decimal(share))
        return {check.rule: check for check in staffing_checks(staffing)}

    def test_each_rule_says_its_shortfall(self):
        checks = self.checks(present=5, police=0, qualified=3)
        self.assertEqual(
            {rule: (check.passed, check.shortfall) for rule, check in checks.items()},
            {"members": (True, 0), "police": (False, 1), "qualified_share": (False, 1)},
        )
        self.assertEqual(checks["qualified_share"].actual, "3/5 (60%)")
        self.assertEqual(checks["qualified_share"].required, "80%")

    def test_three_of_four_needs_one_more(self):
        # 80% of 4 is 3.2: a fourth qualified member, not a third.
        check = self.checks(present=4, police=1, qualified=3)["qualified_share"]
        self.assertEqual((check.passed, check.shortfall, check.actual), (False, 1, "3/4 (75%)"))

    def test_four_of_five_is_exactly_the_share(self):
        self.assertTrue(self.checks(present=5, police=1, qualified=4)["qualified_share"].passed)

    def test_nobody_present(self):
        checks = self.checks(present=0, police=0, qualified=0)
        self.assertEqual(checks["members"].shortfall, 4)
        self.assertEqual(checks["qualified_share"].actual, "0/0 (—)")
        self.assertFalse(checks["qualified_share"].passed)


class ReturnTests(PostsPageTestCase):
    """The police liaison returns a log with a reason; the school sees it, fixes it, resubmits."""

    def setUp(self):
        # Last Friday's log: closed to the school until it is returned.
        with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=NOW.tzinfo)):
            self.log = dutylogs.submit_log(self.principal1, self.morning("s1"), LAST_FRIDAY)
        self.url = reverse("posts:log-return", args=[self.log.pk])
        self.detail = reverse("posts:log-detail", args=[self.log.pk])

    def test_only_the_schools_police_liaison_returns_and_a_reason_is_required(self):
        self.assert_status("police2", "post", self.url, 404, {"reason": "x"})
        self.assert_status("principal1", "post", self.url, 403, {"reason": "x"})
        self.login("police1")
        response = self.client.post(self.url, {"reason": "  "}, follow=True)
        self.assertEqual([str(m) for m in messages_of(response)], ["请说明学校需要修改的内容。"])
        self.log.refresh_from_db()
        self.assertFalse(self.log.is_returned)
        response = self.client.post(self.url, {"reason": "民警未到岗却记为到岗"}, follow=True)
        self.assertRedirects(response, self.detail)
        self.log.refresh_from_db()
        self.assertTrue(self.log.is_returned)
        self.assertEqual(
            (self.log.returned_by, self.log.return_reason), (self.police1, "民警未到岗却记为到岗")
        )

    def test_the_school_sees_the_reason_fixes_the_log_and_resubmits_it(self):
        dutylogs.return_log(self.police1, self.log, "民警未到岗却记为到岗")
        self.login("principal1")
        detail = self.client.get(self.detail)
        self.assertContains(detail, "民警未到岗却记为到岗")
        self.assertTrue(detail.context["can_edit"])
        edit = reverse("posts:log-edit", args=[self.log.pk])
        self.assertEqual(self.client.get(edit).status_code, 200)
        response = self.client.post(edit, edit_data(self.members["s1"]))
        self.assertRedirects(response, self.detail)
        self.log.refresh_from_db()
        self.assertFalse(self.log.is_returned)
        self.assertEqual(self.log.present_count, 3)
        self.assertEqual(
            DutyLogRevision.objects.get(log=self.log).reason, "退回后修改：民警未到岗却记为到岗"
        )
        # Resubmitted, it is closed to the school again (its day is past).
        self.assertTrue(dutylogs.is_locked(self.log))
        self.assertEqual(self.client.get(edit).status_code, 403)

    def test_a_countersigned_log_is_not_returned(self):
        dutylogs.countersign(self.police1, self.log)
        self.login("police1")
        response = self.client.post(self.url, {"reason": "晚了"}, follow=True)
        self.assertEqual([m.level_tag for m in messages_of(response)], ["warning"])
        self.log.refresh_from_db()
        self.assertFalse(self.log.is_returned)

    def test_countersigning_with_a_remark(self):
        self.login("police1")
        self.client.post(
            reverse("posts:log-countersign", args=[self.log.pk]), {"remark": "人员齐整"}
        )
        self.assertContains(self.client.get(self.detail), "人员齐整")

    def test_the_page_and_the_api_refuse_a_return_without_a_reason_alike(self):
        self.login("police1")
        page = self.client.post(self.url, {"reason": ""}, follow=True)
        api = self.api("police1").post(
            reverse("dutylog-return", args=[self.log.pk]), {"reason": " "}, format="json"
        )
        self.assertEqual(api.status_code, 400)
        self.assertEqual([str(m) for m in messages_of(page)], api.json()["reason"])
        self.assertFalse(DutyLog.objects.get(pk=self.log.pk).is_returned)


TRAFFIC_ZEROS = dict.fromkeys(
    (
        "illegal_parking",
        "wrong_way_driving",
        "electric_tricycles",
        "farm_vehicles",
        "other_traffic",
    ),
    "0",
)


class LateEntryTests(PostsPageTestCase):
    """补报: school staff log a missed day up to the city's window back; bureau staff any day."""

    THURSDAY = datetime.date(2026, 11, 19)

    def form_url(self, day):
        return reverse("posts:log-create", args=[self.morning("s1").pk]) + f"?date={day}"

    def test_a_school_logs_last_friday_late_and_the_district_sees_it_as_late(self):
        self.login("officer1")
        response = self.client.post(
            self.form_url(LAST_FRIDAY),
            {"date": LAST_FRIDAY.isoformat(), **TRAFFIC_ZEROS, "present": []},
        )
        log = DutyLog.objects.get(date=LAST_FRIDAY)
        self.assertRedirects(response, reverse("posts:log-detail", args=[log.pk]))
        self.assertTrue(log.is_late)
        self.assertEqual((log.submitted_by, log.created), (self.officer1, NOW))
        self.login("district1")
        listed = self.client.get(reverse("posts:logs"))
        self.assertContains(listed, "late-entry", count=1)
        detail = self.client.get(reverse("posts:log-detail", args=[log.pk]))
        self.assertContains(detail, "补报")

    def test_the_date_picker_offers_only_the_days_the_user_may_log(self):
        self.login("principal1")
        field = self.client.get(self.form_url(TODAY)).context["form"].fields["date"]
        self.assertEqual(
            (field.widget.attrs["min"], field.widget.attrs["max"]), ("2026-11-20", "2026-11-23")
        )
        # Bureau staff have no late-entry window: only the platform's bound on every date.
        self.login("district1")
        field = self.client.get(self.form_url(TODAY)).context["form"].fields["date"]
        self.assertEqual(field.widget.attrs["min"], EARLIEST.isoformat())
        self.assertEqual(field.widget.attrs["max"], "2026-11-23")

    def test_the_window_is_the_citys(self):
        self.assertEqual(self.city_a.late_entry_days, 3)
        with self.assertRaises(PermissionDenied):
            dutylogs.submit_log(self.principal1, self.morning("s1"), self.THURSDAY)
        self.city_a.late_entry_days = 4
        self.city_a.save()
        log = dutylogs.submit_log(self.principal1, self.morning("s1"), self.THURSDAY)
        self.assertTrue(log.is_late)

    def test_bureau_staff_enter_any_past_day_late_and_today_is_not_late(self):
        log = dutylogs.submit_log(self.district1, self.morning("s1"), self.THURSDAY)
        self.assertTrue(log.is_late)
        self.assertFalse(dutylogs.submit_log(self.principal1, self.morning("s1"), TODAY).is_late)

    def test_the_page_and_the_api_agree_on_the_window(self):
        self.login("principal1")
        page = self.client.post(
            self.form_url(self.THURSDAY),
            {"date": self.THURSDAY.isoformat(), **TRAFFIC_ZEROS, "present": []},
        )
        api = self.api("principal1").post(
            reverse("dutylog-list"),
            {"post_period": self.morning("s1").pk, "date": self.THURSDAY.isoformat()},
            format="json",
        )
        self.assertEqual(api.status_code, 403)
        self.assertEqual(page.context["form"].errors["date"], [api.json()["detail"]])
        late = self.api("principal1").post(
            reverse("dutylog-list"),
            {"post_period": self.morning("s1").pk, "date": LAST_FRIDAY.isoformat()},
            format="json",
        )
        self.assertEqual(late.status_code, 201, late.content)
        self.assertTrue(late.json()["is_late"])
        self.assertFalse(DutyLog.objects.filter(date=self.THURSDAY).exists())

    def test_the_write_path_costs_no_more_queries(self):
        # The window is read from the city the post period is loaded with: a late
        # entry costs what today's log costs. (Warmed up first: the user's roles
        # are read once a request, and the calendar's answer is cached per day.)
        Shift.objects.create(
            school=self.s1,
            post_period=self.morning("s1"),
            date=LAST_FRIDAY,
            member=self.member("s1", "police"),
            origin="manual",
        )
        dutylogs.submit_log(self.principal1, self.afternoon("s1"), TODAY)
        is_school_day(self.s1, LAST_FRIDAY)
        for day in (TODAY, LAST_FRIDAY):
            # The post period comes with its school, district and city, and the
            # calendar from the cache: the roster; the log, inserted with its
            # figures; its attendance; the day's coverage (one upsert).
            with self.subTest(day=day), self.assertNumQueries(4):
                dutylogs.submit_log(self.principal1, self.morning("s1"), day)


class CountersignDayWorld:
    def setUp(self):
        # The morning meets the rules (4 of 5 qualified); the afternoon does not.
        self.morning_log = self.log_today()
        self.afternoon_log = self.log_today(period="afternoon")
        self.foreign_log = self.log_today("s2", "principal2")
        self.url = reverse("posts:countersign-day")


class CountersignDayTests(CountersignDayWorld, PostsPageTestCase):
    """A police liaison countersigns a day's compliant logs with one confirmation."""

    def test_the_compliant_logs_are_listed_selected_and_signed_at_once(self):
        self.login("police1")
        response = self.client.get(self.url)
        self.assertEqual(list(response.context["logs"]), [self.morning_log])
        self.assertContains(response, f'value="{self.morning_log.pk}" id="log-')
        response = self.client.post(
            self.url,
            {
                "date": TODAY.isoformat(),
                # The afternoon is below the rules and s2 is police2's: both left out.
                "log": [self.morning_log.pk, self.afternoon_log.pk, self.foreign_log.pk],
            },
            follow=True,
        )
        self.assertRedirects(response, reverse("posts:police"))
        self.assertEqual(
            [str(m) for m in messages_of(response)], ["已会签 2026年11月23日 的 1 条记录。"]
        )
        signed = set(
            DutyLog.objects.filter(countersigned_by=self.police1).values_list("pk", flat=True)
        )
        self.assertEqual(signed, {self.morning_log.pk})

    def test_only_police_liaisons(self):
        for persona in ("principal1", "district1"):
            self.assert_status(persona, "get", self.url, 403)
            self.assert_status(persona, "post", self.url, 403, {"log": [self.morning_log.pk]})
        self.assertFalse(DutyLog.objects.filter(countersigned_at__isnull=False).exists())

    def test_query_counts(self):
        self.login("police1")
        # session, user, role assignments; the logs with school and post.
        with self.assertNumQueries(4 + LAYOUT_QUERIES):
            self.client.get(self.url)
        # session, user, role assignments; savepoint; the chosen ids (still
        # countersignable, in scope); the update; the write check's count; release.
        with self.assertNumQueries(8):
            self.client.post(self.url, {"date": TODAY.isoformat(), "log": [self.morning_log.pk]})


class CountersignDayAPITests(CountersignDayWorld, PostsPageTestCase):
    """The API's bulk countersign: the page's service, through the one write check."""

    def setUp(self):
        super().setUp()
        self.url = reverse("dutylog-countersign-day")

    def signed(self):
        return set(
            DutyLog.objects.filter(countersigned_at__isnull=False).values_list("pk", flat=True)
        )

    def test_all_the_days_compliant_logs_when_none_are_named(self):
        response = self.api("police1").post(self.url, {"date": TODAY.isoformat()}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            response.json(),
            {"date": TODAY.isoformat(), "countersigned": [self.morning_log.pk], "left_out": []},
        )
        self.assertEqual(self.signed(), {self.morning_log.pk})

    def test_named_logs_below_the_rules_are_left_out(self):
        ids = [self.morning_log.pk, self.afternoon_log.pk]
        response = self.api("police1").post(
            self.url, {"date": TODAY.isoformat(), "ids": ids}, format="json"
        )
        self.assertEqual(response.json()["countersigned"], [self.morning_log.pk])
        self.assertEqual(response.json()["left_out"], [self.afternoon_log.pk])
        self.assertEqual(self.signed(), {self.morning_log.pk})

    def test_a_log_out_of_scope_or_not_the_users_to_sign_signs_nothing(self):
        # police2's log: not seen, 400; a principal sees the log but may not sign it: 403.
        for persona, status in (("police1", 400), ("principal1", 403), ("district1", 403)):
            ids = [self.morning_log.pk] + ([self.foreign_log.pk] if status == 400 else [])
            response = self.api(persona).post(
                self.url, {"date": TODAY.isoformat(), "ids": ids}, format="json"
            )
            self.assertEqual(response.status_code, status, (persona, response.content))
        response = self.api("principal1").post(self.url, {"date": TODAY.isoformat()}, format="json")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.signed(), set())

    def test_bad_input(self):
        for body in ({}, {"date": "昨天"}, {"date": TODAY.isoformat(), "ids": ["x"]}):
            response = self.api("police1").post(self.url, body, format="json")
            self.assertEqual(response.status_code, 400, body)
        self.assertEqual(self.signed(), set())

    def test_query_counts(self):
        client = self.api("police1")
        # role assignments (the test client is signed in already); the named logs the
        # user sees; savepoint; the chosen ids (still countersignable, in scope); the
        # update; the write check's count; release.
        with self.assertNumQueries(7):
            client.post(self.url, {"date": TODAY.isoformat(), "ids": [self.morning_log.pk]})
