"""The coordination test world: the shared personas (tests/base.py) and builders for
meetings, action items, factors, appointments and activities at their schools."""

import datetime
from importlib import import_module

from django.apps import apps as django_apps

from coordination.choices import Level
from coordination.models import (
    ActionItem,
    Activity,
    ActivityMinimum,
    Appointment,
    Decision,
    Factor,
    Meeting,
)
from schools.models import ObligationRule
from tests.base import WorldTestCase

DEFAULTS = import_module("coordination.migrations.0002_defaults_and_appointments")
CADENCE_DEFAULTS = import_module("coordination.migrations.0003_meeting_cadence")


def restore_coordination_defaults():
    """The rows coordination's data migrations make, again where a TransactionTestCase run
    earlier in this process flushed them (as tests/obligations_world.py does for others)."""
    if (
        not ActivityMinimum.objects.filter(city=None).exists()
        or not ObligationRule.objects.filter(city=None, code=DEFAULTS.MEETING_RULE).exists()
    ):
        ActivityMinimum.objects.filter(city=None).delete()
        DEFAULTS.forwards(django_apps, None)
    # get_or_create: harmless when they are there.
    CADENCE_DEFAULTS.forwards(django_apps, None)


DAY = datetime.date(2026, 10, 12)
KEYS = ("s1", "s2", "s3")


def make_meeting(school=None, district=None, city=None, **fields):
    if school is not None:
        level, unit = Level.SCHOOL, {"school": school}
    elif district is not None:
        level, unit = Level.DISTRICT, {"district": district}
    else:
        level, unit = Level.CITY, {"city": city}
    fields.setdefault("title", "校园安全工作例会")
    fields.setdefault("held_on", DAY)
    return Meeting.objects.create(level=level, **unit, **fields)


def make_item(meeting, owner_school=None, owner_district=None, due_on=DAY, title="加装防冲撞桩"):
    decision = Decision.objects.create(meeting=meeting, text="加强校门口安全防范")
    return ActionItem.objects.create(
        meeting=meeting,
        decision=decision,
        title=title,
        owner_school=owner_school,
        owner_district=owner_district,
        due_on=due_on,
    )


def make_factor(school, reported_by=None, **fields):
    fields.setdefault("category", "traffic")
    fields.setdefault("risk", 2)
    fields.setdefault("description", "校门口路段车速过快，缺少减速带")
    fields.setdefault("review_on", DAY + datetime.timedelta(days=14))
    return Factor.objects.create(school=school, reported_by=reported_by, **fields)


def make_appointment(school, starts_on=datetime.date(2026, 1, 1), **fields):
    fields.setdefault("name", "张警官")
    fields.setdefault("organisation", "police")
    fields.setdefault("phone", "13812345678")
    return Appointment.objects.create(school=school, starts_on=starts_on, **fields)


def make_activity(school, held_on=DAY, **fields):
    fields.setdefault("activity_type", "lecture")
    fields.setdefault("audience", "pupils")
    fields.setdefault("participants", 300)
    return Activity.objects.create(school=school, held_on=held_on, **fields)


class CoordinationWorldTestCase(WorldTestCase):
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        restore_coordination_defaults()
        super().setUpTestData()

    def key_of(self, school):
        return next(key for key in KEYS if getattr(self, key).pk == school.pk)

    def login(self, persona):
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))
