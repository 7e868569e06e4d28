"""The equipment pages: the board with its shortfalls, a piece's page with its QR code and
history, the QR tag sheet, recording movements, and the bureaus' compliance and due lists."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from equipment.models import Item, Movement
from equipment.services import receive, record
from tests.base import LAYOUT_QUERIES
from tests.equipment_world import compliance_queries
from tests.permissions import PageChecks
from tests.test_api_equipment import EquipmentAPITestCase
from tests.test_pages import PageTestCase

SCHOOL_STAFF = {"admin", "principal1", "principal2", "officer1"}
BUREAU = {"admin", "city", "district1", "district2"}


class EquipmentPageTestCase(PageChecks, EquipmentAPITestCase, PageTestCase):
    """S1's floor holds a dry-powder extinguisher made eleven years ago: past service and scrap."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        made = timezone.localdate() - datetime.timedelta(days=11 * 366)
        cls.old = receive(
            cls.admin,
            cls.s1_floor,
            cls.types["extinguisher-dry-powder"],
            asset_tag="MHQ-OLD",
            manufactured_on=made,
        ).item


class BoardTests(EquipmentPageTestCase):
    def test_who_reads_a_schools_board(self):
        # Its staff and the bureaus over it; police see the school but not its equipment.
        self.each_persona(
            lambda key: reverse("equipment:board", args=[getattr(self, key).pk]),
            BUREAU | SCHOOL_STAFF,
        )

    def test_the_board_shows_each_place_against_its_standard_with_shortfalls_in_red(self):
        self.login("officer1")
        response = self.client.get(reverse("equipment:board", args=[self.s1.pk]))
        self.assertEqual(response.status_code, 200)
        places = {place.location.name: place for place in response.context["places"]}
        gatehouse = {line.equipment_type.code: line for line in places["南门门卫室"].lines}
        self.assertEqual((gatehouse["torch"].usable, gatehouse["torch"].required), (2, 1))
        self.assertFalse(gatehouse["torch"].is_short)
        self.assertTrue(gatehouse["steel-fork"].is_short)
        # The floor's extinguisher is past its scrap date: it does not count.
        floor = {line.equipment_type.code: line for line in places["教学楼1层"].lines}
        self.assertEqual(floor["extinguisher-dry-powder"].usable, 0)
        self.assertContains(response, 'class="table-danger kit-short"')
        self.assertContains(response, "MHQ-OLD")
        self.assertEqual([piece.pk for piece in response.context["due"]], [self.old.pk])
        self.assertContains(response, reverse("equipment:qr-tags", args=[self.s1.pk]))

    def test_the_board_takes_a_constant_number_of_queries(self):
        self.login("officer1")
        url = reverse("equipment:board", args=[self.s1.pk])
        self.client.get(url)
        receive(self.admin, self.s1_guard, self.types["radio"])
        # The session and user, the user's grants; the school and the check of the roles
        # reaching it, its facts, the standard's lines, the balances, the pieces past scrap,
        # the pieces, their types, the places.
        with self.assertNumQueries(3 + 9 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)

    def test_the_equipment_link_opens_the_users_board(self):
        self.login("principal1")
        response = self.client.get(reverse("equipment:board-choice"))
        self.assertRedirects(response, reverse("equipment:board", args=[self.s1.pk]))
        self.login("city")
        response = self.client.get(reverse("equipment:board-choice"))
        self.assertRedirects(response, reverse("equipment:compliance"))


