"""The equipment tests' world: the default catalogue and standard, and places at S1 and S2.

S1 (860 people: small) and S2 have a gatehouse at their south gate, a store
room and a building floor; S1 also has a guard on duty.
"""

import importlib

from django.apps import apps as django_apps
from django.db import connection

from equipment.models import EquipmentType, KitStandard, Location
from tests.base import WorldTestCase


def ensure_defaults():
    """The catalogue and standard `migrate` creates, created again if a flush removed them.

    A TransactionTestCase run earlier in this process (a browser or worker
    test) empties every table, and with them what the data migration made.
    """
    if not KitStandard.objects.national().exists():
        defaults = importlib.import_module("equipment.migrations.0002_default_catalogue")
        defaults.create_defaults(django_apps, None)


class EquipmentWorldTestCase(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ensure_defaults()
        cls.types = {t.code: t for t in EquipmentType.objects.filter(city=None)}
        for key in ("s1", "s2"):
            school = getattr(cls, key)
            gate = school.gates.get()
            setattr(
                cls,
                f"{key}_gatehouse",
                Location.objects.create(
                    school=school, kind="gatehouse", name="南门门卫室", gate=gate
                ),
            )
            setattr(
                cls,
                f"{key}_store",
                Location.objects.create(school=school, kind="store", name="器材室"),
            )
            setattr(
                cls,
                f"{key}_floor",
                Location.objects.create(school=school, kind="floor", name="教学楼1层"),
            )
        cls.s1_guard = Location.objects.create(school=cls.s1, kind="guard", name="南门值班保安")


def stock(user, location, equipment_type, quantity=1):
    """Receive `quantity` pieces of a type at a place (one by one if tracked so)."""
    from equipment.services import receive

    if equipment_type.is_serialised:
        return [receive(user, location, equipment_type) for _ in range(quantity)]
    return [receive(user, location, equipment_type, quantity)]


def compliance_queries() -> int:
    """equipment/compliance.py's queries: the districts selected, the standards' lines, the
    sums; on PostgreSQL also the planner setting of the sums' transaction, which a test
    (itself in a transaction) sees between a savepoint and its release."""
    return 3 + (3 if connection.vendor == "postgresql" else 0)
