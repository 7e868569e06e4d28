"""The calendar and rules the obligation tests share.

City A has an autumn term 2026 from 1 September to 22 January and a spring
term to 3 July; the summer vacation lies between. National Day 2026 closes
1-7 October, and Saturday 10 October is worked in exchange.
"""

import datetime
import importlib

from django.apps import apps as django_apps
from django.utils import timezone

from schools.models import ObligationRule, Term
from tests.base import WorldTestCase

D = datetime.date

# The data migration of each app that declares default obligations.
DEFAULTS_MIGRATIONS = {
    "inspections": (
        ("inspections.migrations.0002_default_checklists", "create_defaults"),
        ("inspections.migrations.0005_rule_walks_checkpoints", "supervision_walks_no_checkpoints"),
    ),
    "drills": (("drills.migrations.0002_default_requirements", "create_defaults"),),
    "equipment": (("equipment.migrations.0005_default_extinguisher_rule", "create_default"),),
}


def at(day, hour=0, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_rule(code, basis, **fields):
    fields.setdefault("name", code)
    fields.setdefault("domain", "tests")
    fields.setdefault("source", "test")
    return ObligationRule.objects.create(code=code, basis=basis, **fields)


def restore_default_rules():
    """Create again the default rules of each app's data migration, where they are missing.

    A TransactionTestCase run earlier in this process (a browser or worker
    test) flushed the tables, and with them what the data migrations created.
    """
    for domain, steps in DEFAULTS_MIGRATIONS.items():
        if not ObligationRule.objects.filter(city=None, domain=domain).exists():
            for migration, function in steps:
                getattr(importlib.import_module(migration), function)(django_apps, None)


class ObligationWorldTestCase(WorldTestCase):
    # The defaults `migrate` creates (inspections, drills) stay only for the tests of them.
    keep_default_rules = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        if not cls.keep_default_rules:
            ObligationRule.objects.all().delete()
        else:
            restore_default_rules()
        Term.objects.create(
            city=cls.city_a, name="2026 春季学期", start_date=D(2026, 2, 24), end_date=D(2026, 7, 3)
        )
        Term.objects.create(
            city=cls.city_a, name="2026 秋季学期", start_date=D(2026, 9, 1), end_date=D(2027, 1, 22)
        )