class ItemPageTests(EquipmentPageTestCase):
    def test_who_opens_a_piece(self):
        self.each_persona(
            lambda key: reverse("equipment:item", args=[self.radios[key].pk]),
            BUREAU | SCHOOL_STAFF | {"police1", "police2"},
        )

    def test_the_page_shows_its_qr_code_and_its_history(self):
        record(self.officer1, "checked", item=self.radios["s1"], reason="月检")
        self.login("officer1")
        response = self.client.get(reverse("equipment:item", args=[self.radios["s1"].pk]))
        self.assertContains(response, "<svg")
        self.assertContains(response, "月检")
        self.assertEqual([m.kind for m in response.context["history"]], ["checked", "received"])
        self.assertContains(
            response,
            reverse("equipment:record", args=[self.s1.pk])
            + f"?kind=lost&amp;item={self.radios['s1'].pk}",
        )

    def test_a_transferred_piece_shows_its_whole_history_where_it_is_now(self):
        radio = self.radios["s1"]
        record(self.officer1, "checked", item=radio, reason="交接班")
        record(self.city, "transferred", item=radio, to_location=self.s2_gatehouse)
        self.login("principal2")
        response = self.client.get(reverse("equipment:item", args=[radio.pk]))
        # Received and checked at S1 (its provenance), then transferred to S2.
        kinds = [m.kind for m in response.context["history"]]
        self.assertEqual(kinds, ["transferred", "checked", "received"])
        self.assertContains(response, "交接班")
        # S1's staff no longer open it: the piece is checked, not each movement.
        self.login("principal1")
        gone = self.client.get(reverse("equipment:item", args=[radio.pk]))
        self.assertEqual(gone.status_code, 404)

    def test_a_long_history_is_paged_after_the_last_shown_and_never_counted(self):
        self.login("officer1")
        url = reverse("equipment:item", args=[self.radios["s1"].pk])
        self.client.get(url)
        for _ in range(60):
            record(self.officer1, "checked", item=self.radios["s1"])
        # The session and user, the grants; the piece and a page of its history: no COUNT.
        with self.assertNumQueries(3 + 2 + LAYOUT_QUERIES) as queries:
            response = self.client.get(url)
        self.assertFalse(
            [
                q
                for q in queries.captured_queries
                if "equipment_movement" in q["sql"] and "COUNT(" in q["sql"]
            ]
        )
        first = response.context["history"]
        self.assertEqual(len(first), 50)
        self.assertContains(response, "First page", count=0)
        older = self.client.get(f"{url}?{response.context['next_page_query']}")
        rest = older.context["history"]
        # 61 movements in all (the receipt and 60 checks): each once, newest first.
        self.assertEqual(len(rest), 11)
        self.assertNotIn("next_page_query", older.context)
        shown = [m.pk for m in first] + [m.pk for m in rest]
        self.assertEqual(len(set(shown)), 61)
        ordered = [(m.happened_at, m.pk) for m in [*first, *rest]]
        self.assertEqual(ordered, sorted(ordered, reverse=True))

    def test_a_page_link_edited_by_hand_is_a_400(self):
        self.login("officer1")
        url = reverse("equipment:item", args=[self.radios["s1"].pk])
        self.assertEqual(self.client.get(url, {"after": "yesterday"}).status_code, 400)


class QRSheetTests(EquipmentPageTestCase):
    def test_school_staff_and_bureaus_print_the_tags(self):
        self.each_persona(
            lambda key: reverse("equipment:qr-tags", args=[getattr(self, key).pk]),
            BUREAU | SCHOOL_STAFF,
        )

    def test_one_tag_per_held_piece(self):
        self.login("principal1")
        response = self.client.get(reverse("equipment:qr-tags", args=[self.s1.pk]))
        self.assertEqual(response.content.decode().count("<svg"), 2)
        self.assertContains(response, "MHQ-OLD")


class RecordTests(EquipmentPageTestCase):
    def test_who_records_at_a_school(self):
        self.each_persona(
            lambda key: reverse("equipment:record", args=[getattr(self, key).pk]),
            BUREAU | SCHOOL_STAFF,
        )

    def test_a_check_from_the_piece_page_is_recorded(self):
        self.login("officer1")
        radio = self.radios["s1"]
        response = self.client.post(
            reverse("equipment:record", args=[self.s1.pk]),
            {"kind": "checked", "item": radio.pk, "quantity": 1},
        )
        self.assertRedirects(response, reverse("equipment:item", args=[radio.pk]))
        radio.refresh_from_db()
        self.assertEqual(radio.last_checked_on, timezone.localdate())

    def test_a_loss_without_a_report_is_refused_as_the_api_refuses_it(self):
        self.login("officer1")
        before = Movement.objects.count()
        payload = {"kind": "lost", "item": self.radios["s1"].pk, "quantity": 1}
        response = self.client.post(reverse("equipment:record", args=[self.s1.pk]), payload)
        self.assertEqual(response.status_code, 200)
        page_errors = response.context["form"].errors["report"]
        api = self.api("officer1").post(reverse("movement-list"), payload, format="json")
        self.assertEqual(api.json()["report"], page_errors)
        self.assertEqual(Movement.objects.count(), before)

    def test_the_destination_is_searched_for_within_the_scope(self):
        url = reverse("equipment:location-search")
        self.login("city")
        found = self.client.get(url, {"q": self.s2.name}).json()["results"]
        self.assertIn(self.s2_gatehouse.pk, {row["id"] for row in found})
        self.login("officer1")
        found = self.client.get(url, {"q": self.s2_gatehouse.name}).json()["results"]
        ids = {row["id"] for row in found}
        self.assertIn(self.s1_gatehouse.pk, ids)
        self.assertNotIn(self.s2_gatehouse.pk, ids)
        # The destination lists no place: only the blank choice until one is searched for.
        page = self.client.get(reverse("equipment:record", args=[self.s1.pk]))
        destination = re.search(r'<select name="to_location".*?</select>', page.text, re.S)
        self.assertIn(f'data-search-url="{url}"', destination.group())
        self.assertEqual(destination.group().count("<option"), 1)

    def test_counted_stock_is_issued_to_the_guard(self):
        self.login("principal1")
        response = self.client.post(
            reverse("equipment:record", args=[self.s1.pk]),
            {
                "kind": "issued",
                "location": self.s1_gatehouse.pk,
                "equipment_type": self.types["torch"].pk,
                "quantity": 1,
                "to_location": self.s1_guard.pk,
            },
        )
        self.assertRedirects(response, reverse("equipment:board", args=[self.s1.pk]))

    def test_school_staff_cannot_send_a_piece_to_another_school(self):
        self.login("district1_principal2")
        response = self.client.post(
            reverse("equipment:record", args=[self.s1.pk]),
            {
                "kind": "transferred",
                "item": self.radios["s1"].pk,
                "quantity": 1,
                "to_location": self.s2_gatehouse.pk,
            },
        )
        # District staff of D1 do not reach S2 as bureau staff: refused, nothing moved.
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertEqual(Item.objects.get(pk=self.radios["s1"].pk).school, self.s1)

    def test_city_staff_transfer_between_districts(self):
        self.login("city")
        response = self.client.post(
            reverse("equipment:record", args=[self.s1.pk]),
            {
                "kind": "transferred",
                "item": self.radios["s1"].pk,
                "quantity": 1,
                "to_location": self.s2_gatehouse.pk,
                "reason": "调剂",
            },
        )
        self.assertRedirects(response, reverse("equipment:item", args=[self.radios["s1"].pk]))
        self.assertEqual(Item.objects.get(pk=self.radios["s1"].pk).school, self.s2)


