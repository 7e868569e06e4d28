"""Drill requirements as data: the defaults, the schools they apply to, what satisfies them."""

from drills import services
from drills.models import DrillRequirement
from schools.models import ObligationOverride, ObligationRule, ObligationWindow
from schools.obligations import due_windows
from tests.drills_world import DAY, DrillWorldTestCase
from tests.obligations_world import D, at

DRILL_CODES = {
    "monthly-drill",
    "kindergarten-quarterly-drill",
    "term-evacuation-drill",
    "night-dormitory-drill",
    "bus-drill",
}
TRAINING_CODES = {"guard-training", "staff-fire-training"}
AUTUMN = (D(2026, 9, 1), D(2027, 1, 22))


def codes(windows):
    return {window.rule.code for window in windows}


class DefaultTests(DrillWorldTestCase):
    def test_migrate_creates_the_defaults_with_their_sources(self):
        rules = {rule.code: rule for rule in ObligationRule.objects.filter(domain="drills")}
        self.assertEqual(set(rules), DRILL_CODES | TRAINING_CODES)
        for code, rule in rules.items():
            with self.subTest(code=code):
                self.assertIsNone(rule.city_id)
                self.assertIn(" / ", rule.source)  # Chinese with English
        requirements = {
            r.obligation.code: r for r in DrillRequirement.objects.select_related("obligation")
        }
        self.assertEqual(set(requirements), DRILL_CODES)
        self.assertEqual(rules["monthly-drill"].basis, "month")
        self.assertIn("2014", rules["monthly-drill"].source)
        self.assertNotIn("kindergarten", rules["monthly-drill"].school_types)
        self.assertEqual(rules["kindergarten-quarterly-drill"].basis, "quarter")
        self.assertEqual(rules["term-evacuation-drill"].basis, "term")
        self.assertIn("2006", rules["term-evacuation-drill"].source)
        night = requirements["night-dormitory-drill"]
        self.assertEqual(
            (night.obligation.basis, night.obligation.required_count, night.obligation.boarding),
            ("year", 2, "only"),
        )
        self.assertTrue(night.at_night)
        self.assertEqual(night.drill_types, ["night_dormitory"])
        bus = requirements["bus-drill"]
        self.assertEqual((bus.obligation.required_count, bus.obligation.buses_only), (2, True))
        self.assertEqual(rules["guard-training"].basis, "term")

    def test_a_primary_school_owes_a_drill_a_month_and_an_evacuation_a_term(self):
        windows = due_windows([self.s1], *AUTUMN, domain="drills", now=at(DAY))
        self.assertEqual(
            codes(windows),
            {"monthly-drill", "term-evacuation-drill"} | TRAINING_CODES,
        )
        months = [w.date for w in windows if w.rule.code == "monthly-drill"]
        self.assertEqual(months[0], D(2026, 9, 1))
        self.assertEqual(len(months), 5)  # September to January

    def test_a_kindergarten_owes_a_drill_a_quarter_not_a_month(self):
        windows = due_windows([self.k1], *AUTUMN, domain="drills", now=at(DAY))
        self.assertIn("kindergarten-quarterly-drill", codes(windows))
        self.assertIn("term-evacuation-drill", codes(windows))
        self.assertNotIn("monthly-drill", codes(windows))

    def test_a_boarding_school_owes_two_night_dormitory_drills_a_year(self):
        self.assertNotIn(
            "night-dormitory-drill", codes(due_windows([self.s1], *AUTUMN, domain="drills"))
        )
        self.s1.is_boarding = True
        self.s1.save()
        [window] = [
            w
            for w in due_windows([self.s1], *AUTUMN, domain="drills")
            if w.rule.code == "night-dormitory-drill" and w.date.year == 2026
        ]
        self.assertEqual((window.date, window.required), (D(2026, 1, 1), 2))

    def test_a_school_with_buses_owes_two_bus_drills_a_year(self):
        self.assertNotIn("bus-drill", codes(due_windows([self.s1], *AUTUMN, domain="drills")))
        self.s1.runs_buses = True
        self.s1.save()
        windows = due_windows([self.s1], *AUTUMN, domain="drills")
        bus = [w for w in windows if w.rule.code == "bus-drill"]
        self.assertEqual([w.required for w in bus], [2, 2])  # 2026 and 2027

    def test_a_month_without_school_days_asks_for_no_drill(self):
        summer = due_windows([self.s1], D(2026, 8, 1), D(2026, 8, 31), domain="drills")
        self.assertNotIn("monthly-drill", codes(summer))

    def test_city_staff_switch_a_requirement_off_for_a_district(self):
        ObligationOverride.objects.create(
            rule=ObligationRule.objects.get(code="monthly-drill"),
            district=self.d1,
            applies=False,
            reason="试点区改为每季度",
        )
        self.assertNotIn("monthly-drill", codes(due_windows([self.s1], *AUTUMN, domain="drills")))
        self.assertIn("monthly-drill", codes(due_windows([self.s2], *AUTUMN, domain="drills")))


