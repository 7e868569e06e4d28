"""The drill requirement pages: the list, a requirement's page, city staff's writes and the
overrides, persona by persona (the multi-role ones too).

Everyone with a role reads the national defaults and their city's own requirements; city
staff keep their city's (admins the defaults too) and override them for their districts
and schools. The page and the API refuse the same things with the same words, and a
write from the page forgets the materialised windows exactly as the API's does.
"""

import datetime

from django.db import transaction
from django.urls import reverse

from accounts.choices import Role
from drills.models import DrillRequirement
from schools.models import ObligationCoverage, ObligationOverride, ObligationRule
from schools.obligations import due_windows, rules_for_cities
from tests.base import LAYOUT_QUERIES
from tests.drills_world import DrillWorldTestCase
from tests.factories import SchoolFactory, UserFactory, assign
from tests.obligations_world import D
from tests.permissions import ALL_PERSONAS, PageChecks
from tests.test_pages import PageTestCase

LIST = reverse("drills:requirements")
ADD = reverse("drills:requirement-add")
AUTUMN = (D(2026, 9, 1), D(2027, 1, 22))
CITY_STAFF = {"admin", "city"}
# Personas reading city A's requirements (all but the outsider, and city B's nobody but admin).
READERS = set(ALL_PERSONAS) - {"outsider"}


def rule_data(**changes):
    """What the requirement form posts for a new quarterly lockdown drill of city A."""
    data = {
        "name": "每季度防暴演练",
        "code": "quarterly-lockdown",
        "drill_types": ["lockdown", "anti_violence"],
        "basis": "quarter",
        "required_count": 1,
        "grace": 7,
        "boarding": "any",
        "source": "滨州市教育局 2026 年 3 号文",
    }
    data.update(changes)
    return data


class RequirementPageTestCase(DrillWorldTestCase, PageTestCase):
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.national = DrillRequirement.objects.select_related("obligation").get(
            obligation__code="monthly-drill"
        )
        cls.own = cls.requirement(cls.city_a, "city-a-lockdown", "滨州市防暴演练")
        cls.foreign = cls.requirement(cls.city_b, "city-b-drill", "东营市演练")
        monthly = cls.national.obligation
        cls.overrides = {
            key: ObligationOverride.objects.create(
                rule=monthly, school=getattr(cls, key), required_count=2, reason=f"{key} 重点校"
            )
            for key in ("s1", "s2", "s3")
        }
        cls.district_override = ObligationOverride.objects.create(
            rule=monthly, district=cls.d1, grace=datetime.timedelta(days=3), reason="试点区"
        )

    @staticmethod
    def requirement(city, code, name, **fields):
        rule = ObligationRule.objects.create(
            city=city, code=code, name=name, basis="quarter", domain="drills", source="市教育局"
        )
        return DrillRequirement.objects.create(obligation=rule, drill_types=["lockdown"], **fields)

    def cover(self):
        """Every school's windows materialised (what rates read): to see what a write forgets."""
        for school in (self.s1, self.s2, self.s3, self.k1):
            ObligationCoverage.objects.update_or_create(
                school=school, defaults={"first": D(2026, 9, 1), "last": D(2026, 12, 31)}
            )

    def covered(self):
        keys = {self.s1.pk: "s1", self.s2.pk: "s2", self.s3.pk: "s3", self.k1.pk: "k1"}
        return {keys[pk] for pk in ObligationCoverage.objects.values_list("school_id", flat=True)}

    def codes_listed(self, response):
        return {row.obligation.code for row in response.context["object_list"]}