class ComplianceTests(EquipmentPageTestCase):
    def test_only_the_bureaus_read_compliance(self):
        for persona, status in (
            ("admin", 200),
            ("city", 200),
            ("district1", 200),
            ("principal1", 403),
            ("police1", 403),
            ("outsider", 403),
        ):
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(
                    self.client.get(reverse("equipment:compliance")).status_code, status
                )

    def test_the_city_drills_down_to_the_missing_pieces(self):
        self.login("city")
        response = self.client.get(reverse("equipment:compliance"))
        self.assertEqual(response.context["level"], "district")
        self.assertContains(response, f"?district={self.d1.pk}")
        response = self.client.get(reverse("equipment:compliance"), {"district": self.d1.pk})
        self.assertEqual(response.context["level"], "school")
        self.assertContains(response, reverse("equipment:board", args=[self.s1.pk]))
        # Another city's district is not theirs.
        response = self.client.get(reverse("equipment:compliance"), {"district": self.d3.pk})
        self.assertEqual(response.status_code, 404)

    def test_the_overdue_extinguisher_is_red_in_the_districts_due_list(self):
        self.login("district1")
        response = self.client.get(reverse("equipment:due"), {"district": self.d1.pk})
        self.assertEqual([piece.pk for piece in response.context["pieces"]], [self.old.pk])
        self.assertContains(response, "text-bg-danger")
        self.login("district2")
        response = self.client.get(reverse("equipment:due"))
        self.assertEqual(list(response.context["pieces"]), [])

    def test_the_compliance_page_takes_a_constant_number_of_queries(self):
        self.login("city")
        url = reverse("equipment:compliance")
        self.client.get(url, {"district": self.d1.pk})
        receive(self.admin, self.s2_gatehouse, self.types["steel-fork"])
        # The session and user, the grants; the district asked for, then
        # equipment/compliance.py's three.
        with self.assertNumQueries(3 + 1 + compliance_queries() + LAYOUT_QUERIES):
            self.client.get(url, {"district": self.d1.pk})


class HomePanelTests(EquipmentPageTestCase):
    def test_the_home_page_links_each_role_to_its_equipment_page(self):
        for persona, link, absent in (
            ("officer1", reverse("equipment:board-choice"), reverse("equipment:compliance")),
            ("district1", reverse("equipment:compliance"), reverse("equipment:board-choice")),
        ):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("home"))
                self.assertContains(response, f'href="{link}"')
                self.assertNotContains(response, f'class="btn btn-primary" href="{absent}"')
        self.login("police1")
        response = self.client.get(reverse("home"))
        self.assertNotContains(response, reverse("equipment:compliance"))
        self.assertNotContains(response, reverse("equipment:board-choice"))
