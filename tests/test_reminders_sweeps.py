"""What each reminder sweep finds due, over a simulated school day (the time is injected)."""

import datetime

import time_machine
from django.test import override_settings

from accounts.choices import Role
from posts.dutylogs import submit_log
from posts.models import PostPeriod, Shift
from posts.rosters import generate_shifts
from reminders.delivery import record
from reminders.models import Notification, NotificationItem
from reminders.registry import KINDS
from schools.models import District
from tests.factories import UserFactory, assign
from tests.posts_world import NOW, TODAY, PostsWorldTestCase


def at(hour, minute=0, day=TODAY):
    return NOW.replace(year=day.year, month=day.month, day=day.day, hour=hour, minute=minute)


def sweep(kind, moment):
    dues = KINDS[kind].sweep(moment)
    record(dues, moment)
    return dues


def recipients(dues):
    return sorted((due.user_id, due.subject) for due in dues)


@override_settings(REMINDER_MISSING_LOG_AFTER_MINUTES=30, REMINDER_ESCALATE_AFTER_MINUTES=90)
class MissingLogDayTests(PostsWorldTestCase):
    """Monday 23 November: S2 logs its morning post in time, S1 forgets all day."""

    def test_a_school_day(self):
        principal1, officer1 = self.users["principal1"], self.users["officer1"]
        district1, district2 = self.users["district1"], self.users["district2"]
        s1_morning = f"postperiod:{self.morning('s1').pk}"

        # 07:55: the morning window ended at 07:50, the 30 minutes are not up.
        self.assertEqual(sweep("missing_log", at(7, 55)), [])

        with time_machine.travel(at(8, 5), tick=False):
            submit_log(self.users["principal2"], self.morning("s2"), TODAY)

        # 08:21: S1's leaders are reminded; S2 logged; S3 has nobody to remind.
        dues = sweep("missing_log", at(8, 21))
        self.assertEqual(
            recipients(dues), sorted([(principal1.pk, s1_morning), (officer1.pk, s1_morning)])
        )
        # Ten minutes later the same sweep adds nothing.
        sweep("missing_log", at(8, 31))
        self.assertEqual(Notification.objects.filter(kind="missing_log").count(), 2)

        # Not yet escalated at 09:00; at 09:21 district1 is told, district2 not.
        self.assertEqual(sweep("missing_log_escalation", at(9, 0)), [])
        dues = sweep("missing_log_escalation", at(9, 21))
        self.assertEqual(recipients(dues), [(district1.pk, s1_morning)])

        # 17:51: both afternoons are due at S1 and S2 (S2 forgot the afternoon).
        dues = sweep("missing_log", at(17, 51))
        subjects = {due.subject for due in dues}
        self.assertEqual(
            subjects,
            {
                s1_morning,
                f"postperiod:{self.afternoon('s1').pk}",
                f"postperiod:{self.afternoon('s2').pk}",
            },
        )

        # 20:00: one summary per district staff member.
        dues = sweep("missed_summary", at(20, 0))
        by_user = {due.user_id: due.params for due in dues}
        self.assertEqual(set(by_user), {district1.pk, district2.pk})
        self.assertEqual(by_user[district1.pk]["count"], 2)
        self.assertEqual(by_user[district2.pk]["count"], 1)
        summary = Notification.objects.get(kind="missed_summary", user=district1)
        self.assertIn("2", summary.title)
        self.assertIn(self.s1.name, summary.body)

    def test_no_reminders_on_a_day_without_school(self):
        saturday = datetime.date(2026, 11, 28)
        self.assertEqual(sweep("missing_log", at(9, 0, saturday)), [])
        self.assertEqual(sweep("missed_summary", at(20, 0, saturday)), [])

    def test_an_inactive_post_is_not_chased(self):
        self.post("s1").is_active = False
        self.post("s1").save()
        dues = sweep("missing_log", at(9, 0))
        self.assertNotIn(self.s1.pk, {due.school_id for due in dues})


