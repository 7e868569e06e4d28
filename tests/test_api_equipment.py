"""The equipment API: the shared permission tests of every endpoint, the ledger through the API,
compliance by school, district and city persona by persona, and pinned query counts."""

import datetime

from django.urls import reverse
from django.utils import timezone

from equipment.models import (
    EquipmentType,
    Item,
    KitLine,
    KitStandard,
    Location,
    Movement,
    StockBalance,
)
from equipment.services import receive
from tests.equipment_world import EquipmentWorldTestCase, compliance_queries, stock
from tests.permissions import ALL_PERSONAS, ActionChecks, ReadOnlyScopedAPITests, ScopedAPITests

SCHOOL_STAFF = {"admin", "principal1", "principal2", "officer1"}
BUREAU = {"admin", "city", "district1", "district2"}
CITY_STAFF = {"admin", "city"}


class EquipmentAPITestCase(EquipmentWorldTestCase):
    """S1, S2 and S3 each hold two torches and a radio at their gatehouse."""

    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.s3_gatehouse = Location.objects.create(school=cls.s3, kind="gatehouse", name="门卫室")
        cls.s3_store = Location.objects.create(school=cls.s3, kind="store", name="器材室")
        cls.radios = {}
        for key in ("s1", "s2", "s3"):
            gatehouse = getattr(cls, f"{key}_gatehouse")
            stock(cls.admin, gatehouse, cls.types["torch"], 2)
            (movement,) = stock(cls.admin, gatehouse, cls.types["radio"])
            cls.radios[key] = movement.item

    def key_of(self, school):
        return next(key for key in ("s1", "s2", "s3") if getattr(self, key).pk == school.pk)

    def gatehouse(self, school):
        return getattr(self, f"{self.key_of(school)}_gatehouse")


