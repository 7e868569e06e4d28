"""The guard rule (CHECKS.md §6): its pages and API, who reads and changes it, its change
history, and what a change does to the guards target of the four 100%.

City A follows the national default (GB/T 29315-2022, seeded by posts 0009) unless a test
gives it its own rule; city B has its own. S1 has two licensed guards on its roster and
800 pupils (tests/posts_world.py): the national rule asks for 2.
"""

import datetime

from auditlog.models import LogEntry
from django.db import transaction
from django.urls import reverse

from dashboards.models import IndicatorSnapshot, SnapshotDay
from dashboards.snapshots import take
from dashboards.values import values
from posts.models import GuardRule
from schools.models import School
from tests.base import LAYOUT_QUERIES, PERSONAS
from tests.dashboards_world import build_evidence, restore_defaults
from tests.factories import CityFactory
from tests.permissions import ALL_PERSONAS, ScopedAPITests
from tests.posts_world import TODAY, PostsWorldTestCase

AS_OF = TODAY - datetime.timedelta(days=1)
CITY_STAFF = {"admin", "city"}
# Everyone but the outsider reads the rule of city A (each reaches a school there).
READERS = set(ALL_PERSONAS) - {"outsider"}
# A full rule, as the form posts it (count_staff unticked is simply absent).
FIGURES = {
    "name": "滨州市护校安保标准",
    "source": "滨州市教育局 2026 年第 3 号文",
    "minimum": "3",
    "boarding_minimum": "4",
    "small_below": "100",
    "small_minimum": "1",
    "step_from": "1000",
    "at_step": "3",
    "step_every": "500",
}


class GuardRuleWorld(PostsWorldTestCase):
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        restore_defaults()
        cls.national = GuardRule.objects.get(city=None)
        GuardRule.objects.create(city=cls.city_b, name="东营市标准", source="东营市", minimum=3)

    def own_rule(self, city):
        return GuardRule.objects.filter(city=city).first()


