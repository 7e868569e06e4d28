"""The kit confirmed at a shift handover, from the posts app's duty log page.

S1's post stands at its south gate, where S1 has a gatehouse (the nine-piece
guard kit, of which it holds all but the shield) and a protection booth; S2's
gate has no equipment place, so its duty log shows no kit slot.
"""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from equipment import handover
from equipment.models import EquipmentType, KitConfirmation, KitShortage, KitStandard, Location
from posts.models import DutyLog
from schools import hazards
from tests.base import LAYOUT_QUERIES
from tests.equipment_world import ensure_defaults, stock
from tests.posts_world import NOW, TODAY, PostsWorldTestCase

NINE = (
    "steel-fork",
    "stab-vest",
    "cut-gloves",
    "helmet",
    "shield",
    "rubber-baton",
    "pepper-spray",
    "torch",
    "radio",
)
HOUR = datetime.timedelta(hours=1)


class HandoverTestCase(PostsWorldTestCase):
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ensure_defaults()
        cls.types = {t.code: t for t in EquipmentType.objects.filter(city=None)}
        gate = cls.s1.gates.get()
        cls.gatehouse = Location.objects.create(
            school=cls.s1, kind="gatehouse", name="南门门卫室", gate=gate
        )
        cls.booth = Location.objects.create(
            school=cls.s1, kind="protection_booth", name="南门护学岗亭", gate=gate
        )
        for code in NINE:
            if code != "shield":
                stock(cls.principal1, cls.gatehouse, cls.types[code])
        cls.logs = {
            key: DutyLog.objects.create(
                school=getattr(cls, key),
                post_period=cls.posts[key][1],
                date=TODAY,
                period="morning",
            )
            for key in ("s1", "s2")
        }

    def log_url(self, key="s1"):
        return reverse("posts:log-detail", args=[self.logs[key].pk])

    def confirm_url(self, location=None):
        return reverse("equipment-checks:confirm-kit", args=[(location or self.gatehouse).pk])

    def missing_field(self, code):
        return f"missing_{self.types[code].pk}"


class KitAtGateTests(HandoverTestCase):
    def test_the_gates_places_with_the_kit_checked_at_handover(self):
        places = handover.kit_at_gate(self.officer1, self.s1.pk, self.s1.gates.get().pk)
        self.assertEqual([p.location for p in places], [self.gatehouse, self.booth])
        gatehouse = places[0]
        # The nine pieces only: the alarm, the recorder and the PA are not handed over.
        self.assertEqual(
            {line.equipment_type_id for line in gatehouse.lines},
            {self.types[code].pk for code in NINE},
        )
        held = {line.equipment_type_id: line.held for line in gatehouse.lines}
        self.assertEqual(held[self.types["shield"].pk], 0)
        self.assertEqual(held[self.types["steel-fork"].pk], 1)

    def test_the_query_count_does_not_grow_with_the_places(self):
        gate = self.s1.gates.get()
        handover.kit_at_gate(self.officer1, self.s1.pk, gate.pk)
        with self.assertNumQueries(7):
            handover.kit_at_gate(self.officer1, self.s1.pk, gate.pk)
        Location.objects.create(school=self.s1, kind="guard", name="南门值班保安", gate=gate)
        with self.assertNumQueries(7):
            handover.kit_at_gate(self.officer1, self.s1.pk, gate.pk)