class RequirementListTests(RequirementPageTestCase):
    def test_every_role_reads_the_defaults_and_its_city_s_own(self):
        national = {
            r.obligation.code for r in DrillRequirement.objects.filter(obligation__city=None)
        }
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(LIST, {"school": ""})
                self.assertEqual(response.status_code, 200)
                codes = self.codes_listed(response)
                if persona == "outsider":
                    self.assertEqual(codes, set())
                elif persona == "admin":
                    self.assertEqual(codes, national | {"city-a-lockdown", "city-b-drill"})
                else:
                    self.assertEqual(codes, national | {"city-a-lockdown"})
                # Only those who keep requirements are offered to add one.
                self.assertEqual(
                    'id="requirement-add"' in response.content.decode(), persona in CITY_STAFF
                )

    def test_a_row_says_what_how_often_where_and_on_whose_authority(self):
        self.login("city")
        response = self.client.get(LIST, {"school": ""})
        night = next(
            r
            for r in response.context["object_list"]
            if r.obligation.code == "night-dormitory-drill"
        )
        row = self.row(response, night)
        for text in ("每个自然年", "夜间", "夜间宿舍疏散", "仅寄宿制学校", "青岛市", "全国默认"):
            self.assertIn(text, row)
        monthly = self.row(response, self.national)
        self.assertIn("3 项调整", monthly)  # S1, S2 and D1's overrides; S3 is city B's
        self.assertIn("小学", monthly)

    def row(self, response, requirement):
        html = response.content.decode()
        start = html.index(reverse("drills:requirement", args=[requirement.pk]))
        return html[start : html.index("</li>", start)]

    def test_school_staff_see_what_applies_at_their_school(self):
        self.login("principal1")
        response = self.client.get(LIST)
        self.assertEqual(response.context["school"], self.s1)
        self.assertEqual(
            self.codes_listed(response),
            {"monthly-drill", "term-evacuation-drill", "city-a-lockdown"},
        )
        # The school's own override leaves two drills a month there.
        self.assertContains(response, "滨州实验学校：每期 2 次演练")
        # An empty school: every requirement.
        self.assertEqual(len(self.client.get(LIST, {"school": ""}).context["object_list"]), 6)
        # A kindergarten owes a quarterly drill, not a monthly one.
        self.login("city")
        codes = self.codes_listed(self.client.get(LIST, {"school": self.k1.pk}))
        self.assertIn("kindergarten-quarterly-drill", codes)
        self.assertNotIn("monthly-drill", codes)

    def test_a_school_outside_the_scope_is_a_form_error_and_lists_nothing(self):
        self.login("district1")
        response = self.client.get(LIST, {"school": self.s2.pk})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["filter"].errors)
        self.assertEqual(list(response.context["object_list"]), [])

    def test_the_school_is_searched_for_and_the_page_does_not_grow_with_schools(self):
        self.login("city")
        before = self.client.get(LIST)
        self.assertContains(before, 'data-search-url="/schools/search/"')
        SchoolFactory.create_batch(40, district=self.d1, police_station=self.p1)
        self.assertEqual(len(self.client.get(LIST).content), len(before.content))

    def test_the_list_costs_the_same_however_many_requirements_and_overrides(self):
        self.login("city")
        self.client.get(LIST)
        for more in range(2):
            # session, user, role assignments; the count; the page of requirements with
            # their obligations, cities, override counts and replacements.
            with self.assertNumQueries(5 + LAYOUT_QUERIES):
                response = self.client.get(LIST)
            self.assertEqual(len(response.context["object_list"]), 6 + more * 3)
            for n in range(3):
                school = SchoolFactory(district=self.d2, police_station=self.p2)
                extra = self.requirement(self.city_a, f"more-{more}-{n}", f"演练 {more}-{n}")
                ObligationOverride.objects.create(rule=extra.obligation, school=school, reason="x")

    def test_a_school_s_requirements_cost_the_same_however_many(self):
        self.login("principal1")
        self.client.get(LIST)
        for _ in range(2):
            # session, user, role assignments; the principal's school; the school chosen
            # (the filter), its facts, the rules of its city and their overrides; the
            # count, the page; the chosen school shown in the type-ahead.
            with self.assertNumQueries(11 + LAYOUT_QUERIES):
                self.client.get(LIST)
            self.requirement(self.city_a, f"more-{_}", f"演练 {_}")


