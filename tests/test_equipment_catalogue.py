"""The default catalogue and standard, GA 95 due dates, and how standards combine and are scoped."""

import datetime

from equipment.models import EquipmentType, KitLine, KitStandard
from equipment.services import (
    add_years,
    due_dates,
    receive,
    record,
    refresh_due_dates_of_type,
    requirements,
)
from schools.obligations import school_facts
from tests.equipment_world import EquipmentWorldTestCase

D = datetime.date
NINE_PIECES = {
    "steel-fork",
    "stab-vest",
    "cut-gloves",
    "helmet",
    "shield",
    "rubber-baton",
    "pepper-spray",
    "torch",
    "radio",
}


class DefaultTests(EquipmentWorldTestCase):
    def test_every_default_type_and_line_names_its_source(self):
        self.assertGreaterEqual(EquipmentType.objects.filter(city=None).count(), 20)
        self.assertFalse(EquipmentType.objects.filter(source="").exists())
        self.assertFalse(KitLine.objects.filter(source="").exists())
        self.assertEqual(
            set(EquipmentType.objects.values_list("category", flat=True)),
            {
                "defence_tool",
                "personal_protection",
                "communication_light",
                "fire",
                "technical_defence",
                "physical_defence",
            },
        )

    def test_extinguishers_follow_ga_95_per_agent(self):
        rules = {
            code: (
                t.first_service_years,
                t.service_every_years,
                t.scrap_years,
                t.check_interval_days,
            )
            for code, t in self.types.items()
            if code.startswith("extinguisher-")
        }
        self.assertEqual(
            rules,
            {
                "extinguisher-dry-powder": (3, 2, 10, 30),
                "extinguisher-water": (2, 1, 6, 30),
                "extinguisher-co2": (3, 2, 12, 30),
                "extinguisher-clean-agent": (3, 2, 10, 30),
            },
        )
        self.assertIn("GA 95-2015", self.types["extinguisher-co2"].source)

    def test_default_standard_holds_the_nine_pieces_and_the_gatehouse_systems(self):
        standard = KitStandard.objects.national().get()
        self.assertIn("成都", standard.source)
        at = {
            kind: set(
                standard.lines.filter(location_kind=kind).values_list(
                    "equipment_type__code", flat=True
                )
            )
            for kind in ("gatehouse", "protection_booth", "guard", "floor", "police_room")
        }
        self.assertEqual(
            at["gatehouse"], NINE_PIECES | {"one-key-alarm", "video-recorder", "public-address"}
        )
        self.assertEqual(at["protection_booth"], NINE_PIECES)
        self.assertLessEqual(at["guard"], NINE_PIECES)
        self.assertEqual(at["floor"], {"extinguisher-dry-powder"})
        self.assertTrue(at["police_room"])


class DueDateTests(EquipmentWorldTestCase):
    def dates(self, code, **kwargs):
        return due_dates(self.types[code], manufactured_on=D(2020, 3, 15), **kwargs)

    def test_dry_powder_first_service_after_three_years_then_every_two_scrapped_at_ten(self):
        self.assertEqual(self.dates("extinguisher-dry-powder")["service_due_on"], D(2023, 3, 15))
        after = self.dates("extinguisher-dry-powder", last_serviced_on=D(2023, 4, 1))
        self.assertEqual(after["service_due_on"], D(2025, 4, 1))
        self.assertEqual(after["scrap_on"], D(2030, 3, 15))

    def test_water_based_first_service_after_two_years_then_yearly_scrapped_at_six(self):
        self.assertEqual(self.dates("extinguisher-water")["service_due_on"], D(2022, 3, 15))
        after = self.dates("extinguisher-water", last_serviced_on=D(2022, 3, 20))
        self.assertEqual(after["service_due_on"], D(2023, 3, 20))
        self.assertEqual(after["scrap_on"], D(2026, 3, 15))

    def test_co2_scrapped_at_twelve_and_clean_agent_at_ten(self):
        self.assertEqual(self.dates("extinguisher-co2")["scrap_on"], D(2032, 3, 15))
        self.assertEqual(self.dates("extinguisher-co2")["service_due_on"], D(2023, 3, 15))
        self.assertEqual(self.dates("extinguisher-clean-agent")["scrap_on"], D(2030, 3, 15))

    def test_monthly_check_counts_from_the_last_check(self):
        dates = self.dates("extinguisher-dry-powder", last_checked_on=D(2026, 11, 2))
        self.assertEqual(dates["next_check_on"], D(2026, 12, 2))

    def test_a_type_without_rules_has_no_due_dates(self):
        self.assertEqual(set(self.dates("steel-fork").values()), {None})

    def test_leap_day_falls_back_to_28_february(self):
        self.assertEqual(add_years(D(2024, 2, 29), 3), D(2027, 2, 28))

    def test_a_received_and_serviced_extinguisher_carries_its_dates(self):
        movement = receive(
            self.officer1,
            self.s1_floor,
            self.types["extinguisher-water"],
            asset_tag="MHQ-001",
            manufactured_on=D(2021, 6, 1),
        )
        item = movement.item
        self.assertEqual((item.service_due_on, item.scrap_on), (D(2023, 6, 1), D(2027, 6, 1)))
        record(
            self.officer1,
            "serviced",
            item=item,
            happened_at=datetime.datetime(2023, 6, 10, 10, tzinfo=datetime.UTC),
        )
        item.refresh_from_db()
        self.assertEqual(
            (item.last_serviced_on, item.service_due_on), (D(2023, 6, 10), D(2024, 6, 10))
        )
        self.assertEqual(item.scrap_on, D(2027, 6, 1))

    def test_changed_rules_move_the_due_dates_of_held_pieces(self):
        water = self.types["extinguisher-water"]
        held = receive(self.officer1, self.s1_floor, water, manufactured_on=D(2021, 6, 1)).item
        gone = receive(self.officer1, self.s1_floor, water, manufactured_on=D(2021, 6, 1)).item
        record(self.officer1, "scrapped", item=gone)
        water.scrap_years = 5
        water.save()
        self.assertEqual(refresh_due_dates_of_type(water), 1)
        held.refresh_from_db()
        self.assertEqual(held.scrap_on, D(2026, 6, 1))


