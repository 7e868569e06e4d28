"""Checkpoints, checklist templates and their versions, and the rules' overrides, page by page."""

from django.urls import reverse

from inspections.checklists import publish_version
from inspections.models import ChecklistTemplate, ChecklistVersion, Checkpoint
from schools.models import ObligationOverride
from tests.base import LAYOUT_QUERIES
from tests.inspections_pages import SCHOOL_STAFF, InspectionsPageTestCase


class CheckpointTests(InspectionsPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.checkpoints = {
            key: Checkpoint.objects.create(
                school=getattr(cls, key),
                name="南门岗",
                kind="gate",
                gate=getattr(cls, key).gates.get(),
            )
            for key in ("s1", "s2", "s3")
        }

    def data(self, school, **changes):
        return {
            "school": school.pk,
            "name": "一号宿舍楼",
            "kind": "dormitory",
            "gate": "",
            "description": "",
            "position": 2,
            "is_active": "on",
            **changes,
        }

    def test_who_reads_the_list(self):
        for persona, keys in {
            "principal1": {"s1"},
            "police2": {"s2"},
            "city": {"s1", "s2"},
            "admin": {"s1", "s2", "s3"},
            "outsider": set(),
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                listed = set(
                    self.client.get(reverse("inspections:checkpoints")).context["object_list"]
                )
                self.assertEqual(listed, {self.checkpoints[key] for key in keys})

    def test_who_adds(self):
        url = reverse("inspections:checkpoint-add")
        for persona, status in {
            "district1": 403,
            "police1": 403,
            "city": 403,
            "outsider": 403,
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(url).status_code, status)
                self.assertEqual(self.client.post(url, self.data(self.s1)).status_code, status)
        self.login("principal1_police2")
        # Its own school is a choice; the other school (police there) is not.
        response = self.client.post(url, self.data(self.s2))
        self.assertEqual(response.status_code, 200)
        self.assertIn("school", response.context["form"].errors)
        self.assertEqual(Checkpoint.objects.count(), 3)
        # District staff of D1 and principal of S2: adds at S2, not at S1.
        self.login("district1_principal2")
        response = self.client.post(url, self.data(self.s1))
        self.assertIn("school", response.context["form"].errors)
        response = self.client.post(url, self.data(self.s2))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Checkpoint.objects.filter(school=self.s2, name="一号宿舍楼").exists())
        self.login("officer1")
        response = self.client.post(url, self.data(self.s1))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Checkpoint.objects.filter(school=self.s1, name="一号宿舍楼").exists())

    def test_bad_input_is_a_form_error(self):
        self.login("principal1")
        url = reverse("inspections:checkpoint-add")
        cases = {
            "a name taken": {"name": "南门岗"},
            "another school's gate": {"gate": self.s2.gates.get().pk},
            "no kind": {"kind": "nonsense"},
        }
        for name, changes in cases.items():
            with self.subTest(name):
                response = self.client.post(url, self.data(self.s1, **changes))
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
        self.assertEqual(Checkpoint.objects.count(), 3)

    def test_edit_and_deactivate(self):
        self.each_persona(
            lambda key: reverse("inspections:checkpoint-edit", args=[self.checkpoints[key].pk]),
            SCHOOL_STAFF | {"admin"},
        )
        self.each_persona(
            lambda key: reverse("inspections:checkpoint-active", args=[self.checkpoints[key].pk]),
            SCHOOL_STAFF | {"admin"},
            method="post",
        )
        self.login("principal1")
        checkpoint = self.checkpoints["s1"]
        response = self.client.post(
            reverse("inspections:checkpoint-edit", args=[checkpoint.pk]),
            self.data(self.s2, name="南门岗亭"),
        )
        self.assertEqual(response.status_code, 302)
        checkpoint.refresh_from_db()
        # The school stays: a checkpoint's codes name it.
        self.assertEqual((checkpoint.name, checkpoint.school), ("南门岗亭", self.s1))

    def test_query_count(self):
        self.login("city")
        # session, user, role assignments; the count; the page with schools and gates.
        with self.assertNumQueries(5 + LAYOUT_QUERIES):
            self.client.get(reverse("inspections:checkpoints"))


