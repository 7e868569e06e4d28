"""The monthly extinguisher check: start, one answer per extinguisher, finish.

The world of tests/test_equipment_checks.py: S1 holds five dry-powder
extinguishers on its floor and a radio; S2 one extinguisher. City A's autumn
term gives the default "extinguisher-monthly" rule a November window at S1.
"""

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.scope import OutOfScope
from equipment import extinguishers
from equipment.choices import ItemStatus, MovementKind
from equipment.models import ExtinguisherAnswer, ExtinguisherCheck, Movement
from equipment.services import record
from inspections.models_hazards import Hazard
from schools.choices import HazardCategory, WindowStatus
from schools.models import ObligationCompletion, ObligationRule
from schools.obligations import due_windows
from tests.obligations_world import D, at
from tests.test_equipment_checks import ChecksWorldTestCase

NOW = at(D(2026, 11, 20), 10)


class ExtinguisherCheckTests(ChecksWorldTestCase):
    def start(self, user=None):
        return extinguishers.start_check(user or self.officer1, self.s1, now=NOW)

    def answer_all(self, check, failed=()):
        for item in self.extinguishers:
            extinguishers.answer(
                self.officer1,
                check,
                item,
                passed=item not in failed,
                note="压力表指针在红区" if item in failed else "",
            )

    def test_a_finished_check_counts_towards_the_month(self):
        check = self.start()
        self.assertEqual((check.window_start, check.window_end), (D(2026, 11, 1), D(2026, 11, 30)))
        self.answer_all(check)
        extinguishers.finish_check(self.officer1, check, now=at(D(2026, 11, 20), 11))
        rule = ObligationRule.objects.get(code="extinguisher-monthly", city=None)
        completion = ObligationCompletion.objects.get(rule=rule)
        self.assertEqual(completion.source, f"equipment.extinguishercheck:{check.pk}")
        [window] = due_windows(
            [self.s1.pk], D(2026, 11, 20), D(2026, 11, 20), now=NOW, codes=[rule.code]
        )
        self.assertEqual(window.status, WindowStatus.DONE)

    def test_a_failed_answer_marks_the_piece_faulty_and_files_one_hazard(self):
        check = self.start()
        bad = self.extinguishers[0]
        result = extinguishers.answer(
            self.officer1, check, bad, passed=False, note="压力表指针在红区"
        )
        bad.refresh_from_db()
        self.assertEqual(bad.status, ItemStatus.FAULTY)
        self.assertTrue(Movement.objects.filter(item=bad, kind=MovementKind.FAILED).exists())
        [hazard] = Hazard.objects.all()
        self.assertEqual(hazard.origin_ref, f"equipment.extinguisheranswer:{result.pk}")
        self.assertEqual(hazard.category, HazardCategory.FIRE)
        self.assertEqual(hazard.school_id, self.s1.pk)
        # Answering the same piece again is refused; still one hazard.
        with self.assertRaises(ValidationError):
            extinguishers.answer(self.officer1, check, bad, passed=False, note="again")
        self.assertEqual(Hazard.objects.count(), 1)

    def test_a_piece_out_of_use_does_not_hold_up_the_finish(self):
        record(self.officer1, MovementKind.FAILED, item=self.extinguishers[4], reason="漏粉")
        check = self.start()
        for item in self.extinguishers[:4]:
            extinguishers.answer(self.officer1, check, item, passed=True)
        extinguishers.finish_check(self.officer1, check, now=at(D(2026, 11, 20), 11))
        self.assertEqual(
            ObligationCompletion.objects.filter(rule__code="extinguisher-monthly").count(), 1
        )

    def test_refusals(self):
        check = self.start()
        with self.assertRaises(ValidationError):
            self.start()  # one open check per school
        with self.assertRaises(ValidationError) as failed:
            extinguishers.answer(self.officer1, check, self.extinguishers[0], passed=False)
        self.assertIn("note", failed.exception.error_dict)
        for other in (self.s2_extinguisher, self.radio):
            with self.assertRaises(ValidationError) as wrong:
                extinguishers.answer(self.officer1, check, other, passed=True)
            self.assertIn("item", wrong.exception.error_dict)
        with self.assertRaises(ValidationError):
            extinguishers.finish_check(self.officer1, check)  # nothing answered yet
        with self.assertRaises(OutOfScope):
            extinguishers.answer(self.police1, check, self.extinguishers[0], passed=True)
        self.assertFalse(ExtinguisherAnswer.objects.exists())
        self.assertFalse(ObligationCompletion.objects.exists())

    def test_answering_one_piece_takes_a_fixed_number_of_queries(self):
        check = self.start()
        counts = []
        for item, passed in zip(self.extinguishers[:4], (True, True, False, False), strict=True):
            with CaptureQueriesContext(connection) as captured:
                extinguishers.answer(self.officer1, check, item, passed=passed, note="坏")
            counts.append(len(captured))
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(counts[2], counts[3])
        # Passed: the piece's check, the answer and the scope; failed adds the ledger's
        # movement and balance and the hazard ledger's filing, still per piece.
        self.assertEqual(counts, [6, 6, 24, 24])