class StandardTests(EquipmentWorldTestCase):
    def needed(self, school):
        return requirements(school_facts([school]))[school.pk]

    def test_national_standard_applies_where_a_city_has_none(self):
        self.assertEqual(self.needed(self.s1)[("gatehouse", self.types["steel-fork"].pk)], 1)
        self.assertEqual(self.needed(self.s3)[("gatehouse", self.types["steel-fork"].pk)], 1)

    def test_large_schools_need_a_second_fork_at_the_gatehouse(self):
        self.s1.enrolment = 1600
        self.s1.save()
        self.assertEqual(self.needed(self.s1)[("gatehouse", self.types["steel-fork"].pk)], 2)

    def test_a_city_standard_replaces_the_national_one_for_its_schools(self):
        city = KitStandard.objects.create(city=self.city_a, name="滨州标准", source="test")
        city.lines.create(
            equipment_type=self.types["shield"], location_kind="gatehouse", quantity=3
        )
        self.assertEqual(dict(self.needed(self.s1)), {("gatehouse", self.types["shield"].pk): 3})
        self.assertEqual(self.needed(self.s3)[("gatehouse", self.types["shield"].pk)], 1)

    def test_a_district_adds_lines_for_its_schools_only(self):
        district = KitStandard.objects.create(district=self.d1, name="滨城区加配", source="test")
        district.lines.create(
            equipment_type=self.types["shield"], location_kind="gatehouse", quantity=1
        )
        self.assertEqual(self.needed(self.s1)[("gatehouse", self.types["shield"].pk)], 2)
        self.assertEqual(self.needed(self.s2)[("gatehouse", self.types["shield"].pk)], 1)


class StandardAccessTests(EquipmentWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.national = KitStandard.objects.national().get()
        cls.city_std = KitStandard.objects.create(city=cls.city_a, name="A", source="t")
        cls.city_b_std = KitStandard.objects.create(city=cls.city_b, name="B", source="t")
        cls.d1_std = KitStandard.objects.create(district=cls.d1, name="D1", source="t")
        cls.d2_std = KitStandard.objects.create(district=cls.d2, name="D2", source="t")

    def visible(self, persona, action="view"):
        return set(
            KitStandard.objects.for_user(self.users[persona], action).values_list("name", flat=True)
        )

    def test_who_sees_which_standard(self):
        national = self.national.name
        self.assertEqual(self.visible("city"), {national, "A", "D1", "D2"})
        self.assertEqual(self.visible("district1"), {national, "A", "D1"})
        self.assertEqual(self.visible("principal1"), {national, "A", "D1"})
        self.assertEqual(self.visible("police2"), {national, "A", "D2"})
        self.assertEqual(self.visible("outsider"), set())

    def test_city_staff_edit_the_city_and_its_districts_districts_only_their_own(self):
        self.assertEqual(self.visible("city", "change"), {"A", "D1", "D2"})
        self.assertEqual(self.visible("district1", "change"), {"D1"})
        self.assertEqual(self.visible("principal1", "change"), set())

    def test_lines_follow_their_standard(self):
        for standard in (self.national, self.d2_std):
            standard.lines.create(equipment_type=self.types["torch"], location_kind="guard")
        lines = KitLine.objects.for_user(self.district1).filter(equipment_type__code="torch")
        self.assertEqual({line.standard_id for line in lines}, {self.national.pk})