class GuardRuleAPITests(ScopedAPITests, GuardRuleWorld):
    basename = "guardrule"
    can_create = can_update = can_delete = CITY_STAFF

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        GuardRule.objects.create(city=cls.city_a, name="滨州市标准", source="滨州市", minimum=2)

    def object_for(self, school):
        return GuardRule.objects.get(city_id=school.district.city_id)

    def before_create(self, school):
        # One rule a city: the new one replaces it.
        GuardRule.objects.filter(city_id=school.district.city_id).delete()

    def create_payload(self, school):
        return {
            "city": school.district.city_id,
            "name": f"本市标准{self.seq()}",
            "source": "市教育局",
            "minimum": 2,
            "step_from": 1000,
            "at_step": 3,
            "step_every": 500,
        }

    def update_payload(self, obj):
        return {"source": f"市教育局 {self.seq()}"}

    def test_everyone_in_scope_reads_the_national_default_too(self):
        for persona in READERS:
            with self.subTest(persona=persona):
                self.assertIn(self.national.pk, self.list_ids(persona))
        self.assertEqual(self.list_ids("outsider"), set())

    def test_the_checks_are_the_models(self):
        rule = self.own_rule(self.city_a)
        client = self.api("city")
        cases = [
            ({"step_from": 1000}, {"at_step", "step_every"}),
            ({"step_from": 1000, "at_step": 3, "step_every": 0}, {"step_every"}),
            ({"small_below": 100}, {"small_minimum"}),
            ({"small_minimum": 1}, {"small_below"}),
            ({"minimum": 0}, {"minimum"}),
            ({"boarding_minimum": 0}, {"boarding_minimum"}),
            ({"minimum": "many"}, {"minimum"}),
        ]
        for payload, fields in cases:
            with self.subTest(payload=payload):
                response = client.patch(self.detail_url(rule), payload, format="json")
                self.assertEqual(response.status_code, 400, response.content)
                self.assertEqual(set(response.json()), fields)
                self.assertEqual(GuardRule.objects.get(pk=rule.pk).updated, rule.updated)

    def test_the_national_default_is_the_administrators(self):
        client = self.api("city")
        before = GuardRule.objects.count()
        created = client.post(
            self.list_url(), {**self.create_payload(self.s1), "city": None}, format="json"
        )
        self.assertIn(created.status_code, (400, 403), created.content)
        changed = client.patch(self.detail_url(self.national), {"minimum": 5}, format="json")
        self.assertEqual(changed.status_code, 403)
        # A second national default is a field error, never a crash.
        twice = self.api("admin").post(
            self.list_url(), {**self.create_payload(self.s1), "city": None}, format="json"
        )
        self.assertEqual(twice.status_code, 400, twice.content)
        self.assertEqual(GuardRule.objects.count(), before)
        self.national.refresh_from_db()
        self.assertEqual(self.national.minimum, 2)

    def test_a_rule_stays_its_citys(self):
        rule = self.own_rule(self.city_a)
        response = self.api("admin").patch(
            self.detail_url(rule), {"city": self.city_b.pk, "minimum": 4}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        rule.refresh_from_db()
        self.assertEqual((rule.city_id, rule.minimum), (self.city_a.pk, 4))

    def test_a_change_is_logged_with_who_when_and_old_and_new(self):
        rule = self.own_rule(self.city_a)
        response = self.api("city").patch(self.detail_url(rule), {"minimum": 4}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        entry = LogEntry.objects.get_for_object(rule).get(action=LogEntry.Action.UPDATE)
        self.assertEqual(entry.actor, self.city)
        self.assertEqual(entry.changes_dict, {"minimum": ["2", "4"]})
        self.assertEqual(entry.additional_data, {"city": self.city_a.pk})


class GuardRulePageTests(GuardRuleWorld):
    def login(self, persona):
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))

    def statuses(self, url, expected, method="get", data=None):
        """Each persona's status for `url`: `expected(persona)`; every write undone."""
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona, url=url):
                self.login(persona)
                with transaction.atomic():
                    response = getattr(self.client, method)(url, data or {})
                    transaction.set_rollback(True)
                self.assertEqual(response.status_code, expected(persona), response.content[:300])

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        pages = [
            ("get", reverse("posts:guard-rules")),
            ("get", reverse("posts:guard-rule", args=[self.city_a.pk])),
            ("get", reverse("posts:guard-rule-national")),
            ("get", reverse("posts:guard-rule-edit", args=[self.city_a.pk])),
            ("post", reverse("posts:guard-rule-edit", args=[self.city_a.pk])),
            ("get", reverse("posts:guard-rule-edit-national")),
            ("post", reverse("posts:guard-rule-reset", args=[self.city_b.pk])),
        ]
        for method, url in pages:
            with self.subTest(method=method, url=url):
                response = getattr(self.client, method)(url, FIGURES if method == "post" else {})
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])
        self.assertIsNone(self.own_rule(self.city_a))
        self.assertIsNotNone(self.own_rule(self.city_b))

    def test_who_reads_the_rules(self):
        self.statuses(
            reverse("posts:guard-rules"), lambda persona: 200 if persona in READERS else 403
        )
        self.login("principal1")
        page = self.client.get(reverse("posts:guard-rules"))
        self.assertContains(page, self.city_a.name)
        self.assertNotContains(page, self.city_b.name)
        self.assertContains(page, "GB/T 29315-2022")
        self.statuses(
            reverse("posts:guard-rule", args=[self.city_a.pk]),
            lambda persona: 200 if persona in READERS else 404,
        )
        self.statuses(
            reverse("posts:guard-rule", args=[self.city_b.pk]),
            lambda persona: 200 if persona == "admin" else 404,
        )
        self.statuses(
            reverse("posts:guard-rule-national"),
            lambda persona: 200 if persona in READERS else 404,
        )

    def test_who_changes_a_citys_rule(self):
        def city_a(persona):
            if persona in CITY_STAFF:
                return 200
            return 403 if persona in READERS else 404

        edit_a = reverse("posts:guard-rule-edit", args=[self.city_a.pk])
        self.statuses(edit_a, city_a)
        self.statuses(edit_a, lambda p: 302 if p in CITY_STAFF else city_a(p), "post", FIGURES)
        self.assertIsNone(self.own_rule(self.city_a))
        edit_b = reverse("posts:guard-rule-edit", args=[self.city_b.pk])
        self.statuses(edit_b, lambda persona: 200 if persona == "admin" else 404)
        reset_b = reverse("posts:guard-rule-reset", args=[self.city_b.pk])
        self.statuses(reset_b, lambda persona: 302 if persona == "admin" else 404, "post")
        GuardRule.objects.create(city=self.city_a, name="滨州市标准", source="滨州市", minimum=2)
        reset_a = reverse("posts:guard-rule-reset", args=[self.city_a.pk])
        self.statuses(reset_a, lambda p: 302 if p in CITY_STAFF else city_a(p), "post")
        self.assertIsNotNone(self.own_rule(self.city_a))

    def test_only_administrators_change_the_national_default(self):
        url = reverse("posts:guard-rule-edit-national")
        self.statuses(
            url,
            lambda persona: {"admin": 200, "outsider": 404}.get(persona, 403),
        )
        self.login("admin")
        response = self.client.post(url, {**FIGURES, "name": "GB/T 29315-2022", "minimum": "2"})
        self.assertRedirects(response, reverse("posts:guard-rule-national"))
        self.national.refresh_from_db()
        self.assertEqual(self.national.boarding_minimum, 4)

    def test_city_staff_set_their_own_rule_then_go_back_to_the_default(self):
        self.login("city")
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        edit = reverse("posts:guard-rule-edit", args=[self.city_a.pk])
        page = reverse("posts:guard-rule", args=[self.city_a.pk])
        # The form starts from the national figures the city follows.
        form = self.client.get(edit).context["form"]
        self.assertEqual(form.initial["name"], "GB/T 29315-2022")
        self.assertEqual((form.initial["minimum"], form.initial["step_every"]), (2, 500))
        # The model's checks, as the form's errors; nothing saved.
        invalid = self.client.post(edit, {**FIGURES, "at_step": "", "step_every": ""})
        self.assertEqual(invalid.status_code, 200)
        self.assertEqual(set(invalid.context["form"].errors), {"at_step", "step_every"})
        self.assertIsNone(self.own_rule(self.city_a))
        # Saved: the city's own rule.
        self.assertRedirects(self.client.post(edit, FIGURES), page)
        rule = self.own_rule(self.city_a)
        self.assertEqual((rule.minimum, rule.boarding_minimum, rule.step_every), (3, 4, 500))
        self.assertRedirects(self.client.post(edit, {**FIGURES, "minimum": "4"}), page)
        shown = self.client.get(page)
        self.assertContains(shown, "滨州市教育局 2026 年第 3 号文")
        history = shown.context["history"]
        self.assertEqual([entry.action for entry, _changes in history], [1, 0])
        changed, changes = history[0]
        self.assertEqual(changed.actor, self.city)
        self.assertEqual(changes, [("minimum guards", "3", "4")])
        self.assertContains(shown, "minimum guards: 3 → 4")
        # What it asks: 1,600 pupils at a day school, 3 + 1 per further 500 from 1,000.
        self.assertIn((1600, 4, 4), shown.context["examples"])
        # Back to the national default; the history goes on.
        reset = reverse("posts:guard-rule-reset", args=[self.city_a.pk])
        self.assertRedirects(self.client.post(reset), page)
        self.assertIsNone(self.own_rule(self.city_a))
        shown = self.client.get(page)
        self.assertEqual(shown.context["rule"], self.national)
        self.assertEqual([entry.action for entry, _ in shown.context["history"]], [2, 1, 0])
        # Another city's history is its own.
        other = self.client.get(reverse("posts:guard-rule-national"))
        self.assertEqual(list(other.context["history"]), [])

    def test_a_change_counts_today_and_leaves_the_snapshots_of_past_days(self):
        build_evidence(self)
        take(AS_OF)
        snapshots = list(IndicatorSnapshot.objects.order_by("pk").values())
        day = SnapshotDay.objects.get(date=AS_OF)
        s1 = School.objects.filter(pk=self.s1.pk)

        def guards(as_of=None):
            [row] = values(s1, ["posts.guards"], as_of)
            return row.numerator, row.denominator

        def through_the_api(as_of=None):
            query = {"indicator": "posts.guards", "school": self.s1.pk}
            if as_of:
                query["as_of"] = as_of.isoformat()
            [row] = self.api("city").get(reverse("indicator-values"), query).json()["results"]
            return row["numerator"], row["denominator"]

        self.assertEqual((guards(), guards(AS_OF)), ((1, 1), (1, 1)))
        # City A asks three licensed guards of every school; S1 has two.
        self.login("city")
        edit = reverse("posts:guard-rule-edit", args=[self.city_a.pk])
        self.assertEqual(self.client.post(edit, FIGURES).status_code, 302)
        self.assertEqual(guards(), (0, 1))
        self.assertEqual(through_the_api(), (0, 1))
        # Yesterday's figure is its snapshot's, taken under the national rule.
        self.assertEqual(guards(AS_OF), (1, 1))
        self.assertEqual(through_the_api(AS_OF), (1, 1))
        self.assertEqual(list(IndicatorSnapshot.objects.order_by("pk").values()), snapshots)
        self.assertEqual(SnapshotDay.objects.get(date=AS_OF).taken_at, day.taken_at)

    def test_the_dashboards_and_the_guards_list_link_to_it(self):
        rules = reverse("posts:guard-rules")
        self.login("city")
        for url in (
            reverse("dashboards:proof", args=["posts.guards"]),
            reverse("dashboards:city"),
            reverse("dashboards:district", args=[self.d1.pk]),
        ):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), f'href="{rules}"')
        # Other indicators' proofs keep their rules in code: no link.
        self.assertNotContains(
            self.client.get(reverse("dashboards:proof", args=["posts.coverage"])),
            f'href="{rules}"',
        )
        self.login("principal1")
        guards = self.client.get(reverse("posts:members"), {"kind": "security_guard"})
        self.assertContains(guards, f'href="{rules}"')

    def test_pages_cost_the_same_queries_with_more_cities_and_history(self):
        # Session, user, scope, the layout's badge; then the page's own, listed below.
        base = 3 + LAYOUT_QUERIES
        self.login("admin")
        url = reverse("posts:guard-rule", args=[self.city_b.pk])
        # The city, its rule and the default, the history with its actors.
        self.client.get(url)  # content types cached
        with self.assertNumQueries(base + 3):
            self.client.get(url)
        rule = self.own_rule(self.city_b)
        for minimum in range(4, 9):
            rule.minimum = minimum
            rule.save()
        with self.assertNumQueries(base + 3):
            # Its addition (setUpTestData) and the five changes.
            self.assertEqual(len(self.client.get(url).context["history"]), 6)
        # The list: the count, a page of cities, their rules and the default.
        listed = reverse("posts:guard-rules")
        with self.assertNumQueries(base + 3):
            self.client.get(listed)
        for number in range(5):
            CityFactory(name=f"新城{number}", code=f"9900{number:02d}")
        with self.assertNumQueries(base + 3):
            self.assertEqual(len(self.client.get(listed).context["cities"]), 7)
        # City staff: the city's page asks whether they may change the rule (one query more).
        self.login("city")
        url = reverse("posts:guard-rule", args=[self.city_a.pk])
        with self.assertNumQueries(base + 4):
            self.assertTrue(self.client.get(url).context["may_edit"])


assert set(PERSONAS) - {"outsider"} <= READERS