class TemplateTests(InspectionsPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.national = ChecklistTemplate.objects.get(code="fire-patrol", city=None)
        cls.own = {}
        for key, city in (("a", cls.city_a), ("b", cls.city_b)):
            template = ChecklistTemplate.objects.create(
                city=city, code="fire-patrol", name=f"{key} 防火巡查", source="市规定"
            )
            publish_version(
                template,
                [
                    {
                        "text": "疏散通道畅通",
                        "answer_type": "pass_fail",
                        "hazard_category": "fire",
                        "source": "61号令",
                    }
                ],
            )
            cls.own[key] = template

    def item(self, n, **changes):
        return {
            f"items-{n}-text": "疏散通道畅通",
            f"items-{n}-answer_type": "pass_fail",
            f"items-{n}-hazard_category": "fire",
            f"items-{n}-hazard_level": "general",
            f"items-{n}-checkpoint_kinds": "[]",
            f"items-{n}-source": "61号令",
            **{f"items-{n}-{k}": v for k, v in changes.items()},
        }

    def data(self, *items, note="加一项"):
        data = {
            "items-TOTAL_FORMS": len(items),
            "items-INITIAL_FORMS": 0,
            "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 1000,
            "note": note,
        }
        for item in items:
            data.update(item)
        return data

    def test_everyone_in_scope_reads_items_and_sources(self):
        for persona in ("principal1", "police1", "district1", "city"):
            with self.subTest(persona=persona):
                self.login(persona)
                listed = set(
                    self.client.get(reverse("inspections:templates")).context["object_list"]
                )
                self.assertIn(self.national, listed)
                self.assertIn(self.own["a"], listed)
                self.assertNotIn(self.own["b"], listed)
                response = self.client.get(reverse("inspections:template", args=[self.national.pk]))
                self.assertContains(response, "公安部令第61号")
                response = self.client.get(reverse("inspections:template", args=[self.own["b"].pk]))
                self.assertEqual(response.status_code, 404)

    def test_list_query_count(self):
        self.login("city")
        # session, user, role assignments; the count; the page of templates with
        # their cities and newest version numbers.
        with self.assertNumQueries(5 + LAYOUT_QUERIES):
            self.client.get(reverse("inspections:templates"))

    def test_a_post_without_its_management_form_is_an_error(self):
        self.login("city")
        url = reverse("inspections:template-publish", args=[self.own["a"].pk])
        for data in ({"note": "x"}, {"items-TOTAL_FORMS": "x", "items-INITIAL_FORMS": "0"}):
            with self.subTest(data=data):
                self.assertEqual(self.client.post(url, data).status_code, 200)
        self.assertEqual(ChecklistVersion.objects.filter(template=self.own["a"]).count(), 1)

    def test_city_staff_publish_a_version_of_their_own(self):
        url = reverse("inspections:template-publish", args=[self.own["a"].pk])
        for persona, status in {
            "district1": 403,
            "principal1": 403,
            "police1": 403,
            "district1_principal2": 403,
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(url).status_code, status)
                self.assertEqual(self.client.post(url, self.data(self.item(0))).status_code, status)
        self.login("city")
        # Another city's: 404; the national default: 403 (administrators keep it).
        publish_b = reverse("inspections:template-publish", args=[self.own["b"].pk])
        self.assertEqual(self.client.get(publish_b).status_code, 404)
        publish_national = reverse("inspections:template-publish", args=[self.national.pk])
        self.assertEqual(self.client.get(publish_national).status_code, 403)
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url, self.data(self.item(0), self.item(1, text="灭火器在位", correctable_on_spot="on"))
        )
        self.assertRedirects(response, reverse("inspections:template", args=[self.own["a"].pk]))
        version = self.own["a"].current_version
        self.assertEqual((version.number, version.note), (2, "加一项"))
        self.assertEqual(
            [item.text for item in version.items.order_by("position")],
            ["疏散通道畅通", "灭火器在位"],
        )

    def test_bad_items_are_form_errors(self):
        self.login("city")
        url = reverse("inspections:template-publish", args=[self.own["a"].pk])
        cases = {
            "a range on pass/fail": self.data(self.item(0, min_value="1")),
            "a range upside down": self.data(
                self.item(0, answer_type="number", min_value="5", max_value="1")
            ),
            "no items": self.data(),
            "no note": self.data(self.item(0), note=""),
            "a bad kind": self.data(self.item(0, checkpoint_kinds='["moon"]')),
        }
        for name, data in cases.items():
            with self.subTest(name):
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 200)
        self.assertEqual(ChecklistVersion.objects.filter(template=self.own["a"]).count(), 1)