class RequirementDetailTests(RequirementPageTestCase):
    def url(self, requirement):
        return reverse("drills:requirement", args=[requirement.pk])

    def test_who_reads_which_requirement(self):
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                for requirement, readers in (
                    (self.national, READERS),
                    (self.own, READERS),
                    (self.foreign, {"admin"}),
                ):
                    expected = 200 if persona in readers else 404
                    self.assertEqual(self.client.get(self.url(requirement)).status_code, expected)

    def test_each_persona_sees_the_overrides_of_its_scope(self):
        expected = {
            "admin": {"s1", "s2", "s3", "d1"},
            "city": {"s1", "s2", "d1"},
            "district1": {"s1", "d1"},
            "principal1": {"s1"},
            "police2": {"s2"},
            "principal1_police2": {"s1", "s2"},
            "district1_principal2": {"s1", "s2", "d1"},
        }
        names = {self.overrides[key].pk: key for key in self.overrides}
        names[self.district_override.pk] = "d1"
        for persona, keys in expected.items():
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(self.url(self.national))
                seen = {names[o.pk] for o in response.context["overrides"]}
                self.assertEqual(seen, keys)
                editable = {names[o.pk] for o in response.context["overrides"] if o.may_change}
                self.assertEqual(editable, keys if persona in CITY_STAFF else set())

    def test_city_staff_edit_their_own_and_adapt_a_default(self):
        self.login("city")
        own = self.client.get(self.url(self.own))
        self.assertContains(own, reverse("drills:requirement-edit", args=[self.own.pk]))
        national = self.client.get(self.url(self.national))
        self.assertNotContains(
            national, reverse("drills:requirement-edit", args=[self.national.pk])
        )
        self.assertContains(national, f"{ADD}?replaces={self.national.pk}")
        self.login("district1")
        own = self.client.get(self.url(self.own))
        self.assertNotContains(own, reverse("drills:requirement-edit", args=[self.own.pk]))
        self.assertNotContains(own, 'id="override-add"')

    def test_the_overrides_are_filtered_by_school_and_paged(self):
        self.login("city")
        response = self.client.get(self.url(self.national), {"school": self.s2.pk})
        self.assertEqual([o.pk for o in response.context["overrides"]], [self.overrides["s2"].pk])
        self.assertContains(response, 'data-search-url="/schools/search/"')
        # Another city's school: a form error, nothing listed.
        response = self.client.get(self.url(self.national), {"school": self.s3.pk})
        self.assertEqual(list(response.context["overrides"]), [])
        # session, user, role assignments; the requirement; the overrides' count and page;
        # which of them the user may change; the same code elsewhere; may the user change
        # it; the districts of the filter.
        with self.assertNumQueries(10 + LAYOUT_QUERIES):
            self.client.get(self.url(self.national))
        schools = SchoolFactory.create_batch(55, district=self.d2, police_station=self.p2)
        for school in schools:
            ObligationOverride.objects.create(
                rule=self.national.obligation, school=school, reason="x"
            )
        with self.assertNumQueries(10 + LAYOUT_QUERIES):
            response = self.client.get(self.url(self.national))
        self.assertEqual(len(response.context["overrides"]), 50)
        self.assertEqual(self.client.get(self.url(self.national), {"page": 2}).status_code, 200)


