"""Member pages: the registry, registration, assignments and verification."""

import datetime

from django.core.files.base import ContentFile
from django.urls import reverse

from campussafety.personal import hash_id_number, mask_id_number, mask_phone
from posts.choices import VerificationStatus
from posts.models import (
    Member,
    MemberAssignment,
)
from tests.base import LAYOUT_QUERIES
from tests.photos import jpeg
from tests.posts_pages import (
    D,
    PostsPageTestCase,
    png,
    temporary_media,
)
from tests.posts_world import NOW, TODAY, make_id_number, make_member


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
        # with schools. The school filter is a search: no query for its choices;
        # the district filter's choices, one.
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

    def test_the_school_is_chosen_by_search_not_from_a_list_of_every_school(self):
        self.login("district1")
        response = self.client.get(reverse("posts:member-add"))
        field = response.context["form"]["school"]
        html = str(field)
        self.assertIn(f'data-search-url="{reverse("schools:search")}"', html)
        # The blank choice alone: no school of the district is written into the page.
        self.assertEqual(html.count("<option"), 1)
        self.assertNotContains(response, self.s1.name)
        # Sent back with an error, the chosen school stays chosen.
        data = self.data(school=self.s1.pk, phone="123")
        again = self.client.post(reverse("posts:member-add"), data)
        self.assertIn("phone", again.context["form"].errors)
        self.assertIn(f'value="{self.s1.pk}" selected', str(again.context["form"]["school"]))

    def test_a_further_school_is_chosen_by_search_on_the_members_page(self):
        self.login("principal1")
        self.client.post(reverse("posts:member-add"), self.data())
        member = Member.objects.get(name="张伟")
        self.login("district1")
        page = self.client.get(reverse("posts:member-detail", args=[member.pk]))
        field = str(page.context["assignment_form"]["school"])
        self.assertIn(f'data-search-url="{reverse("schools:search")}"', field)
        self.assertEqual(field.count("<option"), 1)
        response = self.client.post(
            reverse("posts:assignment-add", args=[member.pk]),
            {"school": self.k1.pk, "start_date": TODAY.isoformat()},
        )
        self.assertEqual(response.status_code, 302)
        self.assertIn(self.k1.pk, member.assignments.values_list("school", flat=True))

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

    def test_the_queue_shows_the_photo_and_the_certificate(self):
        self.enterContext(temporary_media(self))
        guard = make_member(
            "待核保安",
            self.s1,
            kind="security_guard",
            pending=True,
            guard_certificate_number="鲁保安2023000123",
            guard_certificate_expiry=datetime.date(2026, 11, 1),
        )
        guard.photo.save("guard.jpg", ContentFile(jpeg()))
        self.login("district1")
        response = self.client.get(reverse("posts:verify"))
        # The photo through the scope-checked media view, which serves it.
        self.assertContains(response, f'src="{guard.photo.url}"')
        self.assertTrue(guard.photo.url.startswith("/media/members/"))
        self.assertEqual(self.client.get(guard.photo.url).status_code, 200)
        # The certificate: its kind, its number masked, its expiry (passed).
        self.assertContains(response, "保安员证")
        self.assertContains(response, mask_phone("鲁保安2023000123"))
        self.assertNotContains(response, "鲁保安2023000123")
        self.assertContains(response, "2026年11月1日")
        self.assertContains(response, "已过期")
        # A member without a photo says so.
        self.assertContains(response, "无照片")

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
