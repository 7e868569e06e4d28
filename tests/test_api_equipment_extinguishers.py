"""The extinguisher check API (equipment/api_extinguishers.py): every persona, multi-role too.

The world of tests/test_api_equipment_checks.py (three extinguishers per
school), with an open check at S1, S2 and S3 and an autumn term in each city
so the default "extinguisher-monthly" rule has a November window.
"""

import time_machine
from django.urls import reverse

from equipment.models import ExtinguisherCheck
from inspections.models_hazards import Hazard
from schools.models import ObligationCompletion, Term
from tests.obligations_world import D, at, restore_default_rules
from tests.permissions import ActionChecks
from tests.test_api_equipment_checks import (
    REACH,
    SCHOOL_STAFF,
    WRITERS,
    ChecksAPITestCase,
)

NOW = at(D(2026, 11, 20), 10)


class ExtinguisherCheckAPITests(ActionChecks, ChecksAPITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        restore_default_rules()
        cls.checks = {}
        for key in ("s1", "s2", "s3"):
            school = getattr(cls, key)
            Term.objects.get_or_create(
                city_id=school.district.city_id,
                name="2026 秋季学期",
                defaults={"start_date": D(2026, 9, 1), "end_date": D(2027, 1, 22)},
            )
            cls.checks[key] = ExtinguisherCheck.objects.create(
                school=school,
                window_start=D(2026, 11, 1),
                window_end=D(2026, 11, 30),
                checked_by=cls.users[WRITERS[key]] if WRITERS[key] else cls.admin,
                started_at=NOW,
            )

    def url(self, name, key):
        return reverse(f"extinguishercheck-{name}", args=[self.checks[key].pk])

    def test_list_and_detail_in_scope_only(self):
        for persona, keys in REACH.items():
            with self.subTest(persona):
                client = self.api(persona)
                rows = client.get(reverse("extinguishercheck-list")).json()["results"]
                self.assertEqual({row["id"] for row in rows}, {self.checks[k].pk for k in keys})
                for key in ("s1", "s2", "s3"):
                    detail = client.get(self.url("detail", key))
                    self.assertEqual(detail.status_code, 200 if key in keys else 404)

    def test_start(self):
        def send(client, key):
            ExtinguisherCheck.objects.filter(school=getattr(self, key)).delete()
            with time_machine.travel(NOW, tick=False):
                return client.post(
                    reverse("extinguishercheck-list"), {"school": getattr(self, key).pk}
                )

        # A school outside the scope named in the request is a 400.
        self.check("start", send, SCHOOL_STAFF, foreign_status=400, allowed_status=201)

    def test_answer(self):
        self.check(
            "answer",
            lambda client, key: client.post(
                self.url("answer", key),
                {"item": self.extinguishers[key][0].pk, "passed": True},
            ),
            SCHOOL_STAFF,
            allowed_status=201,
        )

    def test_finish(self):
        # Nothing answered yet: those allowed are refused as invalid.
        self.check(
            "finish",
            lambda client, key: client.post(self.url("finish", key)),
            SCHOOL_STAFF,
            allowed_status=400,
        )

    def test_a_failure_files_a_hazard_and_the_finish_counts(self):
        client = self.api("principal1")
        pieces = self.extinguishers["s1"]
        failed = client.post(
            self.url("answer", "s1"), {"item": pieces[0].pk, "passed": False, "note": "铅封脱落"}
        )
        self.assertEqual(failed.status_code, 201, failed.content)
        self.assertEqual(Hazard.objects.filter(school=self.s1).count(), 1)
        # Another school's piece, or an answer with no reason for a failure: 400, nothing kept.
        other = client.post(
            self.url("answer", "s1"), {"item": self.extinguishers["s2"][0].pk, "passed": True}
        )
        self.assertEqual(other.status_code, 400)
        self.assertIn("item", other.json())
        bare = client.post(self.url("answer", "s1"), {"item": pieces[1].pk, "passed": False})
        self.assertEqual(bare.status_code, 400)
        for piece in pieces[1:]:
            client.post(self.url("answer", "s1"), {"item": piece.pk, "passed": True})
        with time_machine.travel(at(D(2026, 11, 20), 11), tick=False):
            done = client.post(self.url("finish", "s1"))
        self.assertEqual(done.status_code, 200, done.content)
        source = f"equipment.extinguishercheck:{self.checks['s1'].pk}"
        completion = ObligationCompletion.objects.get(source=source)
        self.assertEqual(completion.rule.code, "extinguisher-monthly")