class ExtinguisherPageTests(ChecksWorldTestCase):
    def test_start_answer_by_the_item_page_and_finish(self):
        self.client.force_login(self.officer1)
        page_url = reverse("equipment-checks:extinguishers", args=[self.s1.pk])
        page = self.client.get(page_url)
        start_url = reverse("equipment-checks:extinguishers-start", args=[self.s1.pk])
        self.assertContains(page, f'action="{start_url}"')
        with time_machine.travel(NOW, tick=False):
            self.client.post(start_url)
        check = ExtinguisherCheck.objects.get(school=self.s1, finished_at=None)
        # Scanning a piece's code opens its page, which offers the answer.
        item_url = reverse("equipment:item", args=[self.extinguishers[0].pk])
        self.assertContains(self.client.get(item_url), 'id="extinguisher-check"')
        answer_url = reverse(
            "equipment-checks:extinguisher-answer", args=[self.extinguishers[0].pk]
        )
        response = self.client.post(
            answer_url, {"passed": "0", "note": "喷管老化", "next": item_url}
        )
        self.assertRedirects(response, item_url)
        self.assertEqual(Hazard.objects.count(), 1)
        for item in self.extinguishers[1:]:
            self.client.post(
                reverse("equipment-checks:extinguisher-answer", args=[item.pk]), {"passed": "1"}
            )
        self.assertEqual(check.answers.count(), 5)
        with time_machine.travel(at(D(2026, 11, 20), 11), tick=False):
            self.client.post(reverse("equipment-checks:extinguishers-finish", args=[check.pk]))
        check.refresh_from_db()
        self.assertIsNotNone(check.finished_at)
        self.assertEqual(ObligationCompletion.objects.count(), 1)
        self.assertContains(self.client.get(page_url), "list-group-item small")

    def test_out_of_scope_is_404_and_bad_input_saves_nothing(self):
        check = extinguishers.start_check(self.officer1, self.s1, now=NOW)
        self.client.force_login(self.officer1)
        for url in (
            reverse("equipment-checks:extinguishers", args=[self.s2.pk]),
            reverse("equipment-checks:extinguisher-answer", args=[self.s2_extinguisher.pk]),
        ):
            method = self.client.get if url.endswith("extinguishers/") else self.client.post
            self.assertEqual(method(url, {"passed": "1"}).status_code, 404)
        self.client.force_login(self.principal2)
        self.assertEqual(
            self.client.post(
                reverse("equipment-checks:extinguishers-finish", args=[check.pk])
            ).status_code,
            404,
        )
        self.client.force_login(self.officer1)
        answer_url = reverse(
            "equipment-checks:extinguisher-answer", args=[self.extinguishers[0].pk]
        )
        self.client.post(answer_url, {"passed": "maybe"})
        self.client.post(answer_url, {"passed": "0", "note": ""})
        self.assertFalse(ExtinguisherAnswer.objects.exists())
        # A read-only persona over the school sees the list but cannot answer.
        self.client.force_login(self.police1)
        self.assertEqual(
            self.client.get(
                reverse("equipment-checks:extinguishers", args=[self.s1.pk])
            ).status_code,
            200,
        )
        self.client.post(answer_url, {"passed": "1"})
        self.assertFalse(ExtinguisherAnswer.objects.exists())
