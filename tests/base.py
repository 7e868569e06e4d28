"""The test world and its personas, created once per test class.

Two cities. City A has districts D1 and D2, each with a police station and a
school (S1, S2); D1 also has a kindergarten K1. City B has district D3 with S3,
outside every persona's scope but admin's.

Personas: admin; city (staff of city A); district1, district2; principal1 (S1),
principal2 (S2); officer1 (safety officer of S1); police1 (station of S1),
police2 (station of S2); outsider (signed in, no role).

Multi-role personas hold two of those roles at once: principal1_police2
(principal of S1 and police liaison of S2's station) and district1_principal2
(district staff of D1 and principal of S2). At each school they reach they may
do what the single-role persona of that role may do there, and no more
(ACTS_AS).
"""

import time_machine
from django.test import TestCase
from rest_framework.test import APIClient

from accounts.choices import Role
from tests.factories import (
    CityFactory,
    DistrictFactory,
    GateFactory,
    PoliceStationFactory,
    SchoolFactory,
    UserFactory,
    assign,
)

PASSWORD = "pass-Word-1"

# Queries the site's layout adds to every signed-in page, beyond those a page's
# own pinned count lists: the header's unread-notifications badge.
LAYOUT_QUERIES = 1

PERSONAS = (
    "admin",
    "city",
    "district1",
    "district2",
    "principal1",
    "principal2",
    "officer1",
    "police1",
    "police2",
    "outsider",
)

MULTI_ROLE_PERSONAS = ("principal1_police2", "district1_principal2")

# For each persona, the schools whose objects it reaches, and the single-role
# persona whose rights it has there.
ACTS_AS = {
    "principal1_police2": {"s1": "principal1", "s2": "police2"},
    "district1_principal2": {"s1": "district1", "s2": "principal2"},
}

# The school whose objects each persona should reach, and the schools whose
# objects it should not.
HOME_SCHOOL = {
    "admin": "s1",
    "city": "s1",
    "district1": "s1",
    "district2": "s2",
    "principal1": "s1",
    "principal2": "s2",
    "officer1": "s1",
    "police1": "s1",
    "police2": "s2",
    "outsider": None,
}
FOREIGN_SCHOOLS = {
    "admin": (),
    "city": ("s3",),
    "district1": ("s2", "s3"),
    "district2": ("s1", "s3"),
    "principal1": ("s2", "s3"),
    "principal2": ("s1", "s3"),
    "officer1": ("s2", "s3"),
    "police1": ("s2", "s3"),
    "police2": ("s1", "s3"),
    "outsider": ("s1", "s2", "s3"),
    "principal1_police2": ("s3",),
    "district1_principal2": ("s3",),
}
for _persona in PERSONAS:
    ACTS_AS[_persona] = {HOME_SCHOOL[_persona]: _persona} if HOME_SCHOOL[_persona] else {}


class World:
    """Builds the organisation and the personas."""

    @classmethod
    def build(cls, target):
        target.city_a = CityFactory(name="滨州市", code="371600")
        target.city_b = CityFactory(name="东营市", code="370500")
        target.d1 = DistrictFactory(city=target.city_a, name="滨城区", code="371602")
        target.d2 = DistrictFactory(city=target.city_a, name="沾化区", code="371603")
        target.d3 = DistrictFactory(city=target.city_b, name="东营区", code="370502")
        target.p1 = PoliceStationFactory(district=target.d1, name="市中派出所")
        target.p2 = PoliceStationFactory(district=target.d2, name="富源派出所")
        target.p3 = PoliceStationFactory(district=target.d3, name="文汇派出所")
        target.s1 = SchoolFactory(
            district=target.d1, police_station=target.p1, name="滨州实验学校", code="3716020001"
        )
        target.s2 = SchoolFactory(
            district=target.d2, police_station=target.p2, name="沾化第一中学", code="3716030001"
        )
        target.s3 = SchoolFactory(
            district=target.d3, police_station=target.p3, name="东营市育才学校", code="3705020001"
        )
        target.k1 = SchoolFactory(
            district=target.d1,
            police_station=target.p1,
            name="滨城区实验幼儿园",
            code="3716020002",
            school_type="kindergarten",
        )
        for school in (target.s1, target.s2, target.s3):
            GateFactory(school=school, name="南门")

        target.users = {name: UserFactory(username=name, password=PASSWORD) for name in PERSONAS}
        users = target.users
        assign(users["admin"], Role.ADMIN)
        assign(users["city"], Role.CITY_STAFF, target.city_a)
        assign(users["district1"], Role.DISTRICT_STAFF, target.d1)
        assign(users["district2"], Role.DISTRICT_STAFF, target.d2)
        assign(users["principal1"], Role.PRINCIPAL, target.s1)
        assign(users["principal2"], Role.PRINCIPAL, target.s2)
        assign(users["officer1"], Role.SAFETY_OFFICER, target.s1)
        assign(users["police1"], Role.POLICE_LIAISON, target.p1)
        assign(users["police2"], Role.POLICE_LIAISON, target.p2)
        for name in PERSONAS:
            setattr(target, name, users[name])
        if getattr(target, "multi_role_personas", False):
            cls.add_multi_role_personas(target)

    @classmethod
    def add_multi_role_personas(cls, target):
        # Only for the classes that ask: a further principal of S1 would be one
        # more recipient of every reminder the other tests count.
        users = target.users
        for name in MULTI_ROLE_PERSONAS:
            users[name] = UserFactory(username=name, password=PASSWORD)
            setattr(target, name, users[name])
        assign(users["principal1_police2"], Role.PRINCIPAL, target.s1)
        assign(users["principal1_police2"], Role.POLICE_LIAISON, target.p2)
        assign(users["district1_principal2"], Role.DISTRICT_STAFF, target.d1)
        assign(users["district1_principal2"], Role.PRINCIPAL, target.s2)


class WorldTestCase(TestCase):
    """A TestCase with the world built once for the class.

    `multi_role_personas = True` adds the multi-role personas (the permission
    tests ask for them).
    """

    multi_role_personas = False

    @classmethod
    def setUpTestData(cls):
        World.build(cls)

    def school(self, key):
        return getattr(self, key)

    def api(self, persona=None) -> APIClient:
        client = APIClient()
        if persona:
            # A fresh user object each time, so no scope is cached across requests.
            client.force_authenticate(self.users[persona].__class__.objects.get(username=persona))
        return client


class PinnedClockMixin:
    """Today pinned to `pinned_at` (an aware datetime) for the whole test class."""

    pinned_at = None

    @classmethod
    def setUpClass(cls):
        cls.traveller = time_machine.travel(cls.pinned_at, tick=False)
        cls.traveller.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.traveller.stop()
