"""The round tests' world: a patrol rule with its checklist, five checkpoints a school, guards.

Each of S1, S2 and S3 has a gate and four key parts, and a guard (guard1 at S1
also has a colleague, guard1b). The patrol visits gates and key parts; at each
of them two pass/fail items are asked (the first may be corrected on the
spot), and the round as a whole asks one more.
"""

import datetime
from decimal import Decimal

from accounts.choices import Role
from inspections.checklists import publish_version
from inspections.models import ChecklistTemplate, Checkpoint, InspectionRule
from tests.base import PASSWORD
from tests.factories import UserFactory, assign
from tests.obligations_world import D, ObligationWorldTestCase, at, make_rule

MONDAY = D(2026, 11, 23)
NOW = at(MONDAY, 8, 0)
PLACES = [
    ("南门", "gate"),
    ("教学楼", "key_part"),
    ("食堂", "key_part"),
    ("配电房", "key_part"),
    ("实验室", "key_part"),
]
# S1 stands where tests/photos.py's GPS block says the photos were taken.
S1_POINT = (Decimal("37.380100"), Decimal("117.970100"))


def build_rounds(cls):
    """The rule, checklist, checkpoints and guards, on a world built by tests/base.py."""
    cls.s1.latitude, cls.s1.longitude = S1_POINT
    cls.s1.save(update_fields=["latitude", "longitude"])
    obligation = make_rule("patrol", "day", domain="inspections", grace=datetime.timedelta(hours=1))
    cls.template = ChecklistTemplate.objects.create(code="patrol", name="巡查", source="test")
    kinds = ["gate", "key_part"]
    cls.version = publish_version(
        cls.template,
        [
            {
                "text": "门窗锁具完好",
                "answer_type": "pass_fail",
                "correctable_on_spot": True,
                "hazard_category": "security",
                "checkpoint_kinds": kinds,
            },
            {
                "text": "无可疑人员",
                "answer_type": "pass_fail",
                "hazard_category": "security",
                "hazard_level": "serious",
                "checkpoint_kinds": kinds,
            },
            {
                "text": "值班记录已填写",
                "answer_type": "pass_fail",
                "hazard_category": "management",
            },
        ],
    )
    cls.items = list(cls.version.items.order_by("position"))
    cls.rule = InspectionRule.objects.create(
        template=cls.template, obligation=obligation, checkpoint_kinds=kinds
    )
    cls.checkpoints = {}
    for key in ("s1", "s2", "s3"):
        school = getattr(cls, key)
        cls.checkpoints[key] = [
            Checkpoint.objects.create(school=school, name=name, kind=kind, position=n)
            for n, (name, kind) in enumerate(PLACES)
        ]
    for name, key in (("guard1", "s1"), ("guard1b", "s1"), ("guard2", "s2"), ("guard3", "s3")):
        user = UserFactory(username=name, password=PASSWORD)
        assign(user, Role.GUARD, getattr(cls, key))
        cls.users[name] = user
        setattr(cls, name, user)


class RoundsWorldTestCase(ObligationWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_rounds(cls)
