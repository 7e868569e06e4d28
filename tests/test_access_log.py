"""The access log (PIPL): changes to members, assignments, decisions and roles, and every full
phone shown, with who and when, never an ID number or a phone in clear."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse

from accounts.choices import Role
from accounts.models import RoleAssignment
from campussafety.personal import mask_phone
from posts.models import Member, MemberAssignment
from tests.posts_pages import PostsPageTestCase
from tests.posts_world import TODAY, make_id_number
from tests.test_personal_data import edit_data


def entries_of(obj):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).order_by("pk")


def everything_logged() -> str:
    return " ".join(
        f"{e.changes} {e.changes_text} {e.object_repr} {e.serialized_data} {e.additional_data}"
        for e in LogEntry.objects.all()
    )


class ChangesAreLoggedTests(PostsPageTestCase):
    def test_registration_and_edits_name_the_actor_and_fields_without_personal_data(self):
        number = make_id_number("19900101")
        self.login("principal1")
        self.client.post(
            reverse("posts:member-add"),
            {
                "name": "钱七",
                "id_number": number,
                "kind": "community_worker",
                "school": self.s1.pk,
                "assignment_start": TODAY.isoformat(),
                "unit_kind": "community",
                "unit_name": "滨城区市中街道",
                "phone": "13912345678",
            },
        )
        member = Member.objects.get(name="钱七")
        [created] = entries_of(member)
        self.assertEqual(
            (created.action, created.actor, created.timestamp.date()),
            (LogEntry.Action.CREATE, self.principal1, TODAY),
        )
        self.assertNotIn("id_number_hash", created.changes)
        self.assertEqual(created.changes["phone"][1], mask_phone("13912345678"))
        [assignment] = member.assignments.all()
        self.assertEqual(entries_of(assignment).get().actor, self.principal1)

        self.client.post(
            reverse("posts:member-edit", args=[member.pk]),
            edit_data(member, phone="13700001111", badge_number="HX-77"),
        )
        changed = entries_of(member).last()
        self.assertEqual((changed.action, changed.actor), (LogEntry.Action.UPDATE, self.principal1))
        self.assertEqual(set(changed.changes), {"phone", "badge_number"})
        self.assertEqual(
            changed.changes["phone"], [mask_phone("13912345678"), mask_phone("13700001111")]
        )
        logged = everything_logged()
        for secret in (number, member.id_number_hash, "13912345678", "13700001111"):
            self.assertNotIn(secret, logged)

    def test_api_writes_name_the_token_user(self):
        guard = self.member("s1", "guard_a")
        answer = self.api("district1").patch(
            reverse("member-detail", args=[guard.pk]), {"badge_number": "API-1"}, format="json"
        )
        self.assertEqual(answer.status_code, 200)
        entry = entries_of(guard).filter(action=LogEntry.Action.UPDATE).get()
        self.assertEqual(
            (entry.actor, entry.changes["badge_number"]), (self.district1, ["", "API-1"])
        )

    def test_assignments_and_their_end(self):
        member = self.member("s1", "community")
        self.login("district1")
        self.client.post(
            reverse("posts:assignment-add", args=[member.pk]),
            {"school": self.k1.pk, "start_date": "2026-12-01"},
        )
        assignment = MemberAssignment.objects.get(member=member, school=self.k1)
        self.client.post(
            reverse("posts:assignment-end", args=[assignment.pk]), {"end_date": "2027-01-22"}
        )
        actions = list(entries_of(assignment).values_list("action", "actor__username"))
        self.assertEqual(
            actions, [(LogEntry.Action.CREATE, "district1"), (LogEntry.Action.UPDATE, "district1")]
        )
        self.assertEqual(entries_of(assignment).last().changes["end_date"], ["None", "2027-01-22"])

    def test_verification_decisions(self):
        volunteer = self.member("s1", "volunteer")
        self.login("police1")
        self.client.post(
            reverse("posts:member-verify", args=[volunteer.pk]),
            {"decision": "rejected", "reason": "证件不符", "seen": "pending"},
        )
        decisions = entries_of(volunteer).filter(action=LogEntry.Action.UPDATE)
        entry = decisions.get()
        self.assertEqual(entry.actor, self.police1)
        self.assertEqual(entry.changes["verification_status"], ["pending", "rejected"])
        self.assertEqual(entry.changes["rejection_reason"], ["", "证件不符"])
        # A decision that lost its race changed nothing and logs nothing.
        self.login("district1")
        self.client.post(
            reverse("posts:member-verify", args=[volunteer.pk]),
            {"decision": "verified", "seen": "pending"},
        )
        self.assertEqual(decisions.count(), 1)

    def test_role_assignments(self):
        assignment = RoleAssignment.objects.create(
            user=self.outsider, role=Role.PRINCIPAL, school=self.s2
        )
        self.assertEqual(entries_of(assignment).get().action, LogEntry.Action.CREATE)
        pk = assignment.pk
        assignment.delete()
        self.assertEqual(
            LogEntry.objects.filter(object_id=pk, action=LogEntry.Action.DELETE).count(), 1
        )


class PhoneViewsAreLoggedTests(PostsPageTestCase):
    def shown(self, persona):
        return set(
            LogEntry.objects.filter(
                action=LogEntry.Action.ACCESS, actor__username=persona
            ).values_list("object_id", flat=True)
        )

    def test_pages_log_each_full_phone_they_show(self):
        guard = self.member("s1", "guard_a")
        for persona, name, args in (
            ("principal1", "posts:members", []),
            ("officer1", "posts:member-detail", [guard.pk]),
            ("principal1", "posts:member-edit", [guard.pk]),
            ("police1", "posts:verify", []),
        ):
            with self.subTest(persona=persona, page=name):
                LogEntry.objects.all().delete()
                self.login(persona)
                page = self.client.get(reverse(name, args=args))
                self.assertEqual(page.status_code, 200)
                shown = self.shown(persona)
                self.assertTrue(shown)
                expected = {m.pk for m in self.members["s1"].values()}
                if name == "posts:verify":
                    expected = {self.member("s1", "volunteer").pk}
                elif args:
                    expected = {guard.pk}
                self.assertEqual(shown, expected)

    def test_masked_phones_are_not_logged(self):
        guard = self.member("s1", "guard_a")
        for persona in ("district1", "city"):
            self.login(persona)
            self.client.get(reverse("posts:members"))
            self.client.get(reverse("posts:member-detail", args=[guard.pk]))
            self.assertEqual(self.shown(persona), set())

    def test_api_answers_log_each_full_phone(self):
        guard = self.member("s1", "guard_a")
        self.api("police1").get(reverse("member-detail", args=[guard.pk]))
        self.assertEqual(self.shown("police1"), {guard.pk})
        self.api("principal1").get(reverse("member-list"))
        self.assertEqual(self.shown("principal1"), {m.pk for m in self.members["s1"].values()})
        self.api("district1").get(reverse("member-list"))
        self.assertEqual(self.shown("district1"), set())

    @override_settings(NUM_PROXIES=0)
    def test_the_address_is_the_one_the_deployment_trusts_and_no_client_header_is_kept(self):
        guard = self.member("s1", "guard_a")
        self.login("principal1")
        self.client.post(
            reverse("posts:member-edit", args=[guard.pk]),
            edit_data(guard, badge_number="IP"),
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            HTTP_X_CORRELATION_ID="x" * 300,
        )
        entry = entries_of(guard).last()
        self.assertEqual((entry.remote_addr, entry.cid), ("127.0.0.1", None))


class HistoryOnTheMemberPageTests(PostsPageTestCase):
    def test_bureau_staff_and_admins_see_it_others_do_not(self):
        guard = self.member("s1", "guard_a")
        self.login("principal1")
        self.client.post(
            reverse("posts:member-edit", args=[guard.pk]), edit_data(guard, badge_number="HX-55")
        )
        url = reverse("posts:member-detail", args=[guard.pk])
        for persona in ("district1", "city", "admin"):
            with self.subTest(persona=persona):
                self.login(persona)
                page = self.client.get(url)
                self.assertTrue(page.context["show_history"])
                entries = list(page.context["history"])
                self.assertIn(
                    (LogEntry.Action.UPDATE, self.principal1),
                    [(entry.action, entry.actor) for entry in entries],
                )
                self.assertContains(page, 'id="history"')
                self.assertContains(page, "HX-55")
        for persona in ("principal1", "officer1", "police1"):
            with self.subTest(persona=persona):
                self.login(persona)
                page = self.client.get(url)
                self.assertNotIn("history", page.context)
                self.assertNotContains(page, 'id="history"')
