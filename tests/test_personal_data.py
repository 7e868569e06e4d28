"""Personal data: phones as the viewer may see them, ended assignments, and the ID-number oracle."""

import datetime

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import translation

from campussafety.personal import id_check_char, mask_phone, validate_id_number
from posts.choices import VerificationStatus
from posts.members import NOT_REGISTRABLE
from posts.models import Member, MemberAssignment
from reminders.models import Notification, NotificationItem
from tests.posts_pages import PostsPageTestCase, messages_of
from tests.posts_world import TODAY, make_id_number, make_member

YESTERDAY = TODAY - datetime.timedelta(days=1)


def edit_data(member, **changes):
    data = {
        "name": member.name,
        "id_number": "",
        "kind": member.kind,
        "unit_kind": member.unit_kind,
        "unit_name": member.unit_name,
        "phone": member.phone,
        "police_number": member.police_number,
        "guard_certificate_number": member.guard_certificate_number,
        "guard_certificate_expiry": (
            member.guard_certificate_expiry.isoformat() if member.guard_certificate_expiry else ""
        ),
        "badge_number": "HX-09",
        "is_active": "on",
    }
    data.update(changes)
    return data


class PhoneOnTheEditPageTests(PostsPageTestCase):
    def test_bureau_staff_see_the_phone_masked_and_keep_it_by_leaving_it(self):
        guard = self.member("s1", "guard_a")
        url = reverse("posts:member-edit", args=[guard.pk])
        for persona in ("district1", "city"):
            with self.subTest(persona=persona):
                self.login(persona)
                page = self.client.get(url)
                self.assertNotContains(page, guard.phone)
                self.assertContains(page, mask_phone(guard.phone))
                response = self.client.post(
                    url, edit_data(guard, phone=mask_phone(guard.phone), badge_number=persona)
                )
                self.assertRedirects(response, reverse("posts:member-detail", args=[guard.pk]))
                stored = Member.objects.get(pk=guard.pk)
                self.assertEqual((stored.phone, stored.badge_number), (guard.phone, persona))
        # A new number replaces it; a mangled mask is refused, not stored.
        self.client.post(url, edit_data(guard, phone="13700001111"))
        self.assertEqual(Member.objects.get(pk=guard.pk).phone, "13700001111")
        response = self.client.post(url, edit_data(guard, phone="137****9999"))
        self.assertIn("phone", response.context["form"].errors)

    def test_the_school_sees_and_edits_the_full_phone(self):
        guard = self.member("s1", "guard_a")
        self.login("principal1")
        page = self.client.get(reverse("posts:member-edit", args=[guard.pk]))
        self.assertContains(page, f'value="{guard.phone}"')

    def test_the_api_keeps_a_masked_phone_sent_back(self):
        guard = self.member("s1", "guard_a")
        url = reverse("member-detail", args=[guard.pk])
        answer = self.api("district1").patch(
            url, {"phone": mask_phone(guard.phone), "badge_number": "API"}, format="json"
        )
        self.assertEqual(answer.status_code, 200, answer.data)
        self.assertEqual(answer.data["phone"], mask_phone(guard.phone))
        self.assertEqual(Member.objects.get(pk=guard.pk).phone, guard.phone)


