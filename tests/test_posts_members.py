"""The member registry: ID numbers, masking, duplicates, verification, qualification."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, override_settings

from campussafety import personal
from posts.models import Member, MemberAssignment
from tests.posts_world import TODAY, PostsWorldTestCase, make_id_number

VALID = "371602198503121231"


class IdNumberTests(SimpleTestCase):
    def test_a_valid_number(self):
        self.assertEqual(
            personal.validate_id_number(" 37160219850312123x ".replace("x", "1")), VALID
        )

    def test_an_x_check_character_is_normalised(self):
        base = "11010519491231002"
        number = base + personal.id_check_char(base)
        self.assertEqual(number[-1], "X")
        self.assertEqual(personal.validate_id_number(number.lower()), number)

    def test_invalid_numbers_are_refused_without_repeating_them(self):
        cases = {
            "short": "37160219850312123",
            "letters": "3716021985031212AB",
            "checksum": "371602198503121232",
            "no such day": "371602198502301234",
            "future": "371602209901011234",
            "too old": "371602180001011234",
        }
        for name, number in cases.items():
            with self.subTest(name), self.assertRaises(ValidationError) as caught:
                personal.validate_id_number(number)
            self.assertNotIn(number, str(caught.exception.messages))

    def test_masking(self):
        self.assertEqual(personal.mask_id_number(VALID), "371***********1231")
        self.assertEqual(personal.mask_phone("13812345678"), "138****5678")
        self.assertEqual(personal.mask_phone("0543-3161234"), "054*****1234")

    def test_the_hash_is_keyed(self):
        first = personal.hash_id_number(VALID)
        self.assertEqual(first, personal.hash_id_number(VALID.lower()))
        self.assertNotIn(VALID, first)
        with override_settings(ID_NUMBER_HASH_KEY="another-key"):
            self.assertNotEqual(personal.hash_id_number(VALID), first)

    def test_phones(self):
        for good in ("13812345678", "0543-3161234", "05433161234"):
            self.assertTrue(personal.validate_phone(good))
        for bad in ("12812345678", "1381234567", "phone"):
            with self.subTest(bad), self.assertRaises(ValidationError):
                personal.validate_phone(bad)


class MemberAPITests(PostsWorldTestCase):
    url = "/api/v1/members/"

    def payload(self, **overrides):
        return {
            "name": "张伟",
            "kind": "security_guard",
            "unit_kind": "security_company",
            "unit_name": "滨州市保安服务有限公司",
            "phone": "13912345678",
            "id_number": make_id_number("19900101"),
            "guard_certificate_number": "BA-2026-0099",
            "guard_certificate_expiry": "2028-12-31",
            "school": self.s1.pk,
            **overrides,
        }

    def test_registering_a_member_assigns_them_and_never_returns_the_id_number(self):
        payload = self.payload()
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("tests").debug("start")
            response = self.api("principal1").post(self.url, payload, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.content.decode()
        self.assertNotIn(payload["id_number"], body)
        self.assertNotIn(payload["id_number"], "\n".join(logs.output))
        data = response.json()
        self.assertEqual(data["id_number_masked"], personal.mask_id_number(payload["id_number"]))
        self.assertEqual(data["verification_status"], "pending")
        self.assertEqual(data["schools"], [self.s1.pk])
        self.assertFalse(data["is_qualified_today"])
        member = Member.objects.get(pk=data["id"])
        stored = " ".join(str(getattr(member, f.attname)) for f in Member._meta.concrete_fields)
        self.assertNotIn(payload["id_number"], stored)

    def test_the_same_person_cannot_be_registered_twice(self):
        payload = self.payload()
        self.api("principal1").post(self.url, payload, format="json")
        again = self.api("principal2").post(
            self.url, {**payload, "school": self.s2.pk, "name": "张伟伟"}, format="json"
        )
        self.assertEqual(again.status_code, 400)
        self.assertIn("id_number", again.json())
        self.assertNotIn(payload["id_number"], again.content.decode())
        self.assertEqual(Member.objects.filter(name__startswith="张伟").count(), 1)

    def test_bad_input_is_refused_and_nothing_is_saved(self):
        before = (Member.objects.count(), MemberAssignment.objects.count())
        cases = {
            "id_number": {"id_number": "371602198503121232"},
            "phone": {"phone": "123"},
            "guard_certificate_number": {"guard_certificate_number": ""},
            "police_number": {"kind": "police", "unit_kind": "police_station"},
            "school": {"school": self.s2.pk},
            "kind": {"kind": "soldier"},
        }
        for field, override in cases.items():
            with self.subTest(field):
                response = self.api("principal1").post(
                    self.url, self.payload(**override), format="json"
                )
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json())
        missing_school = self.payload()
        del missing_school["school"]
        response = self.api("principal1").post(self.url, missing_school, format="json")
        self.assertIn("school", response.json())
        self.assertEqual((Member.objects.count(), MemberAssignment.objects.count()), before)

    def test_phones_are_shown_in_full_only_to_the_school_and_its_police(self):
        member = self.member("s1", "guard_a")
        for persona, full in (
            ("principal1", True),
            ("officer1", True),
            ("police1", True),
            ("district1", False),
            ("city", False),
        ):
            with self.subTest(persona):
                data = self.api(persona).get(f"{self.url}{member.pk}/").json()
                self.assertEqual(data["phone"] == member.phone, full)
                if not full:
                    self.assertEqual(data["phone"], personal.mask_phone(member.phone))
                self.assertNotIn("id_number", data)

    def test_verification_by_district_staff_and_police(self):
        volunteer = self.member("s1", "volunteer")
        url = f"{self.url}{volunteer.pk}/verify/"
        self.assertEqual(
            self.api("principal1").post(url, {"decision": "verified"}).status_code, 403
        )
        self.assertEqual(self.api("district2").post(url, {"decision": "verified"}).status_code, 404)
        refused = self.api("police1").post(url, {"decision": "rejected"})
        self.assertEqual(refused.status_code, 400)
        self.assertIn("reason", refused.json())
        response = self.api("police1").post(
            url, {"decision": "rejected", "reason": "身份证与本人不符"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["verification_status"], "rejected")
        response = self.api("district1").post(url, {"decision": "verified"})
        data = response.json()
        self.assertEqual(data["verification_status"], "verified")
        self.assertEqual(data["verified_by"], self.users["district1"].pk)
        self.assertEqual(data["rejection_reason"], "")

    def test_changing_who_a_member_is_needs_a_new_verification(self):
        guard = self.member("s1", "guard_a")
        url = f"{self.url}{guard.pk}/"
        response = self.api("principal1").patch(url, {"badge_number": "HX-01"}, format="json")
        self.assertEqual(response.json()["verification_status"], "verified")
        response = self.api("principal1").patch(
            url, {"guard_certificate_expiry": "2030-01-01"}, format="json"
        )
        self.assertEqual(response.json()["verification_status"], "pending")

    def test_the_verification_queue(self):
        response = self.api("district1").get(self.url, {"verification_status": "pending"})
        names = {row["name"] for row in response.json()["results"]}
        self.assertEqual(names, {"S1volunteer"})


class QualificationTests(PostsWorldTestCase):
    def test_who_is_qualified(self):
        members = self.members["s1"]
        expected = {
            "police": True,
            "aux": True,
            "guard_a": True,
            "guard_b": True,
            "guard_expired": False,
            "community": False,
            "volunteer": False,
        }
        for role, qualified in expected.items():
            with self.subTest(role):
                self.assertEqual(members[role].is_qualified_on(TODAY), qualified)
        in_db = set(
            Member.objects.filter(
                Member.qualified_condition(day=TODAY), name__startswith="S1"
            ).values_list("name", flat=True)
        )
        self.assertEqual(in_db, {f"S1{r}" for r, q in expected.items() if q})

    def test_a_certificate_is_valid_through_its_expiry_day(self):
        guard_b = self.member("s1", "guard_b")
        self.assertTrue(guard_b.is_qualified_on(datetime.date(2027, 3, 31)))
        self.assertFalse(guard_b.is_qualified_on(datetime.date(2027, 4, 1)))