class RequirementWriteTests(RequirementPageTestCase):
    def test_city_staff_add_one_for_their_city_and_only_its_schools_are_worked_out_again(self):
        self.cover()
        self.login("city")
        response = self.client.post(ADD, rule_data(city=self.city_a.pk))
        requirement = DrillRequirement.objects.get(obligation__code="quarterly-lockdown")
        self.assertRedirects(response, reverse("drills:requirement", args=[requirement.pk]))
        rule = requirement.obligation
        self.assertEqual((rule.city, rule.domain, rule.basis), (self.city_a, "drills", "quarter"))
        self.assertEqual(rule.grace, datetime.timedelta(days=7))
        self.assertEqual(requirement.drill_types, ["lockdown", "anti_violence"])
        # City A's schools are worked out again on the next read; city B's are not.
        self.assertEqual(self.covered(), {"s3"})
        windows = due_windows([self.s1, self.s3], *AUTUMN, domain="drills")
        owing = {w.school_id for w in windows if w.rule_id == rule.pk}
        self.assertEqual(owing, {self.s1.pk})

    def test_only_city_staff_and_admins_add(self):
        for persona in ALL_PERSONAS:
            if persona in CITY_STAFF:
                continue
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(ADD).status_code, 403)
                response = self.client.post(ADD, rule_data(city=self.city_a.pk))
                self.assertEqual(response.status_code, 403)
        self.assertFalse(ObligationRule.objects.filter(code="quarterly-lockdown").exists())
        self.client.logout()
        self.assertEqual(self.client.get(ADD).status_code, 302)

    def test_bad_input_is_a_form_error_with_nothing_saved(self):
        self.login("city")
        cases = {
            "no city": ({"city": ""}, "city"),
            "another city": ({"city": self.city_b.pk}, "city"),
            "not a code": ({"code": "季度 演练"}, "code"),
            "a training rule's code": ({"code": "guard-training"}, "code"),
            "taken in the city": ({"code": "city-a-lockdown"}, "code"),
            "daily": ({"basis": "school_day"}, "basis"),
            "no drill": ({"required_count": 0}, "required_count"),
            "negative grace": ({"grace": -1}, "grace"),
            "not a drill type": ({"drill_types": ["picnic"]}, "drill_types"),
            "not a school type": ({"school_types": ["university"]}, "school_types"),
            "no source": ({"source": ""}, "source"),
        }
        before = (ObligationRule.objects.count(), DrillRequirement.objects.count())
        for name, (changes, field) in cases.items():
            with self.subTest(name):
                response = self.client.post(ADD, rule_data(**{"city": self.city_a.pk, **changes}))
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertEqual((ObligationRule.objects.count(), DrillRequirement.objects.count()), before)

    def test_a_city_adapts_a_national_default_which_then_gives_way_in_the_city(self):
        self.login("city")
        url = f"{ADD}?replaces={self.national.pk}"
        form = self.client.get(url).context["form"]
        self.assertEqual(form["code"].value(), "monthly-drill")
        self.assertEqual(form["name"].value(), self.national.obligation.name)
        # The code is the default's whatever is posted: it is what is replaced.
        data = rule_data(city=self.city_a.pk, code="other", name="滨州市每月演练", required_count=2)
        response = self.client.post(url, data)
        own = DrillRequirement.objects.get(
            obligation__city=self.city_a, obligation__code="monthly-drill"
        )
        self.assertRedirects(response, reverse("drills:requirement", args=[own.pk]))
        # City A's schools owe the city's version; city B's the default.
        monthly = {w.rule_id for w in due_windows([self.s1], *AUTUMN, domain="drills")}
        self.assertIn(own.obligation_id, monthly)
        self.assertNotIn(self.national.obligation_id, monthly)
        rules = rules_for_cities({self.city_a.pk, self.city_b.pk}, domain="drills")
        self.assertIn(self.national.obligation, rules[self.city_b.pk])
        self.assertNotIn(self.national.obligation, rules[self.city_a.pk])
        listed = self.client.get(LIST, {"school": ""})
        national = next(r for r in listed.context["object_list"] if r.pk == self.national.pk)
        self.assertEqual(national.replaced_in, 1)
        # Adapted once: the city's rule is edited from now on.
        self.assertNotContains(
            self.client.get(reverse("drills:requirement", args=[self.national.pk])),
            'id="requirement-adapt"',
        )
        response = self.client.post(url, data)
        self.assertIn("code", response.context["form"].errors)
        # Only a national default is adapted.
        self.assertEqual(self.client.get(f"{ADD}?replaces={self.own.pk}").status_code, 404)
        self.assertEqual(self.client.get(f"{ADD}?replaces={self.foreign.pk}").status_code, 404)

    def test_admins_keep_the_national_defaults(self):
        self.login("admin")
        response = self.client.post(ADD, rule_data(city="", code="national-lockdown"))
        self.assertEqual(response.status_code, 302)
        self.assertIsNone(ObligationRule.objects.get(code="national-lockdown").city)
        edit = reverse("drills:requirement-edit", args=[self.national.pk])
        self.cover()
        data = rule_data(code="monthly-drill", basis="month", required_count=2)
        self.assertEqual(self.client.post(edit, data).status_code, 302)
        # A national default decides every city's schools.
        self.assertEqual(self.covered(), set())

    def test_who_edits_which_requirement(self):
        """City staff edit their city's; a default is the admins'; another city's is not there."""
        for persona in ALL_PERSONAS:
            if persona == "admin":
                statuses = (302, 302, 302)
            elif persona == "city":
                statuses = (403, 302, 404)
            elif persona == "outsider":
                statuses = (404, 404, 404)
            else:
                statuses = (403, 403, 404)
            self.login(persona)
            targets = (self.national, self.own, self.foreign)
            for requirement, status in zip(targets, statuses, strict=True):
                with self.subTest(persona=persona, requirement=requirement.obligation.code):
                    url = reverse("drills:requirement-edit", args=[requirement.pk])
                    with transaction.atomic():
                        response = self.client.post(url, rule_data(name=f"改 {persona}"))
                        transaction.set_rollback(True)
                    self.assertEqual(response.status_code, status)

    def test_an_edit_of_which_drills_count_forgets_nothing_as_the_api_s_does_not(self):
        url = reverse("drills:requirement-edit", args=[self.own.pk])
        self.login("city")
        form = self.client.get(url).context["form"]
        data = {name: form[name].value() for name in form.fields}
        data = {name: "" if value is None else value for name, value in data.items()}
        data["drill_types"] = ["lockdown", "earthquake"]
        del data["at_night"]
        self.cover()
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.own.refresh_from_db()
        self.assertEqual(self.own.drill_types, ["lockdown", "earthquake"])
        self.assertEqual(self.covered(), {"s1", "s2", "s3", "k1"})
        response = self.api("city").patch(
            reverse("drillrequirement-detail", args=[self.own.pk]),
            {"drill_types": ["lockdown"]},
            format="json",
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.covered(), {"s1", "s2", "s3", "k1"})
        # A change of what is owed forgets city A's schools.
        data["required_count"] = 3
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(self.covered(), {"s3"})

    def test_the_page_and_the_api_refuse_a_bad_requirement_alike(self):
        edit = reverse("drills:requirement-edit", args=[self.own.pk])
        detail = reverse("drillrequirement-detail", args=[self.own.pk])
        self.login("city")
        page = self.client.post(edit, rule_data(drill_types=["picnic"])).context["form"]
        api = self.api("city").patch(detail, {"drill_types": ["picnic"]}, format="json")
        self.assertEqual(api.status_code, 400)
        self.assertEqual(page.errors["drill_types"], api.json()["drill_types"])
        # Drills are owed by a period: said by DrillRequirement.clean() to both.
        page = self.client.post(edit, rule_data(basis="school_day")).context["form"]
        ObligationRule.objects.filter(pk=self.own.obligation_id).update(basis="school_day")
        api = self.api("city").patch(detail, {"at_night": True}, format="json")
        self.assertEqual(api.status_code, 400)
        self.assertEqual(page.errors["basis"], api.json()["basis"])
        self.own.refresh_from_db()
        self.assertFalse(self.own.at_night)

    def test_switching_off_and_on(self):
        url = reverse("drills:requirement-active", args=[self.own.pk])
        for persona in ("district1", "principal1", "police1", "district1_principal2"):
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.post(url).status_code, 403)
        self.login("city")
        self.assertEqual(
            self.client.post(
                reverse("drills:requirement-active", args=[self.foreign.pk])
            ).status_code,
            404,
        )
        self.assertEqual(self.client.get(url).status_code, 405)
        self.cover()
        self.assertRedirects(
            self.client.post(url), reverse("drills:requirement", args=[self.own.pk])
        )
        self.own.obligation.refresh_from_db()
        self.assertFalse(self.own.obligation.is_active)
        self.assertEqual(self.covered(), {"s3"})
        codes = {w.rule.code for w in due_windows([self.s1], *AUTUMN, domain="drills")}
        self.assertNotIn("city-a-lockdown", codes)
        self.assertContains(self.client.get(LIST, {"school": ""}), "已停用")
        self.client.post(url)
        self.own.obligation.refresh_from_db()
        self.assertTrue(self.own.obligation.is_active)


