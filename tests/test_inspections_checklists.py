"""Checklists as data: default templates and rules, versions, checkpoints, who may change them."""

from django.core.exceptions import ValidationError

from inspections.checklists import publish_version, revise
from inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Checkpoint,
    InspectionRule,
)
from schools.models import ObligationRule
from schools.obligations import due_windows
from tests.obligations_world import D, ObligationWorldTestCase, at


class DefaultsWorldTestCase(ObligationWorldTestCase):
    keep_default_rules = True


CODES = {
    "security-patrol",
    "gate-check",
    "dormitory-night-patrol",
    "fire-patrol",
    "fire-check",
    "video-spot-check",
    "perimeter-inspection",
    "alarm-test",
    "building-sweep",
    "supervision-visit",
}


class DefaultTests(DefaultsWorldTestCase):
    def test_migrate_creates_the_defaults_with_their_sources(self):
        rules = {rule.obligation.code: rule for rule in InspectionRule.objects.all()}
        self.assertEqual(set(rules), CODES)
        for code, rule in rules.items():
            with self.subTest(code=code):
                self.assertEqual(rule.template.code, code)
                self.assertIsNone(rule.obligation.city_id)
                self.assertTrue(rule.obligation.source)
                items = list(rule.template.current_version.items.all())
                self.assertTrue(items)
                for item in items:
                    self.assertIn(" / ", item.text)  # Chinese with English
                    self.assertTrue(item.source and item.hazard_category)
        patrol = rules["security-patrol"].obligation
        self.assertEqual((patrol.basis, len(patrol.slots.split(","))), ("school_day", 5))
        dorm = rules["dormitory-night-patrol"].obligation
        self.assertEqual(
            (dorm.basis, dorm.required_count, dorm.boarding), ("boarding_night", 2, "only")
        )
        fire_check = rules["fire-check"].obligation
        self.assertEqual(fire_check.basis, "month")
        self.assertIn("季度", fire_check.source)  # the quarterly legal floor is noted
        self.assertIn("61号", fire_check.source)
        self.assertEqual(rules["gate-check"].obligation.basis, "day")
        self.assertEqual(rules["building-sweep"].obligation.basis, "term")

    def test_the_supervision_visit_is_scored_out_of_a_hundred_and_sampled_not_due(self):
        template = ChecklistTemplate.objects.get(code="supervision-visit")
        self.assertTrue(template.is_scored)
        items = template.current_version.items.all()
        self.assertEqual(sum(item.points for item in items), 100)
        self.assertFalse(ObligationRule.objects.get(code="supervision-visit").is_active)

    def test_a_school_day_of_a_boarding_school_under_the_defaults(self):
        self.s1.is_boarding = True
        self.s1.save()
        day = D(2026, 9, 28)  # a Monday in term
        windows = due_windows([self.s1], day, day, domain="inspections", now=at(day, 12))
        per_rule = {}
        for window in windows:
            if window.date == day:
                per_rule[window.rule.code] = per_rule.get(window.rule.code, 0) + 1
        self.assertEqual(per_rule["security-patrol"], 5)
        self.assertEqual(per_rule["gate-check"], 1)
        self.assertEqual(per_rule["fire-patrol"], 1)
        self.assertEqual(per_rule["dormitory-night-patrol"], 1)
        self.assertNotIn("supervision-visit", {w.rule.code for w in windows})
        # The month and the autumn term both begin on 1 September.
        periodic = {w.rule.code for w in windows if w.date == D(2026, 9, 1)}
        self.assertEqual(
            periodic,
            {"fire-check", "video-spot-check", "perimeter-inspection", "alarm-test"}
            | {"building-sweep"},
        )


class VersionTests(DefaultsWorldTestCase):
    def test_a_revision_is_a_new_version_and_the_old_one_stays(self):
        template = ChecklistTemplate.objects.get(code="fire-patrol")
        first = template.current_version
        before = list(first.items.values_list("text", flat=True))
        second = revise(template, note="加一项", **{"1": {"text": "用火用电 / Fire and power"}})
        self.assertEqual((first.number, second.number), (1, 2))
        self.assertEqual(list(first.items.values_list("text", flat=True)), before)
        self.assertEqual(second.items.get(position=1).text, "用火用电 / Fire and power")
        self.assertEqual(second.items.count(), len(before))
        self.assertEqual(template.current_version, second)

    def test_a_bad_item_publishes_nothing(self):
        template = ChecklistTemplate.objects.get(code="fire-patrol")
        item = {
            "text": "x",
            "answer_type": "number",
            "min_value": 5,
            "max_value": 1,
            "hazard_category": "fire",
        }
        with self.assertRaises(ValidationError):
            publish_version(template, [item])
        self.assertEqual(template.versions.count(), 1)
        with self.assertRaises(ValidationError):
            publish_version(
                template, [{"text": "x", "answer_type": "pass_fail", "hazard_category": "nonsense"}]
            )
        self.assertEqual(ChecklistVersion.objects.filter(template=template).count(), 1)


class AccessTests(DefaultsWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.cp1 = Checkpoint.objects.create(school=cls.s1, name="南门", kind="gate")
        cls.cp2 = Checkpoint.objects.create(school=cls.s2, name="配电房", kind="key_part")
        cls.own = ChecklistTemplate.objects.create(
            city=cls.city_a, code="fire-patrol", name="滨州防火巡查", source="滨州市教育局"
        )

    def test_school_staff_manage_their_checkpoints_others_read_in_scope(self):
        def reach(persona, action="view"):
            return set(Checkpoint.objects.for_user(self.users[persona], action))

        self.assertEqual(reach("principal1", "change"), {self.cp1})
        self.assertEqual(reach("officer1", "add"), {self.cp1})
        self.assertEqual(reach("district1", "change"), set())
        self.assertEqual(reach("district1"), {self.cp1})
        self.assertEqual(reach("police2"), {self.cp2})
        self.assertEqual(reach("city"), {self.cp1, self.cp2})
        self.assertEqual(reach("outsider"), set())

    def test_city_staff_edit_their_own_templates_and_everyone_reads_the_national_ones(self):
        national = ChecklistTemplate.objects.filter(city__isnull=True)
        self.assertEqual(set(ChecklistTemplate.objects.for_user(self.city, "change")), {self.own})
        self.assertFalse(ChecklistTemplate.objects.for_user(self.district1, "change").exists())
        seen = set(ChecklistTemplate.objects.for_user(self.principal2))
        self.assertEqual(seen, {*national, self.own})
        self.assertEqual(set(ChecklistTemplate.objects.for_user(self.principal2)), seen)
        # Items and rules follow their template's and obligation's city.
        self.assertFalse(ChecklistItem.objects.for_user(self.city, "change").exists())
        self.assertTrue(ChecklistItem.objects.for_user(self.police1).exists())
        self.assertFalse(InspectionRule.objects.for_user(self.city, "change").exists())
        self.assertEqual(InspectionRule.objects.for_user(self.police1).count(), len(CODES))

    def test_a_checkpoint_at_another_schools_gate_is_refused(self):
        foreign_gate = self.s2.gates.first()
        checkpoint = Checkpoint(school=self.s1, name="北门", kind="gate", gate=foreign_gate)
        with self.assertRaises(ValidationError) as caught:
            checkpoint.full_clean()
        self.assertIn("gate", caught.exception.message_dict)