class DutyLogSlotTests(HandoverTestCase):
    def test_school_staff_confirm_in_one_tap_from_the_duty_log(self):
        self.client.force_login(self.officer1)
        page = self.client.get(self.log_url())
        self.assertContains(page, "南门门卫室")
        self.assertContains(page, self.confirm_url())
        response = self.client.post(
            self.confirm_url(),
            {"complete": "1", "next": self.log_url(), "ref": f"posts.dutylog:{self.logs['s1'].pk}"},
        )
        self.assertRedirects(response, self.log_url())
        confirmation = KitConfirmation.objects.get()
        self.assertTrue(confirmation.is_complete)
        self.assertEqual(confirmation.handover_ref, f"posts.dutylog:{self.logs['s1'].pk}")
        self.assertEqual(confirmation.confirmed_by, self.officer1)

    def test_a_missing_piece_is_named_and_shows_on_the_log(self):
        self.client.force_login(self.principal1)
        self.client.post(
            self.confirm_url(),
            {self.missing_field("shield"): "1", self.missing_field("torch"): "", "next": "/"},
        )
        confirmation = KitConfirmation.objects.get()
        self.assertFalse(confirmation.is_complete)
        [shortage] = confirmation.shortages.all()
        self.assertEqual((shortage.equipment_type, shortage.missing), (self.types["shield"], 1))
        page = self.client.get(self.log_url())
        self.assertContains(page, "table-danger")

    def test_bad_counts_are_refused_and_save_nothing(self):
        self.client.force_login(self.officer1)
        for data in (
            {self.missing_field("shield"): "2"},
            {f"missing_{self.types['extinguisher-co2'].pk}": "1"},
            {self.missing_field("shield"): "many"},
        ):
            with self.subTest(data):
                response = self.client.post(self.confirm_url(), {**data, "next": self.log_url()})
                self.assertRedirects(response, self.log_url())
        self.assertFalse(KitConfirmation.objects.exists())

    def test_a_gate_without_places_has_no_slot_and_readers_get_no_buttons(self):
        self.client.force_login(self.principal2)
        self.assertNotContains(self.client.get(self.log_url("s2")), "kit-handover")
        self.client.force_login(self.police1)
        page = self.client.get(self.log_url())
        self.assertContains(page, "kit-handover")
        self.assertNotContains(page, self.confirm_url())

    def test_who_may_confirm(self):
        expected = {
            "officer1": 302,
            "principal1": 302,
            "principal1_police2": 302,
            "admin": 302,
            "police1": 403,
            "district1": 403,
            "district1_principal2": 403,
            "principal2": 404,
            "police2": 404,
            "outsider": 404,
        }
        for persona, status in expected.items():
            with self.subTest(persona):
                self.client.force_login(self.users[persona])
                response = self.client.post(self.confirm_url(), {"complete": "1"})
                self.assertEqual(response.status_code, status)
        self.assertEqual(KitConfirmation.objects.count(), 4)

    def test_an_outside_next_address_is_not_followed(self):
        self.client.force_login(self.officer1)
        response = self.client.post(
            self.confirm_url(), {"complete": "1", "next": "https://evil.example/"}
        )
        self.assertRedirects(
            response,
            reverse("equipment-checks:school", args=[self.s1.pk]),
            fetch_redirect_response=False,
        )

    def test_the_log_page_costs_a_fixed_number_of_queries_for_its_slot(self):
        self.client.force_login(self.officer1)
        self.client.get(self.log_url())
        # The log page's own 7 (tests/test_pages_posts_dutylogs.py), then the
        # slot's: the kit at the gate (7, handover.kit_at_gate) and whether the
        # user may confirm there (1).
        with self.assertNumQueries(7 + 8 + LAYOUT_QUERIES):
            self.client.get(self.log_url())
        handover.confirm_kit(self.officer1, self.gatehouse, {self.types["shield"].pk: 1})
        handover.confirm_kit(self.officer1, self.booth, {})
        with self.assertNumQueries(7 + 8 + LAYOUT_QUERIES):
            self.client.get(self.log_url())


class ShortageLifecycleTests(HandoverTestCase):
    def test_naming_it_again_keeps_one_shortage_and_its_clock(self):
        shield = self.types["shield"].pk
        first = handover.confirm_kit(self.officer1, self.gatehouse, {shield: 1}, now=NOW)
        handover.confirm_kit(self.officer1, self.gatehouse, {shield: 1}, now=NOW + HOUR)
        [shortage] = KitShortage.objects.open()
        self.assertEqual((shortage.confirmation, shortage.found_at), (first, NOW))

    def test_a_complete_kit_resolves_what_was_missing(self):
        shield = self.types["shield"].pk
        handover.confirm_kit(self.officer1, self.gatehouse, {shield: 1}, now=NOW)
        handover.confirm_kit(self.principal1, self.gatehouse, {}, now=NOW + HOUR)
        shortage = KitShortage.objects.get()
        self.assertEqual(
            (shortage.resolved_at, shortage.resolved_by), (NOW + HOUR, self.principal1)
        )

    def test_resolved_from_the_school_page(self):
        handover.confirm_kit(self.officer1, self.gatehouse, {self.types["shield"].pk: 1})
        shortage = KitShortage.objects.get()
        url = reverse("equipment-checks:resolve", args=[shortage.pk])
        self.client.force_login(self.police1)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.principal2)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.officer1)
        school = self.client.get(reverse("equipment-checks:school", args=[self.s1.pk]))
        self.assertContains(school, url)
        self.client.post(url)
        self.assertIsNotNone(KitShortage.objects.get().resolved_at)