class SignedOffDrillTests(DrillWorldTestCase):
    def status(self, school, code, day=DAY):
        [window] = [
            w
            for w in due_windows([school], day, day, domain="drills", now=at(DAY, 18))
            if w.rule.code == code
        ]
        return window.status, window.completions

    def test_a_signed_off_evacuation_satisfies_the_month_and_the_term(self):
        drill = self.held_drill()
        self.assertEqual(self.status(self.s1, "monthly-drill"), ("open", 0))
        services.sign_off(self.principal1, drill)
        self.assertEqual(self.status(self.s1, "monthly-drill"), ("done", 1))
        self.assertEqual(self.status(self.s1, "term-evacuation-drill"), ("done", 1))
        # Signing off is recorded under the drill's name, once.
        self.assertEqual(
            set(
                ObligationWindow.objects.filter(school=self.s1).values_list(
                    "rule__code", "completions"
                )
            ),
            {("monthly-drill", 1), ("term-evacuation-drill", 1)},
        )

    def test_a_drill_of_another_type_counts_for_the_month_but_not_the_evacuation(self):
        services.sign_off(self.principal1, self.held_drill(drill_type="lockdown"))
        self.assertEqual(self.status(self.s1, "monthly-drill"), ("done", 1))
        self.assertEqual(self.status(self.s1, "term-evacuation-drill"), ("open", 0))

    def test_only_a_night_dormitory_drill_at_night_counts_towards_the_night_drills(self):
        self.s1.is_boarding = True
        self.s1.save()
        services.sign_off(self.principal1, self.held_drill(drill_type="night_dormitory"))
        self.assertEqual(self.status(self.s1, "night-dormitory-drill"), ("open", 0))
        services.sign_off(
            self.principal1, self.held_drill(drill_type="night_dormitory", start=at(DAY, 21, 30))
        )
        self.assertEqual(self.status(self.s1, "night-dormitory-drill"), ("open", 1))
        self.assertEqual(self.status(self.s1, "term-evacuation-drill"), ("done", 2))

    def test_a_kindergartens_drill_counts_for_its_quarter(self):
        services.sign_off(self.users["admin"], self.held_drill(self.k1, drill_type="earthquake"))
        self.assertEqual(self.status(self.k1, "kindergarten-quarterly-drill"), ("done", 1))

    def test_a_bus_drill_counts_at_a_school_with_buses(self):
        self.s1.runs_buses = True
        self.s1.save()
        services.sign_off(self.principal1, self.held_drill(drill_type="bus"))
        self.assertEqual(self.status(self.s1, "bus-drill"), ("open", 1))

    def test_a_city_rule_replaces_the_national_one_for_its_schools(self):
        national = ObligationRule.objects.get(code="monthly-drill")
        own = ObligationRule.objects.create(
            city=self.city_a,
            domain="drills",
            code="monthly-drill",
            name="滨州每月演练（仅疏散）",
            basis="month",
            source="滨州市教育局",
        )
        DrillRequirement.objects.create(obligation=own, drill_types=["fire_evacuation"])
        services.sign_off(self.principal1, self.held_drill(drill_type="lockdown"))
        self.assertFalse(ObligationWindow.objects.filter(rule__in=[national, own]).exists())
        services.sign_off(self.principal1, self.held_drill())
        self.assertEqual(
            list(ObligationWindow.objects.filter(rule__code="monthly-drill").values_list("rule")),
            [(own.pk,)],
        )