class EndedAssignmentTests(PostsPageTestCase):
    multi_role_personas = True

    def move(self, member, old, new):
        """The member left `old` yesterday and serves `new` from today."""
        MemberAssignment.objects.filter(member=member, school=old).update(end_date=YESTERDAY)
        return MemberAssignment.objects.create(member=member, school=new, start_date=TODAY)

    def test_the_old_school_no_longer_reads_edits_or_reassigns(self):
        guard = self.member("s1", "guard_a")
        self.move(guard, self.s1, self.s2)
        ended = MemberAssignment.objects.get(member=guard, school=self.s1)
        for persona in ("principal1", "officer1", "police1"):
            with self.subTest(persona=persona):
                self.assertFalse(Member.objects.for_user(self.users[persona]).filter(pk=guard.pk))
                self.assert_status(
                    persona, "get", reverse("posts:member-detail", args=[guard.pk]), 404
                )
                self.login(persona)
                listed = self.client.get(reverse("posts:members")).context["object_list"]
                self.assertNotIn(guard, listed)
                self.assertEqual(
                    self.api(persona).get(reverse("member-detail", args=[guard.pk])).status_code,
                    404,
                )
        self.assert_status("principal1", "get", reverse("posts:member-edit", args=[guard.pk]), 404)
        add = reverse("posts:assignment-add", args=[guard.pk])
        self.assert_status(
            "principal1", "post", add, 404, {"school": self.s1.pk, "start_date": "2026-12-01"}
        )
        api = self.api("principal1")
        answer = api.post(
            reverse("memberassignment-list"),
            {"member": guard.pk, "school": self.s1.pk, "start_date": "2026-12-01"},
            format="json",
        )
        self.assertEqual(answer.status_code, 400)
        # Reopening the ended assignment would re-assign the member too.
        answer = api.patch(
            reverse("memberassignment-detail", args=[ended.pk]), {"end_date": None}, format="json"
        )
        self.assertEqual(answer.status_code, 400)
        ended.refresh_from_db()
        self.assertEqual(ended.end_date, YESTERDAY)
        self.assertEqual(MemberAssignment.objects.filter(member=guard).count(), 2)
        # The new school reads them, phone and all; the old school's history keeps the row.
        self.login("principal2")
        page = self.client.get(reverse("posts:member-detail", args=[guard.pk]))
        self.assertContains(page, guard.phone)
        self.assertTrue(
            MemberAssignment.objects.for_user(self.users["principal1"]).filter(pk=ended.pk)
        )

    def test_an_ended_assignment_shows_no_phone(self):
        # district1_principal2 sees an S1 member as district staff, masked; that the member
        # once served S2, where they are principal, does not unmask the phone.
        guard = self.member("s2", "guard_a")
        self.move(guard, self.s2, self.s1)
        user = self.users["district1_principal2"]
        seen = Member.objects.for_user(user).with_phone_visibility(user).get(pk=guard.pk)
        self.assertFalse(seen.phone_visible)
        self.login("district1_principal2")
        page = self.client.get(reverse("posts:member-detail", args=[guard.pk]))
        self.assertNotContains(page, guard.phone)
        answer = self.api("district1_principal2").get(reverse("member-detail", args=[guard.pk]))
        self.assertEqual(answer.data["phone"], mask_phone(guard.phone))

    def test_an_assignment_ending_today_or_starting_later_still_reaches(self):
        guard = self.member("s1", "guard_a")
        MemberAssignment.objects.filter(member=guard).update(end_date=TODAY)
        self.assertTrue(Member.objects.for_user(self.users["principal1"]).filter(pk=guard.pk))
        MemberAssignment.objects.filter(member=guard).update(
            start_date=TODAY + datetime.timedelta(days=7), end_date=None
        )
        self.assertTrue(Member.objects.for_user(self.users["principal1"]).filter(pk=guard.pk))


class RegisteredElsewhereTests(PostsPageTestCase):
    def register(self, persona, number, school, **changes):
        self.login(persona)
        data = {
            "name": "王芳",
            "id_number": number,
            "kind": "community_worker",
            "school": school.pk,
            "assignment_start": TODAY.isoformat(),
            "unit_kind": "community",
            "unit_name": "滨城区市中街道",
            "phone": "13912345678",
            **changes,
        }
        return self.client.post(reverse("posts:member-add"), data)

    def elsewhere(self):
        number = make_id_number("19880808")
        self.client.logout()
        existing = make_member("李四", self.s2)
        from campussafety.personal import hash_id_number

        Member.objects.filter(pk=existing.pk).update(id_number_hash=hash_id_number(number))
        existing.refresh_from_db()
        return number, existing

    def test_a_number_registered_at_another_school_gets_the_neutral_answer(self):
        number, existing = self.elsewhere()
        response = self.register("principal1", number, self.s1)
        errors = response.context["form"].errors["id_number"]
        self.assertEqual(errors, [str(NOT_REGISTRABLE)])
        self.assertContains(response, str(NOT_REGISTRABLE))
        self.assertNotContains(response, "already registered")
        self.assertNotContains(response, "已经登记")
        self.assertNotContains(response, number)
        self.assertNotContains(response, existing.id_number_masked)
        # District 1's staff, who resolve transfers, are told who and where; once a day.
        told = NotificationItem.objects.filter(kind="registered_elsewhere")
        self.assertEqual(
            list(told.values_list("user__username", "subject")),
            [("district1", f"member:{existing.pk}")],
        )
        self.assertEqual(told.get().params["school"], self.s1.name)
        self.register("principal1", number, self.s1)
        self.assertEqual(told.count(), 1)
        self.assertFalse(Member.objects.filter(name="王芳").exists())
        # The district's inbox says which school tried, with the member's masked number.
        self.login("district1")
        inbox = self.client.get(reverse("reminders:inbox"))
        self.assertContains(inbox, existing.id_number_masked)
        self.assertContains(inbox, self.s2.name)
        self.assertNotContains(inbox, number)
        # A member of another district is not on district 1's pages: no link to a 404.
        self.assertNotContains(inbox, reverse("posts:member-detail", args=[existing.pk]))

    def test_within_the_district_the_notice_links_the_member(self):
        number, existing = self.elsewhere()
        MemberAssignment.objects.create(member=existing, school=self.k1, start_date=TODAY)
        MemberAssignment.objects.filter(member=existing, school=self.s2).update(end_date=YESTERDAY)
        self.register("principal1", number, self.s1)
        self.login("district1")
        inbox = self.client.get(reverse("reminders:inbox"))
        self.assertContains(inbox, reverse("posts:member-detail", args=[existing.pk]))

    def test_the_api_answers_the_same(self):
        number, existing = self.elsewhere()
        answer = self.api("principal1").post(
            reverse("member-list"),
            {
                "name": "王芳",
                "id_number": number,
                "kind": "community_worker",
                "school": self.s1.pk,
                "unit_kind": "community",
                "unit_name": "滨城区市中街道",
                "phone": "13912345678",
            },
            format="json",
        )
        self.assertEqual(answer.status_code, 400)
        self.assertEqual(answer.data["id_number"], [str(NOT_REGISTRABLE)])
        self.assertTrue(
            Notification.objects.filter(kind="registered_elsewhere", user=self.district1)
        )

    def test_a_duplicate_the_user_can_see_keeps_its_precise_message(self):
        number, existing = self.elsewhere()
        response = self.register("principal2", number, self.s2)
        error = response.context["form"].errors["id_number"][0]
        self.assertNotEqual(error, str(NOT_REGISTRABLE))
        self.assertTrue("already registered" in error or "已经登记" in error, error)
        self.assertFalse(Notification.objects.filter(kind="registered_elsewhere").exists())