class EscalationTests(HandoverTestCase):
    """A piece missing past the city's time opens one hazard (a stand-in ledger records them)."""

    def setUp(self):
        self.filed = []
        self.addCleanup(hazards.register, hazards._filer, hazards._bulk_filer)
        hazards.register(self.filed.append)

    def missing(self, code="shield", now=NOW):
        handover.confirm_kit(self.officer1, self.gatehouse, {self.types[code].pk: 1}, now=now)
        return KitShortage.objects.get(equipment_type=self.types[code])

    def test_past_two_hours_one_hazard_once(self):
        shortage = self.missing()
        self.assertEqual(handover.escalate_overdue(NOW + HOUR), [])
        self.assertEqual(len(handover.escalate_overdue(NOW + 2 * HOUR)), 1)
        self.assertEqual(handover.escalate_overdue(NOW + 3 * HOUR), [])
        [report] = self.filed
        self.assertEqual(report.origin, "handover")
        self.assertEqual(report.origin_ref, f"equipment.kitshortage:{shortage.pk}")
        self.assertEqual(report.school, self.s1)
        self.assertEqual(report.found_at, NOW)
        self.assertEqual(report.place, "南门门卫室")

    def test_a_piece_back_in_time_opens_nothing(self):
        self.missing()
        handover.confirm_kit(self.officer1, self.gatehouse, {}, now=NOW + HOUR)
        self.assertEqual(handover.escalate_overdue(NOW + 5 * HOUR), [])
        self.assertEqual(self.filed, [])

    def test_the_citys_standard_sets_the_time(self):
        KitStandard.objects.create(
            city=self.city_a, name="滨州市标准", source="市教育局", handover_resolve_hours=4
        )
        self.missing()
        self.assertEqual(handover.escalate_overdue(NOW + 3 * HOUR), [])
        self.assertEqual(len(handover.escalate_overdue(NOW + 4 * HOUR)), 1)

    def test_without_a_ledger_nothing_is_claimed_and_the_next_sweep_retries(self):
        self.missing()
        hazards._filer = None
        self.assertEqual(handover.escalate_overdue(NOW + 3 * HOUR), [])
        self.assertIsNone(KitShortage.objects.get().hazard_reported_at)
        hazards.register(self.filed.append)
        self.assertEqual(len(handover.escalate_overdue(NOW + 3 * HOUR)), 1)


class LedgerTests(HandoverTestCase):
    """The same escalation against the hazard ledger of the inspections app, end to end."""

    def test_a_piece_missing_past_the_time_is_one_hazard_on_the_ledger(self):
        from inspections.models_hazards import Hazard

        handover.confirm_kit(self.officer1, self.gatehouse, {self.types["shield"].pk: 1}, now=NOW)
        shortage = KitShortage.objects.get()
        self.assertEqual(len(handover.escalate_overdue(NOW + 3 * HOUR)), 1)
        self.assertEqual(handover.escalate_overdue(NOW + 4 * HOUR), [])
        [hazard] = Hazard.objects.filter(origin_ref=f"equipment.kitshortage:{shortage.pk}")
        self.assertEqual(
            (hazard.school, hazard.origin, hazard.place), (self.s1, "handover", "南门门卫室")
        )
        self.assertEqual(hazard.found_at, NOW)
        self.assertIsNotNone(KitShortage.objects.get().hazard_reported_at)

    def test_a_backlog_is_filed_in_the_same_queries_as_one_piece(self):
        from inspections.models_hazards import Hazard

        def escalate(codes, now):
            handover.confirm_kit(
                self.officer1, self.gatehouse, {self.types[c].pk: 1 for c in codes}, now=now
            )
            with CaptureQueriesContext(connection) as queries:
                escalated = handover.escalate_overdue(now + 3 * HOUR)
            return len(escalated), len(queries)

        one = escalate(["shield"], NOW)
        handover.confirm_kit(self.officer1, self.gatehouse, {}, now=NOW + 4 * HOUR)
        six = escalate(
            ["shield", "helmet", "torch", "radio", "stab-vest", "steel-fork"], NOW + 5 * HOUR
        )
        self.assertEqual((one[0], six[0]), (1, 6))
        self.assertEqual(one[1], six[1])
        self.assertEqual(Hazard.objects.filter(origin="handover").count(), 7)
        self.assertEqual(
            sorted(Hazard.objects.filter(origin="handover").values_list("number", flat=True)),
            list(range(1, 8)),
        )