class RosterReminderTests(PostsWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY + datetime.timedelta(days=7))

    def test_the_morning_digest(self):
        dues = sweep("roster_digest", at(6, 30))
        members = {due.member_id for due in dues if due.member_id}
        rostered = {
            self.member("s1", r).pk for r in ("police", "aux", "guard_a", "guard_b", "community")
        }
        self.assertTrue(rostered <= members)
        self.assertNotIn(self.member("s1", "volunteer").pk, members)
        leaders = {due.user_id for due in dues if due.user_id}
        self.assertEqual(
            leaders, {self.users[p].pk for p in ("principal1", "officer1", "principal2")}
        )
        digest = Notification.objects.get(kind="roster_digest", user=self.users["principal1"])
        self.assertIn("07:10", digest.body)
        self.assertIn("S1guard_a", digest.body)
        police_sms = Notification.objects.get(
            kind="roster_digest", member=self.member("s1", "police")
        )
        self.assertEqual(police_sms.body.count("\n"), 1)  # morning and afternoon

    def test_a_member_of_two_districts_hears_once_from_the_first(self):
        """Fanned out, each part sends the members whose first district is its own,
        with every shift of theirs; the other part still lists them to its leaders."""
        member = self.member("s1", "police")
        _post, morning, _afternoon = self.posts["s2"]
        Shift.objects.create(post_period=morning, school=self.s2, member=member, date=TODAY)
        first, second = sorted((self.s1.district_id, self.s2.district_id))
        kind = KINDS["roster_digest"]
        mine = {
            district: [d for d in kind.sweep_districts(at(6, 30), [district]) if d.member_id]
            for district in (first, second)
        }
        [theirs] = [due for due in mine[first] if due.member_id == member.pk]
        self.assertEqual(
            sorted((s["school"], s["start"]) for s in theirs.params["shifts"]),
            sorted([(self.s1.name, "07:10"), (self.s1.name, "16:30"), (self.s2.name, "07:10")]),
        )
        self.assertNotIn(member.pk, {due.member_id for due in mine[second]})
        leaders = kind.sweep_districts(at(6, 30), [second])
        listed = [
            shift["member"]
            for due in leaders
            if due.school_id == self.s2.pk
            for shift in due.params["shifts"]
        ]
        self.assertIn(member.name, listed)
        # Together the parts say what the whole city's sweep says to members.
        whole = {d.member_id: d.params for d in kind.sweep(at(6, 30)) if d.member_id}
        parts = {
            due.member_id: due.params
            for district in District.objects.values_list("pk", flat=True)
            for due in kind.sweep_districts(at(6, 30), [district])
            if due.member_id
        }
        self.assertEqual(parts, whole)

    def test_roster_gaps_go_to_the_principal(self):
        dues = sweep("roster_gaps", at(15, 0))
        mine = [due for due in dues if due.user_id == self.users["principal1"].pk]
        [due] = mine
        # The afternoon roster is 75% qualified on each of the 5 school days ahead.
        self.assertEqual(len(due.params["problems"]), 5)
        self.assertNotIn(self.users["officer1"].pk, {d.user_id for d in dues})


class MemberReminderTests(PostsWorldTestCase):
    def test_certificates_expiring_or_expired_go_to_whoever_verifies(self):
        guard_b = self.member("s1", "guard_b")
        guard_b.guard_certificate_expiry = TODAY + datetime.timedelta(days=10)
        guard_b.save()
        dues = sweep("certificate_expiry", at(8, 0))
        s1 = [
            due
            for due in dues
            if due.subject
            in (f"member:{guard_b.pk}", f"member:{self.member('s1', 'guard_expired').pk}")
        ]
        self.assertEqual(
            {(due.user_id, due.params["state"]) for due in s1},
            {
                (self.users["district1"].pk, "expiring"),
                (self.users["police1"].pk, "expiring"),
                (self.users["district1"].pk, "expired"),
                (self.users["police1"].pk, "expired"),
            },
        )
        # Renewed: a new expiry date is a new item when it comes due again.
        sweep("certificate_expiry", at(8, 0, TODAY + datetime.timedelta(days=1)))
        self.assertEqual(
            NotificationItem.objects.filter(
                kind="certificate_expiry", subject=f"member:{guard_b.pk}"
            ).count(),
            2,
        )

    def test_members_pending_for_more_than_three_days(self):
        volunteer = self.member("s1", "volunteer")
        self.assertEqual(
            [
                d
                for d in sweep("pending_verification", at(8, 0))
                if d.subject == f"member:{volunteer.pk}"
            ],
            [],
        )
        later = at(8, 0, TODAY + datetime.timedelta(days=4))
        dues = [
            d for d in sweep("pending_verification", later) if d.subject == f"member:{volunteer.pk}"
        ]
        self.assertEqual(
            {due.user_id for due in dues}, {self.users["district1"].pk, self.users["police1"].pk}
        )

    def test_a_verifier_holding_two_roles_is_told_once(self):
        both = UserFactory(username="both")
        assign(both, Role.DISTRICT_STAFF, self.d1)
        assign(both, Role.POLICE_LIAISON, self.p1)
        dues = sweep("certificate_expiry", at(8, 0))
        expired = self.member("s1", "guard_expired")
        mine = [d for d in dues if d.user_id == both.pk and d.subject == f"member:{expired.pk}"]
        self.assertEqual(len(mine), 1)