class OverridePageTests(PageChecks, RequirementPageTestCase):
    def override_data(self, **changes):
        data = {
            "district": "",
            "school": "",
            "applies": "unknown",
            "required_count": "",
            "grace": "",
            "reason": "新校区启用",
        }
        data.update(changes)
        return data

    def add_url(self, requirement=None):
        return reverse("drills:override-add", args=[(requirement or self.own).pk])

    def test_who_edits_an_override_at_each_school(self):
        self.each_persona(
            lambda key: reverse("drills:override-edit", args=[self.overrides[key].pk]),
            CITY_STAFF,
        )

    def test_who_removes_an_override_at_each_school(self):
        for persona in ALL_PERSONAS:
            self.login(persona)
            for key, acting in self.cases(persona):
                with self.subTest(persona=persona, school=key):
                    override = self.overrides[key]
                    url = reverse("drills:override-delete", args=[override.pk])
                    with transaction.atomic():
                        response = self.client.post(url)
                        gone = not ObligationOverride.objects.filter(pk=override.pk).exists()
                        transaction.set_rollback(True)
                    expected = 404 if acting is None else 302 if acting in CITY_STAFF else 403
                    self.assertEqual(response.status_code, expected)
                    self.assertEqual(gone, expected == 302)

    def test_who_adds_an_override(self):
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.post(
                    self.add_url(), self.override_data(school=self.home(persona))
                )
                expected = 404 if persona == "outsider" else 302 if persona in CITY_STAFF else 403
                self.assertEqual(response.status_code, expected)
        self.assertEqual(ObligationOverride.objects.filter(rule=self.own.obligation).count(), 2)
        # Another city's requirement is not there at all.
        self.login("city")
        self.assertEqual(self.client.get(self.add_url(self.foreign)).status_code, 404)

    def home(self, persona):
        key = {"admin": "s1"}.get(persona, "s2")
        return self.school(key).pk

    def test_a_school_s_override_is_searched_for_and_forgets_its_windows_only(self):
        self.cover()
        self.login("city")
        page = self.client.get(self.add_url())
        self.assertContains(page, 'data-search-url="/schools/search/"')
        # No <option> per school: only the districts are listed.
        self.assertNotContains(page, "沾化第一中学")
        response = self.client.post(
            self.add_url(), self.override_data(school=self.s2.pk, applies="false")
        )
        self.assertRedirects(response, reverse("drills:requirement", args=[self.own.pk]))
        override = ObligationOverride.objects.get(rule=self.own.obligation)
        self.assertEqual((override.school, override.applies), (self.s2, False))
        self.assertEqual(self.covered(), {"s1", "s3", "k1"})
        codes = {w.rule.code for w in due_windows([self.s2], *AUTUMN, domain="drills")}
        self.assertNotIn("city-a-lockdown", codes)
        # The API's write of an override forgets the same way (schools/signals.py).
        self.cover()
        response = self.api("city").post(
            reverse("drillrequirementoverride-list"),
            {"rule": self.own.obligation_id, "school": self.s1.pk, "reason": "API"},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(self.covered(), {"s2", "s3", "k1"})

    def test_a_district_s_override_edited_then_removed(self):
        self.cover()
        self.login("city")
        self.client.post(self.add_url(), self.override_data(district=self.d2.pk, grace="2.5"))
        override = ObligationOverride.objects.get(rule=self.own.obligation)
        self.assertEqual(override.grace, datetime.timedelta(days=2, hours=12))
        self.assertEqual(self.covered(), {"s1", "s3", "k1"})
        edit = reverse("drills:override-edit", args=[override.pk])
        form = self.client.get(edit).context["form"]
        self.assertEqual(str(form["grace"].value()), "2.50")
        self.cover()
        response = self.client.post(
            edit, self.override_data(district=self.d2.pk, required_count=2, grace="")
        )
        self.assertRedirects(response, reverse("drills:requirement", args=[self.own.pk]))
        override.refresh_from_db()
        self.assertEqual((override.required_count, override.grace), (2, None))
        self.assertEqual(self.covered(), {"s1", "s3", "k1"})
        self.cover()
        response = self.client.post(reverse("drills:override-delete", args=[override.pk]))
        self.assertRedirects(response, reverse("drills:requirement", args=[self.own.pk]))
        self.assertFalse(ObligationOverride.objects.filter(pk=override.pk).exists())
        self.assertEqual(self.covered(), {"s1", "s3", "k1"})

    def test_bad_input_is_a_form_error_with_nothing_saved(self):
        self.login("city")
        cases = {
            "both": ({"district": self.d1.pk, "school": self.s1.pk}, "__all__"),
            "neither": ({}, "__all__"),
            "another city's school": ({"school": self.s3.pk}, "school"),
            "another city's district": ({"district": self.d3.pk}, "district"),
            "no drill": ({"school": self.s1.pk, "required_count": 0}, "required_count"),
            "negative grace": ({"school": self.s1.pk, "grace": -1}, "grace"),
            "no reason": ({"school": self.s1.pk, "reason": " "}, "reason"),
        }
        for name, (changes, field) in cases.items():
            with self.subTest(name):
                response = self.client.post(self.add_url(), self.override_data(**changes))
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertFalse(ObligationOverride.objects.filter(rule=self.own.obligation).exists())
        ObligationOverride.objects.create(rule=self.own.obligation, school=self.s1, reason="先有")
        response = self.client.post(self.add_url(), self.override_data(school=self.s1.pk))
        self.assertIn("school", response.context["form"].errors)
        self.assertEqual(ObligationOverride.objects.filter(rule=self.own.obligation).count(), 1)

    def test_the_page_and_the_api_say_the_same(self):
        ObligationOverride.objects.create(rule=self.own.obligation, school=self.s1, reason="先有")
        self.login("city")
        for name, changes in {
            "there already": {"school": self.s1.pk},
            "no drill": {"school": self.s2.pk, "required_count": 0},
            "no reason": {"school": self.s2.pk, "reason": ""},
        }.items():
            with self.subTest(name):
                body = {**self.override_data(**changes), "rule": self.own.obligation_id}
                body = {k: v for k, v in body.items() if v not in ("", "unknown")}
                api = self.api("city").post(
                    reverse("drillrequirementoverride-list"), body, format="json"
                )
                self.assertEqual(api.status_code, 400, api.content)
                form = self.client.post(self.add_url(), self.override_data(**changes))
                errors = form.context["form"].errors
                field = next(iter(api.json()))
                self.assertEqual(errors[field], api.json()[field])

    def test_city_staff_who_run_a_school_elsewhere_write_only_in_their_city(self):
        """The principal's role reads city B's requirement and S3's override; it writes neither."""
        user = UserFactory(username="city_a_principal3")
        assign(user, Role.CITY_STAFF, self.city_a)
        assign(user, Role.PRINCIPAL, self.s3)
        self.client.force_login(user)
        foreign = reverse("drills:requirement", args=[self.foreign.pk])
        self.assertEqual(self.client.get(foreign).status_code, 200)
        edit = reverse("drills:requirement-edit", args=[self.foreign.pk])
        self.assertEqual(self.client.post(edit, rule_data()).status_code, 403)
        response = self.client.post(ADD, rule_data(city=self.city_b.pk))
        self.assertIn("city", response.context["form"].errors)
        s3 = reverse("drills:override-edit", args=[self.overrides["s3"].pk])
        self.assertEqual(
            self.client.post(s3, self.override_data(school=self.s3.pk)).status_code, 403
        )
        response = self.client.post(self.add_url(), self.override_data(school=self.s3.pk))
        self.assertIn("school", response.context["form"].errors)
        self.assertFalse(ObligationOverride.objects.filter(rule=self.own.obligation).exists())
        response = self.client.post(self.add_url(), self.override_data(school=self.s2.pk))
        self.assertEqual(response.status_code, 302)

    def test_an_override_of_another_app_s_rule_is_not_here(self):
        patrol = ObligationRule.objects.create(
            code="patrol", name="巡查", basis="school_day", domain="inspections", source="x"
        )
        other = ObligationOverride.objects.create(rule=patrol, school=self.s1, reason="x")
        self.login("admin")
        self.assertEqual(
            self.client.get(reverse("drills:override-edit", args=[other.pk])).status_code, 404
        )
        self.assertEqual(
            self.client.post(reverse("drills:override-delete", args=[other.pk])).status_code, 404
        )
        self.assertTrue(ObligationOverride.objects.filter(pk=other.pk).exists())


class LinkTests(RequirementPageTestCase):
    def test_the_drills_menu_and_the_compliance_page_lead_here(self):
        for persona in ("principal1", "police1", "district1", "city", "admin"):
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertContains(self.client.get(LIST, {"school": ""}), f'href="{LIST}"')
        self.login("outsider")
        self.assertNotContains(self.client.get(LIST), f'href="{LIST}"')
        self.login("city")
        compliance = reverse("drills:compliance")
        self.assertContains(self.client.get(compliance), 'id="compliance-requirements"')
        response = self.client.get(compliance, {"school": self.s1.pk})
        self.assertContains(response, f"{LIST}?school={self.s1.pk}")
