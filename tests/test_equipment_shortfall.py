"""Kit shortfalls against the standard: what a place lacks, faulty pieces, and the query cost."""

import datetime

from equipment.models import KitStandard, Location, StockBalance
from equipment.services import receive, record, requirements, shortfalls
from schools.models import School
from schools.obligations import school_facts
from tests.equipment_world import EquipmentWorldTestCase, stock
from tests.factories import SchoolFactory


class ShortfallTests(EquipmentWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # S1's gatehouse holds everything its standard asks for but the steel fork.
        needed = requirements(school_facts([cls.s1]))[cls.s1.pk]
        by_pk = {t.pk: t for t in cls.types.values()}
        for (kind, type_id), quantity in needed.items():
            if kind == "gatehouse" and by_pk[type_id].code != "steel-fork":
                stock(cls.officer1, cls.s1_gatehouse, by_pk[type_id], quantity)

    def at_gatehouse(self):
        return [s for s in shortfalls([self.s1]) if s.location_id == self.s1_gatehouse.pk]

    def test_a_gatehouse_missing_its_steel_fork_is_short_of_exactly_that(self):
        (short,) = self.at_gatehouse()
        self.assertEqual(short.equipment_type_id, self.types["steel-fork"].pk)
        self.assertEqual((short.required, short.usable, short.missing), (1, 0, 1))

    def test_once_the_fork_arrives_the_gatehouse_is_complete(self):
        stock(self.officer1, self.s1_gatehouse, self.types["steel-fork"])
        self.assertEqual(self.at_gatehouse(), [])

    def test_a_faulty_piece_does_not_count(self):
        stock(self.officer1, self.s1_gatehouse, self.types["steel-fork"])
        radio = self.s1_gatehouse.items.get(equipment_type=self.types["radio"])
        record(self.officer1, "failed", item=radio)
        (short,) = self.at_gatehouse()
        self.assertEqual((short.equipment_type_id, short.usable), (self.types["radio"].pk, 0))

    def test_a_piece_past_its_scrap_date_does_not_count(self):
        powder = self.types["extinguisher-dry-powder"]
        for made in (datetime.date(2015, 5, 1), datetime.date(2022, 5, 1)):
            receive(self.officer1, self.s1_floor, powder, manufactured_on=made)
        on_floor = [
            s
            for s in shortfalls([self.s1], today=datetime.date(2026, 11, 25))
            if s.location_id == self.s1_floor.pk
        ]
        self.assertEqual([(s.required, s.usable) for s in on_floor], [(2, 1)])
        self.assertEqual(
            [
                s
                for s in shortfalls([self.s1], today=datetime.date(2025, 4, 30))
                if s.location_id == self.s1_floor.pk
            ],
            [],
        )

    def test_other_places_are_judged_by_their_own_kind(self):
        kinds = {(s.location_id, s.location_kind) for s in shortfalls([self.s1])}
        self.assertIn((self.s1_floor.pk, "floor"), kinds)
        self.assertIn((self.s1_guard.pk, "guard"), kinds)
        self.assertNotIn(self.s1_store.pk, {location for location, _ in kinds})

    def test_a_district_addition_makes_a_complete_gatehouse_short(self):
        stock(self.officer1, self.s1_gatehouse, self.types["steel-fork"])
        addition = KitStandard.objects.create(district=self.d1, name="加配", source="test")
        addition.lines.create(equipment_type=self.types["torch"], location_kind="gatehouse")
        (short,) = self.at_gatehouse()
        self.assertEqual(
            (short.equipment_type_id, short.required, short.usable), (self.types["torch"].pk, 2, 1)
        )


class ShortfallQueryTests(EquipmentWorldTestCase):
    def add_schools(self, district, police_station, count):
        fork = self.types["steel-fork"]
        for _ in range(count):
            school = SchoolFactory(district=district, police_station=police_station)
            gatehouse = Location.objects.create(school=school, kind="gatehouse", name="门卫室")
            Location.objects.create(school=school, kind="floor", name="1层")
            StockBalance.objects.create(
                school=school, location=gatehouse, equipment_type=fork, held=1
            )

    def test_shortfalls_take_five_queries_whatever_the_number_of_schools(self):
        self.add_schools(self.d1, self.p1, 3)
        # 1 the schools' facts (type, size, district, city)
        # 2 the lines of the national, city and district standards that apply
        # 3 the schools' places of the kinds a standard speaks of
        # 4 the balances at those schools
        # 5 the pieces in service past their scrap date there, counted per place and type
        with self.assertNumQueries(5):
            few = shortfalls(School.objects.all())
        self.add_schools(self.d2, self.p2, 30)
        KitStandard.objects.create(city=self.city_b, name="B", source="t").lines.create(
            equipment_type=self.types["torch"], location_kind="gatehouse"
        )
        with self.assertNumQueries(5):
            many = shortfalls(School.objects.all())
        self.assertGreater(len(many), len(few))
        self.assertEqual(len({s.school_id for s in many}), 33 + 2)