class RegistrationFormTests(PostsPageTestCase):
    def test_an_invalid_form_keeps_what_was_typed_but_the_id_number(self):
        number = make_id_number("19900101")
        self.login("principal1")
        response = self.client.post(
            reverse("posts:member-add"),
            {
                "name": "赵六",
                "id_number": number,
                "kind": "security_guard",
                "school": self.s1.pk,
                "assignment_start": TODAY.isoformat(),
                "unit_kind": "security_company",
                "unit_name": "滨州市保安服务有限公司",
                "phone": "13912345678",
                # A guard without a certificate: a validation error elsewhere.
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        for typed in ("赵六", "滨州市保安服务有限公司", "13912345678"):
            self.assertContains(response, f'value="{typed}"')
        self.assertNotContains(response, number)
        self.assertContains(response, "请重新输入身份证号码：页面从不保留该号码。")

    def test_the_name_label_is_the_full_name(self):
        self.login("principal1")
        form = self.client.get(reverse("posts:member-add")).context["form"]
        with translation.override("zh-hans"):
            self.assertEqual(str(form.fields["name"].label), "姓名")


class VerificationConflictTests(PostsPageTestCase):
    def test_a_second_decision_on_the_page_is_a_message_not_an_error(self):
        volunteer = self.member("s1", "volunteer")
        url = reverse("posts:member-verify", args=[volunteer.pk])
        # Both saw the member pending; police1 decides first.
        self.login("police1")
        self.client.post(
            url, {"decision": "rejected", "reason": "证件不符", "seen": "pending"}, follow=True
        )
        self.login("district1")
        response = self.client.post(url, {"decision": "verified", "seen": "pending"}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([m.level_tag for m in messages_of(response)], ["error"])
        volunteer.refresh_from_db()
        self.assertEqual(
            (volunteer.verification_status, volunteer.verified_by),
            (VerificationStatus.REJECTED, self.police1),
        )

    def test_the_buttons_send_what_the_page_showed(self):
        self.login("district1")
        page = self.client.get(reverse("posts:verify"))
        self.assertContains(page, 'name="seen" value="pending"', count=2)


class IdNumberValidationTests(SimpleTestCase):
    def test_only_ascii_digits_make_a_number(self):
        number = make_id_number("19900101")
        arabic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in number)
        with self.assertRaises(ValidationError) as refused:
            validate_id_number(arabic, today=TODAY)
        self.assertEqual(refused.exception.code, "id_format")

    def test_the_check_character_is_gb_11643s(self):
        # The published example of GB 11643-1999.
        self.assertEqual(id_check_char("11010519491231002"), "X")
        self.assertEqual(
            validate_id_number(" 11010519491231002x ", today=TODAY), "11010519491231002X"
        )