class OverrideTests(InspectionsPageTestCase):
    def data(self, **changes):
        return {
            "district": self.d1.pk,
            "school_code": "",
            "applies": "",
            "required_count": 2,
            "grace": "",
            "slots": "",
            "reason": "重点校",
            **changes,
        }

    def test_rules_list(self):
        ObligationOverride.objects.create(rule=self.fire_patrol, district=self.d1, required_count=2)
        ObligationOverride.objects.create(rule=self.fire_patrol, district=self.d3, required_count=3)
        self.login("district1")
        response = self.client.get(reverse("inspections:rules"))
        rule = next(r for r in response.context["object_list"] if r.obligation == self.fire_patrol)
        self.assertEqual([o.district for o in rule.obligation.overrides.all()], [self.d1])
        self.assertNotContains(response, reverse("inspections:override-add", args=[rule.pk]))
        self.login("city")
        # session, user, role assignments; the count; the rules with their
        # obligations, cities and templates; the overrides with districts and schools.
        with self.assertNumQueries(6 + LAYOUT_QUERIES):
            self.client.get(reverse("inspections:rules"))

    def test_city_staff_override_for_a_district_or_school(self):
        rule = self.fire_patrol.inspection_rule
        url = reverse("inspections:override-add", args=[rule.pk])
        for persona in ("district1", "principal1", "police1", "district1_principal2"):
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.post(url, self.data()).status_code, 403)
        self.assertFalse(ObligationOverride.objects.exists())
        self.login("city")
        self.assertEqual(
            self.client.get(reverse("inspections:override-add", args=[999999])).status_code, 404
        )
        for name, changes in {
            "both": {"school_code": self.s1.code},
            "neither": {"district": ""},
            "another city's school": {"district": "", "school_code": self.s3.code},
            "another city's district": {"district": self.d3.pk},
            "bad slots": {"slots": "25:00-26:00"},
        }.items():
            with self.subTest(name):
                response = self.client.post(url, self.data(**changes))
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
        self.assertFalse(ObligationOverride.objects.exists())
        self.assertRedirects(self.client.post(url, self.data()), reverse("inspections:rules"))
        response = self.client.post(
            url, self.data(district="", school_code=self.s2.code, applies="false")
        )
        self.assertRedirects(response, reverse("inspections:rules"))
        self.assertEqual(ObligationOverride.objects.count(), 2)
        # Once per district.
        response = self.client.post(url, self.data())
        self.assertEqual(response.status_code, 200)
        override = ObligationOverride.objects.get(district=self.d1)
        delete = reverse("inspections:override-delete", args=[override.pk])
        # District staff see their district's override; a school's staff do not.
        for persona, status in {"district1": 403, "principal1": 404, "outsider": 404}.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.post(delete).status_code, status)
        self.login("city")
        self.assertRedirects(self.client.post(delete), reverse("inspections:rules"))
        self.assertEqual(ObligationOverride.objects.count(), 1)