class EquipmentTypeAPITests(ScopedAPITests, EquipmentAPITestCase):
    basename = "equipmenttype"
    can_create = can_update = can_delete = CITY_STAFF

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.city_types = {
            city.pk: EquipmentType.objects.create(
                city=city,
                code="own-fork",
                name=f"{city.name} 钢叉",
                category="defence_tool",
                source="市教育局",
            )
            for city in (cls.city_a, cls.city_b)
        }

    def object_for(self, school):
        return self.city_types[school.district.city_id]

    def create_payload(self, school):
        return {
            "city": school.district.city_id,
            "code": f"t{self.seq()}",
            "name": "钢叉",
            "category": "defence_tool",
            "source": "市教育局",
        }

    def update_payload(self, obj):
        return {"name": f"钢叉 {self.seq()}"}

    def test_new_rules_move_the_due_dates_of_held_pieces(self):
        own = EquipmentType.objects.create(
            city=self.city_a,
            code="foam",
            name="泡沫灭火器",
            category="fire",
            is_serialised=True,
            first_service_years=3,
            scrap_years=8,
            source="市",
        )
        made = datetime.date(2020, 1, 10)
        item = receive(self.admin, self.s1_floor, own, manufactured_on=made).item
        response = self.api("city").patch(self.detail_url(own), {"scrap_years": 6}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        item.refresh_from_db()
        self.assertEqual(item.scrap_on, datetime.date(2026, 1, 10))


class KitStandardAPITests(ScopedAPITests, EquipmentAPITestCase):
    basename = "kitstandard"
    can_create = can_update = can_delete = BUREAU

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for district in (cls.d1, cls.d2, cls.d3):
            KitStandard.objects.create(district=district, name=f"{district.name} 加配", source="区")

    def object_for(self, school):
        return KitStandard.objects.get(district=school.district)

    def before_create(self, school):
        # One standard per district: the new one replaces it.
        KitStandard.objects.filter(district=school.district).delete()

    def create_payload(self, school):
        return {"district": school.district_id, "name": f"加配{self.seq()}", "source": "区"}

    def update_payload(self, obj):
        return {"source": f"区教育局 {self.seq()}"}


class KitLineAPITests(ScopedAPITests, EquipmentAPITestCase):
    basename = "kitline"
    can_create = can_update = can_delete = BUREAU

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.standards = {
            district.pk: KitStandard.objects.create(
                district=district, name=f"{district.name} 加配", source="区"
            )
            for district in (cls.d1, cls.d2, cls.d3)
        }
        for standard in cls.standards.values():
            KitLine.objects.create(
                standard=standard, equipment_type=cls.types["shield"], location_kind="gatehouse"
            )

    def object_for(self, school):
        return self.standards[school.district_id].lines.get()

    def create_payload(self, school):
        return {
            "standard": self.standards[school.district_id].pk,
            "equipment_type": self.types["torch"].pk,
            "location_kind": "guard",
            "quantity": 1,
        }

    def update_payload(self, obj):
        return {"quantity": self.seq() % 5 + 1}


class LocationAPITests(ScopedAPITests, EquipmentAPITestCase):
    basename = "location"
    can_create = can_update = can_delete = SCHOOL_STAFF

    def object_for(self, school):
        # The store rooms hold nothing, so they can be deleted.
        return getattr(self, f"{self.key_of(school)}_store")

    def create_payload(self, school):
        return {"school": school.pk, "kind": "store", "name": f"库房{self.seq()}"}

    def update_payload(self, obj):
        return {"name": f"器材室{self.seq()}"}

    def test_a_place_with_a_history_is_kept(self):
        response = self.api("principal1").delete(self.detail_url(self.s1_gatehouse))
        self.assertEqual(response.status_code, 409)


class ItemAPITests(ReadOnlyScopedAPITests, EquipmentAPITestCase):
    basename = "item"

    def object_for(self, school):
        return self.radios[self.key_of(school)]

    def test_the_list_takes_a_constant_number_of_queries(self):
        client = self.api("city")
        client.get(self.list_url())
        stock(self.admin, self.s1_gatehouse, self.types["radio"], 5)
        # 1 the count, 2 the page of items (the client's user and scope are known already).
        with self.assertNumQueries(2):
            response = client.get(self.list_url())
        self.assertEqual(response.json()["count"], 7)


class StockBalanceAPITests(ReadOnlyScopedAPITests, EquipmentAPITestCase):
    basename = "stockbalance"

    def object_for(self, school):
        return StockBalance.objects.get(
            location=self.gatehouse(school), equipment_type__code="torch"
        )


class MovementAPITests(ScopedAPITests, EquipmentAPITestCase):
    basename = "movement"
    can_create = SCHOOL_STAFF
    supports_update = False
    supports_delete = False

    def object_for(self, school):
        return Movement.objects.get(item=self.radios[self.key_of(school)])

    def create_payload(self, school):
        return {
            "kind": "received",
            "location": self.gatehouse(school).pk,
            "equipment_type": self.types["torch"].pk,
            "quantity": 1,
        }

    def update_payload(self, obj):
        return {"reason": "改"}

    def test_a_movement_moves_the_balance_and_the_piece(self):
        client = self.api("officer1")
        radio = self.radios["s1"]
        response = client.post(
            self.list_url(),
            {"kind": "issued", "item": radio.pk, "to_location": self.s1_guard.pk},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["held_delta"], -1)
        radio.refresh_from_db()
        self.assertEqual(radio.location, self.s1_guard)
        held = StockBalance.objects.get(location=self.s1_guard, equipment_type=radio.equipment_type)
        self.assertEqual(held.held, 1)

    def test_a_receipt_of_a_tracked_piece_makes_its_item(self):
        response = self.api("principal1").post(
            self.list_url(),
            {
                "kind": "received",
                "location": self.s1_floor.pk,
                "equipment_type": self.types["extinguisher-dry-powder"].pk,
                "asset_tag": "MHQ-001",
                "manufactured_on": "2020-03-01",
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        item = Item.objects.get(asset_tag="MHQ-001")
        self.assertEqual(item.scrap_on.isoformat(), "2030-03-01")

    def test_bad_movements_are_400_with_the_field_and_nothing_saved(self):
        client = self.api("principal1")
        before = (Movement.objects.count(), list(StockBalance.objects.values_list("held")))
        cases = [
            ({"kind": "lost", "item": self.radios["s1"].pk}, "report"),
            (
                {
                    "kind": "issued",
                    "location": self.s1_gatehouse.pk,
                    "equipment_type": self.types["torch"].pk,
                    "quantity": 9,
                    "to_location": self.s1_guard.pk,
                },
                "non_field_errors",
            ),
            ({"kind": "checked", "item": self.radios["s1"].pk, "asset_tag": "X"}, None),
            ({"kind": "scrapped", "item": self.radios["s1"].pk, "to_location": 0}, "to_location"),
            ({"kind": "melted", "item": self.radios["s1"].pk}, "kind"),
            ({"kind": "checked"}, None),
        ]
        for payload, field in cases:
            with self.subTest(payload=payload):
                response = client.post(self.list_url(), payload, format="json")
                self.assertEqual(response.status_code, 400, response.content)
                if field:
                    self.assertIn(field, response.json())
        self.assertEqual(
            (Movement.objects.count(), list(StockBalance.objects.values_list("held"))), before
        )

    def test_district_staff_transfer_between_their_schools_and_school_staff_may_not(self):
        payload = {
            "kind": "transferred",
            "item": self.radios["s1"].pk,
            "to_location": self.s2_gatehouse.pk,
            "reason": "调剂",
        }
        self.assertEqual(self.api("principal1").post(self.list_url(), payload).status_code, 400)
        response = self.api("city").post(self.list_url(), payload, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        radio = Item.objects.get(pk=self.radios["s1"].pk)
        self.assertEqual(radio.school, self.s2)

    def test_the_ledger_list_takes_a_constant_number_of_queries(self):
        client = self.api("district1")
        client.get(self.list_url())
        stock(self.admin, self.s1_gatehouse, self.types["torch"], 1)
        stock(self.admin, self.s1_gatehouse, self.types["radio"], 3)
        # 1 the count, 2 the page of movements.
        with self.assertNumQueries(2):
            response = client.get(self.list_url())
        self.assertEqual(response.json()["count"], 6)


class ComplianceTests(ActionChecks, EquipmentAPITestCase):
    def test_compliance_persona_by_persona(self):
        def send(client, key):
            response = client.get(
                reverse("equipment-compliance"), {"school": getattr(self, key).pk}
            )
            if response.status_code == 200:
                (row,) = response.json()["results"]
                self.assertEqual(row["key"], getattr(self, key).pk)
            return response

        self.check("compliance", send, set(ALL_PERSONAS), foreign_status=400)

    def test_the_district_sees_its_schools_and_drills_down_to_the_missing_pieces(self):
        client = self.api("city")
        cities = client.get(reverse("equipment-compliance"), {"group_by": "city"}).json()
        (city,) = cities["results"]
        self.assertEqual((city["key"], city["schools"]), (self.city_a.pk, 3))
        districts = client.get(reverse("equipment-compliance"), {"group_by": "district"}).json()
        self.assertEqual({row["key"] for row in districts["results"]}, {self.d1.pk, self.d2.pk})
        schools = client.get(reverse("equipment-compliance"), {"district": self.d1.pk}).json()
        by_school = {row["key"]: row for row in schools["results"]}
        s1 = by_school[self.s1.pk]
        # The gatehouse: nine pieces + alarm, recorder and PA = 12, a torch and a radio there;
        # the guard: five pieces, none; the floor: two extinguishers, none.
        self.assertEqual((s1["places"], s1["required"]), (3, 12 + 5 + 2))
        self.assertEqual(s1["missing"], 12 + 5 + 2 - 2)
        self.assertEqual(s1["short_places"], 3)
        # The kindergarten has no places yet: nothing required, no rate.
        self.assertIsNone(by_school[self.k1.pk]["rate"])

    def test_the_database_sums_agree_with_the_shortfalls(self):
        """compliance() counts missing pieces in SQL; services.shortfalls() in Python."""
        from equipment.compliance import compliance, shortfall_rows
        from equipment.services import record, shortfalls
        from schools.models import School

        standard = KitStandard.objects.create(district=self.d2, name="加配", source="区")
        KitLine.objects.create(
            standard=standard, equipment_type=self.types["torch"], location_kind="gatehouse"
        )
        record(self.admin, "failed", location=self.s1_gatehouse, equipment_type=self.types["torch"])
        old = timezone.localdate() - datetime.timedelta(days=11 * 366)
        for made in (old, timezone.localdate()):
            receive(
                self.admin,
                self.s2_floor,
                self.types["extinguisher-dry-powder"],
                manufactured_on=made,
            )
        self.s2.enrolment = 2000
        self.s2.save()
        schools = [self.s1.pk, self.s2.pk, self.s3.pk, self.k1.pk]
        expected = {pk: [0, set()] for pk in schools}
        for shortfall in shortfalls(schools):
            expected[shortfall.school_id][0] += shortfall.missing
            expected[shortfall.school_id][1].add(shortfall.location_id)
        rows = {row.key: row for row in compliance(schools)}
        for pk in schools:
            with self.subTest(school=pk):
                self.assertEqual(
                    (rows[pk].missing, rows[pk].short_places),
                    (expected[pk][0], len(expected[pk][1])),
                )
        self.assertGreater(rows[self.s2.pk].missing, 0)
        # The sweeps' shortfalls, worked out by the database: the very same rows.
        self.assertEqual(shortfall_rows(schools), shortfalls(schools))
        self.assertEqual(shortfall_rows(School.objects.filter(pk__in=schools)), shortfalls(schools))

    def test_compliance_takes_a_constant_number_of_queries(self):
        client = self.api("city")
        client.get(reverse("equipment-compliance"))
        for school in (self.s1, self.s2):
            Location.objects.create(school=school, kind="protection_booth", name="北门岗亭")
        # equipment/compliance.py: 1 the districts selected, 2 the standards' lines, 3 the
        # sums per school, district or city (one SQL query; the school selection is a
        # subquery). Down from six: names, places and overdue pieces joined the sums.
        with self.assertNumQueries(compliance_queries()):
            client.get(reverse("equipment-compliance"))
        with self.assertNumQueries(compliance_queries()):
            client.get(reverse("equipment-compliance"), {"group_by": "city"})
