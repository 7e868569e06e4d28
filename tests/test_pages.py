"""The HTML pages join the same permission checks as the API.

Anonymous visitors are sent to sign in; an object outside a persona's scope is
a 404; one it may see but not change is a 403; bad input is a form error with
nothing saved; list pages make a fixed number of queries however many rows.
"""

import datetime
from unittest import mock

from django.forms.models import model_to_dict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from schools.choices import ExceptionKind
from schools.forms import SchoolForm
from schools.models import CalendarException, Gate, School, Term
from tests.base import (
    FOREIGN_SCHOOLS,
    HOME_SCHOOL,
    LAYOUT_QUERIES,
    PASSWORD,
    PERSONAS,
    WorldTestCase,
)
from tests.factories import GateFactory, SchoolFactory

BUREAU = {"admin", "city", "district1", "district2"}
SCHOOL_EDITORS = BUREAU | {"principal1", "principal2"}
GATE_EDITORS = BUREAU | {"principal1", "principal2", "officer1"}


def school_form_data(school, **changes):
    """What the edit form posts for `school` unchanged, with `changes` applied."""
    data = model_to_dict(school, fields=SchoolForm._meta.fields)
    data.update(changes)
    # The test client cannot post None; an empty field posts "".
    return {name: "" if value is None else value for name, value in data.items()}


class PageTestCase(WorldTestCase):
    def login(self, persona):
        # A fresh user object per login, so no scope is cached across personas.
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))

    def home_school(self, persona):
        return self.school(HOME_SCHOOL[persona])


class AnonymousTests(PageTestCase):
    def test_every_page_sends_anonymous_visitors_to_sign_in(self):
        gate = self.s1.gates.get()
        term = Term.objects.create(
            district=self.d1,
            name="秋季学期",
            start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2027, 1, 20),
        )
        pages = [
            ("get", reverse("home")),
            ("get", reverse("schools:list")),
            ("get", reverse("schools:detail", args=[self.s1.pk])),
            ("get", reverse("schools:edit", args=[self.s1.pk])),
            ("post", reverse("schools:edit", args=[self.s1.pk])),
            ("post", reverse("schools:gate-add", args=[self.s1.pk])),
            ("post", reverse("schools:gate-delete", args=[gate.pk])),
            ("get", reverse("schools:calendar")),
            ("post", reverse("schools:term-add")),
            ("post", reverse("schools:term-delete", args=[term.pk])),
            ("post", reverse("schools:exception-add")),
        ]
        for method, url in pages:
            with self.subTest(url=url, method=method):
                response = getattr(self.client, method)(url)
                self.assertRedirects(
                    response, f"{reverse('login')}?next={url}", fetch_redirect_response=False
                )
        self.assertTrue(Gate.objects.filter(pk=gate.pk).exists())
        self.assertTrue(Term.objects.filter(pk=term.pk).exists())

    def test_sign_in_and_out(self):
        response = self.client.get(reverse("login"))
        self.assertEqual(response.status_code, 200)
        response = self.client.post(
            reverse("login"), {"username": "principal1", "password": PASSWORD}
        )
        self.assertRedirects(response, reverse("home"))
        self.assertContains(self.client.get(reverse("home")), self.s1.name)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"))
        self.assertEqual(self.client.get(reverse("home")).status_code, 302)

    def test_wrong_password_is_a_form_error(self):
        response = self.client.post(
            reverse("login"), {"username": "principal1", "password": "wrong"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)


class HomePageTests(PageTestCase):
    def sections(self, persona):
        self.login(persona)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        return {section["role"]: section for section in response.context["sections"]}

    def test_every_persona_gets_a_page(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("home"))
                self.assertEqual(response.status_code, 200)
                if persona == "outsider":
                    self.assertTemplateUsed(response, "accounts/no_role.html")
                elif persona in BUREAU:
                    self.assertContains(response, "has_police_room=false")
                else:
                    self.assertContains(response, self.home_school(persona).name)

    def test_bureau_overviews_count_their_area(self):
        # (districts, schools, police stations, schools by type) in each area:
        # city A has S1, S2 and the kindergarten K1; city B has S3.
        expected = {
            "admin": (3, 4, 3, {"Primary school": 3, "Kindergarten": 1}),
            "city": (2, 3, 2, {"Primary school": 2, "Kindergarten": 1}),
            "district1": (1, 2, 1, {"Primary school": 1, "Kindergarten": 1}),
            "district2": (1, 1, 1, {"Primary school": 1}),
        }
        for persona, (districts, schools, stations, by_type) in expected.items():
            with self.subTest(persona=persona), self.settings(LANGUAGE_CODE="en"):
                (section,) = self.sections(persona).values()
                self.assertEqual(section["kind"], "overview")
                self.assertEqual(section["districts"], districts)
                self.assertEqual(section["schools"], schools)
                self.assertEqual(section["police_stations"], stations)
                self.assertEqual(
                    {str(row["type"]): row["count"] for row in section["by_type"]}, by_type
                )

    def test_missing_facilities_are_counted_and_linked(self):
        School.objects.filter(pk=self.s1.pk).update(has_police_room=True)
        School.objects.filter(pk=self.k1.pk).update(has_protection_booth=True)
        (section,) = self.sections("district1").values()
        self.assertEqual(section["without_police_room"], 1)  # K1
        self.assertEqual(section["without_booth"], 1)  # S1
        response = self.client.get(reverse("home"))
        self.assertContains(response, f"{reverse('schools:list')}?has_police_room=false")
        self.assertContains(response, f"{reverse('schools:list')}?has_protection_booth=false")

    def test_overview_counts_run_in_the_database(self):
        for n in range(5):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n}")
        self.login("city")
        # session, user, role assignments; then for the city staff section:
        # the facility counts (one aggregate), schools by type, the city's
        # name, the district count and the police station count; the open meeting
        # action items the user owns (coordination's panel).
        with self.assertNumQueries(9 + LAYOUT_QUERIES):
            self.client.get(reverse("home"))

    def test_holiday_warning_for_bureau_staff_only(self):
        this_year = timezone.localdate().year
        with mock.patch("portal.views.holiday_data_known", lambda year: year == this_year):
            self.login("city")
            response = self.client.get(reverse("home"))
            self.assertEqual(response.context["unknown_holiday_years"], [this_year + 1])
            self.assertContains(response, reverse("schools:calendar"))
            self.login("principal1")
            response = self.client.get(reverse("home"))
            self.assertNotIn("unknown_holiday_years", response.context)
        with mock.patch("portal.views.holiday_data_known", lambda year: True):
            self.login("city")
            response = self.client.get(reverse("home"))
            self.assertEqual(response.context["unknown_holiday_years"], [])

    def test_school_staff_see_their_school_card_with_todays_status(self):
        today = timezone.localdate()
        Term.objects.create(
            district=self.d1,
            name="本学期",
            start_date=today,
            end_date=today + datetime.timedelta(days=30),
        )
        # Make today a school day whatever the weekday, and tomorrow not.
        CalendarException.objects.create(
            school=self.s1, date=today, kind=ExceptionKind.OPEN, reason="补课"
        )
        CalendarException.objects.create(
            school=self.s1,
            date=today + datetime.timedelta(days=1),
            kind=ExceptionKind.CLOSED,
            reason="暴雨红色预警",
        )
        for persona in ("principal1", "officer1"):
            with self.subTest(persona=persona):
                (section,) = self.sections(persona).values()
                (card,) = section["cards"]
                self.assertEqual(card["school"], self.s1)
                self.assertTrue(card["is_school_day"])
                self.assertTrue(card["next_school_days"])
                self.assertNotIn(today + datetime.timedelta(days=1), card["next_school_days"])
                self.assertTrue(all(day > today for day in card["next_school_days"]))

    def test_police_liaison_sees_the_schools_of_the_jurisdiction(self):
        (section,) = self.sections("police1").values()
        self.assertEqual({row["school"] for row in section["rows"]}, {self.s1, self.k1})
        # No term is entered, so no school is open.
        self.assertFalse(any(row["is_school_day"] for row in section["rows"]))

    def test_a_user_with_several_roles_gets_a_section_for_each(self):
        from accounts.choices import Role
        from tests.factories import assign

        assign(self.users["principal1"], Role.POLICE_LIAISON, self.p2)
        sections = self.sections("principal1")
        self.assertEqual(set(sections), {Role.PRINCIPAL, Role.POLICE_LIAISON})
        (card,) = sections[Role.PRINCIPAL]["cards"]
        self.assertEqual(card["school"], self.s1)
        self.assertEqual(
            [row["school"] for row in sections[Role.POLICE_LIAISON]["rows"]], [self.s2]
        )


class SchoolListTests(PageTestCase):
    def test_lists_the_scope_only(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("schools:list"))
                self.assertEqual(response.status_code, 200)
                listed = set(response.context["object_list"])
                if HOME_SCHOOL[persona]:
                    self.assertIn(self.home_school(persona), listed)
                for key in FOREIGN_SCHOOLS[persona]:
                    self.assertNotIn(self.school(key), listed)

    def test_filters(self):
        School.objects.filter(pk=self.s1.pk).update(has_police_room=True)
        self.login("city")
        url = reverse("schools:list")
        cases = {
            "has_police_room=false": {self.s2, self.k1},
            "school_type=kindergarten": {self.k1},
            f"district={self.d2.pk}": {self.s2},
            "q=沾化": {self.s2},
            # Another city's district is not a choice: the filter is invalid
            # and lists nothing rather than ignoring it.
            f"district={self.d3.pk}": set(),
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                response = self.client.get(f"{url}?{query}")
                self.assertEqual(set(response.context["object_list"]), expected)

    def test_filter_dropdowns_offer_the_scope_only(self):
        self.login("district1")
        response = self.client.get(reverse("schools:list"))
        form = response.context["filter"].form
        self.assertEqual(list(form.fields["district"].queryset), [self.d1])
        self.assertEqual(list(form.fields["police_station"].queryset), [self.p1])

    def test_paginates_by_50_and_keeps_the_filters(self):
        for n in range(55):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"分页校{n:02d}")
        self.login("district1")
        response = self.client.get(reverse("schools:list"), {"school_type": "primary"})
        self.assertEqual(len(response.context["object_list"]), 50)
        self.assertEqual(response.context["paginator"].count, 56)
        self.assertContains(response, "?school_type=primary&amp;page=2")
        response = self.client.get(reverse("schools:list"), {"school_type": "primary", "page": 2})
        self.assertEqual(len(response.context["object_list"]), 6)

    def test_query_count_does_not_grow_with_rows(self):
        self.login("city")
        url = reverse("schools:list")
        # session, user, role assignments (the scope), the row count, the page
        # of schools with district, city and police station joined, and the
        # district and police station choices of the filter form.
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(20):
            SchoolFactory(district=self.d2, police_station=self.p2, name=f"加校{n}")
        self.login("city")
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["object_list"]), 23)


class SchoolDetailTests(PageTestCase):
    def test_own_school_shows_foreign_school_is_404(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                if HOME_SCHOOL[persona]:
                    school = self.home_school(persona)
                    response = self.client.get(reverse("schools:detail", args=[school.pk]))
                    self.assertContains(response, school.name)
                    self.assertContains(response, "南门")
                for key in FOREIGN_SCHOOLS[persona]:
                    url = reverse("schools:detail", args=[self.school(key).pk])
                    self.assertEqual(self.client.get(url).status_code, 404)

    def test_calendar_of_the_school(self):
        today = timezone.localdate()
        term = Term.objects.create(
            city=self.city_a,
            name="全市本学期",
            start_date=today - datetime.timedelta(days=10),
            end_date=today + datetime.timedelta(days=60),
        )
        Term.objects.create(
            district=self.d3,
            name="东营区学期",
            start_date=today,
            end_date=today + datetime.timedelta(days=60),
        )
        closure = CalendarException.objects.create(
            district=self.d1,
            date=today + datetime.timedelta(days=2),
            kind=ExceptionKind.CLOSED,
            reason="暴雪停课",
        )
        self.login("principal1")
        response = self.client.get(reverse("schools:detail", args=[self.s1.pk]))
        self.assertEqual(list(response.context["terms"]), [term])
        self.assertEqual(list(response.context["exceptions"]), [closure])
        days = response.context["next_school_days"]
        self.assertEqual(len(days), 10)
        self.assertNotIn(closure.date, days)
        self.assertEqual(list(days), sorted(days))

    def test_edit_link_for_those_who_may_edit(self):
        for persona in ("principal1", "officer1", "police1", "district1"):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("schools:detail", args=[self.s1.pk]))
                edit_url = reverse("schools:edit", args=[self.s1.pk])
                if persona in SCHOOL_EDITORS:
                    self.assertContains(response, edit_url)
                else:
                    self.assertNotContains(response, edit_url)


class SchoolEditTests(PageTestCase):
    def edit_url(self, school):
        return reverse("schools:edit", args=[school.pk])

    def test_who_may_open_the_form(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                if HOME_SCHOOL[persona]:
                    response = self.client.get(self.edit_url(self.home_school(persona)))
                    self.assertEqual(
                        response.status_code, 200 if persona in SCHOOL_EDITORS else 403
                    )
                for key in FOREIGN_SCHOOLS[persona]:
                    response = self.client.get(self.edit_url(self.school(key)))
                    self.assertEqual(response.status_code, 404)

    def test_refusals_explain_themselves_in_the_site_layout(self):
        self.login("officer1")
        response = self.client.get(self.edit_url(self.s1))
        self.assertTemplateUsed(response, "403.html")
        self.assertContains(response, reverse("home"), status_code=403)
        response = self.client.get(self.edit_url(self.s2))
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, reverse("home"), status_code=404)

    def test_server_error_page_renders_without_a_request(self):
        # Django renders 500.html with no context at all when a view has failed.
        html = render_to_string("500.html")
        self.assertIn('href="/"', html)

    def test_police_and_safety_officer_may_not_post(self):
        for persona in ("police1", "officer1"):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.post(
                    self.edit_url(self.s1), school_form_data(self.s1, name="改名")
                )
                self.assertEqual(response.status_code, 403)
                self.s1.refresh_from_db()
                self.assertEqual(self.s1.name, "滨州实验学校")

    def test_principal_edits_details_but_not_where_the_school_sits(self):
        self.login("principal1")
        form = self.client.get(self.edit_url(self.s1)).context["form"]
        for name in School.bureau_only_fields:
            self.assertTrue(form.fields[name].disabled, name)
        response = self.client.post(
            self.edit_url(self.s1),
            school_form_data(
                self.s1,
                name="滨州实验学校（本部）",
                enrolment=1200,
                has_police_room=True,
                code="3716029999",
                district=self.d2.pk,
                police_station=self.p2.pk,
            ),
        )
        self.assertRedirects(response, self.s1.get_absolute_url())
        self.s1.refresh_from_db()
        self.assertEqual(self.s1.name, "滨州实验学校（本部）")
        self.assertEqual(self.s1.enrolment, 1200)
        self.assertTrue(self.s1.has_police_room)
        self.assertEqual(
            (self.s1.code, self.s1.district, self.s1.police_station),
            ("3716020001", self.d1, self.p1),
        )

    def test_bureau_staff_edit_everything(self):
        self.login("district1")
        form = self.client.get(self.edit_url(self.s1)).context["form"]
        self.assertFalse(any(field.disabled for field in form.fields.values()))
        response = self.client.post(
            self.edit_url(self.s1),
            school_form_data(self.s1, code="3716021111", legal_vice_president="王警官"),
        )
        self.assertRedirects(response, self.s1.get_absolute_url())
        self.s1.refresh_from_db()
        self.assertEqual(self.s1.code, "3716021111")
        self.assertEqual(self.s1.legal_vice_president, "王警官")

    def test_city_staff_move_a_school_to_another_district(self):
        self.login("city")
        response = self.client.post(
            self.edit_url(self.s1),
            school_form_data(self.s1, district=self.d2.pk, police_station=self.p2.pk),
        )
        self.assertRedirects(response, self.s1.get_absolute_url())
        self.s1.refresh_from_db()
        self.assertEqual((self.s1.district, self.s1.police_station), (self.d2, self.p2))

    def assert_rejected(self, persona, changes, field):
        self.login(persona)
        self.s1.refresh_from_db()
        before = model_to_dict(self.s1)
        response = self.client.post(self.edit_url(self.s1), school_form_data(self.s1, **changes))
        self.assertEqual(response.status_code, 200)
        self.assertIn(field, response.context["form"].errors)
        self.s1.refresh_from_db()
        self.assertEqual(model_to_dict(self.s1), before)

    def test_police_station_of_another_district_is_a_form_error(self):
        # City staff see both stations; the model's clean() refuses the mix.
        self.assert_rejected("city", {"police_station": self.p2.pk}, "police_station")

    def test_police_station_outside_the_scope_is_not_a_choice(self):
        self.assert_rejected("district1", {"police_station": self.p3.pk}, "police_station")
        self.assert_rejected("district1", {"district": self.d2.pk}, "district")

    def test_non_numeric_enrolment_is_a_form_error(self):
        self.assert_rejected("principal1", {"enrolment": "很多"}, "enrolment")

    def test_half_a_location_is_a_form_error(self):
        self.assert_rejected("principal1", {"latitude": "37.38"}, "__all__")

    def test_duplicate_code_is_a_form_error(self):
        self.assert_rejected("city", {"code": self.s2.code}, "code")


class GateTests(PageTestCase):
    def add(self, persona, school, name="北门"):
        self.login(persona)
        return self.client.post(
            reverse("schools:gate-add", args=[school.pk]),
            {"name": name, "kind": "pickup_point", "description": "", "latitude": ""},
        )

    def test_who_may_add_a_gate(self):
        for persona in PERSONAS:
            if not HOME_SCHOOL[persona]:
                continue
            with self.subTest(persona=persona):
                school = self.home_school(persona)
                response = self.add(persona, school, name=f"{persona}门")
                created = Gate.objects.filter(school=school, name=f"{persona}门").exists()
                if persona in GATE_EDITORS:
                    self.assertRedirects(response, school.get_absolute_url() + "#gates")
                    self.assertTrue(created)
                else:
                    self.assertEqual(response.status_code, 403)
                    self.assertFalse(created)
                for key in FOREIGN_SCHOOLS[persona]:
                    response = self.add(persona, self.school(key), name=f"{persona}外门")
                    self.assertEqual(response.status_code, 404)
                    self.assertFalse(Gate.objects.filter(name=f"{persona}外门").exists())

    def test_form_shown_to_those_who_may_add(self):
        for persona in ("principal1", "officer1", "police1"):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("schools:detail", args=[self.s1.pk]))
                self.assertEqual("gate_form" in response.context, persona != "police1")

    def test_duplicate_name_is_a_form_error(self):
        response = self.add("principal1", self.s1, name="南门")
        self.assertEqual(response.status_code, 200)
        self.assertIn("name", response.context["gate_form"].errors)
        self.assertEqual(self.s1.gates.count(), 1)

    def test_delete(self):
        extra = GateFactory(school=self.s1, name="东门")
        foreign = self.s2.gates.get()
        self.login("police1")
        response = self.client.post(reverse("schools:gate-delete", args=[extra.pk]))
        self.assertEqual(response.status_code, 403)
        self.login("officer1")
        response = self.client.post(reverse("schools:gate-delete", args=[foreign.pk]))
        self.assertEqual(response.status_code, 404)
        response = self.client.post(reverse("schools:gate-delete", args=[extra.pk]))
        self.assertRedirects(response, self.s1.get_absolute_url() + "#gates")
        self.assertFalse(Gate.objects.filter(pk=extra.pk).exists())
        self.assertTrue(Gate.objects.filter(pk=foreign.pk).exists())


class CalendarTests(PageTestCase):
    def setUp(self):
        today = timezone.localdate()
        self.day = today + datetime.timedelta(days=7)
        self.city_term = Term.objects.create(
            city=self.city_a,
            name="全市秋季学期",
            start_date=today,
            end_date=today + datetime.timedelta(days=90),
        )
        self.d2_closure = CalendarException.objects.create(
            district=self.d2, date=self.day, kind=ExceptionKind.CLOSED, reason="台风停课"
        )

    def exception_data(self, **unit):
        data = {"date": self.day.isoformat(), "kind": "closed", "reason": "暴雨红色预警"}
        data.update({key: value.pk for key, value in unit.items()})
        return data

    def term_data(self, **unit):
        data = {
            "name": "寒假补课",
            "audience": "schools",
            "start_date": "2027-01-25",
            "end_date": "2027-01-30",
        }
        data.update({key: value.pk for key, value in unit.items()})
        return data

    def post(self, persona, name, data):
        self.login(persona)
        return self.client.post(reverse(f"schools:{name}"), data)

    def test_everyone_reads_their_scope(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("schools:calendar"))
                self.assertEqual(response.status_code, 200)
                terms = response.context["terms"]
                exceptions = response.context["exceptions"]
                self.assertEqual(self.city_term in terms, persona not in ("outsider",))
                self.assertEqual(
                    self.d2_closure in exceptions,
                    persona in ("admin", "city", "district2", "principal2", "police2"),
                )
                may_add = persona in BUREAU
                self.assertEqual("term_form" in response.context, may_add)
                self.assertEqual("exception_form" in response.context, may_add)

    def test_district_staff_add_for_their_district(self):
        response = self.post("district1", "exception-add", self.exception_data(district=self.d1))
        self.assertRedirects(response, reverse("schools:calendar"))
        self.assertTrue(CalendarException.objects.filter(district=self.d1, date=self.day).exists())
        response = self.post("district1", "exception-add", self.exception_data(school=self.s1))
        self.assertRedirects(response, reverse("schools:calendar"))
        response = self.post("district1", "term-add", self.term_data(district=self.d1))
        self.assertRedirects(response, reverse("schools:calendar"))
        self.assertTrue(Term.objects.filter(district=self.d1, name="寒假补课").exists())

    def test_another_district_is_a_form_error(self):
        before = (CalendarException.objects.count(), Term.objects.count())
        response = self.post("district1", "exception-add", self.exception_data(district=self.d2))
        self.assertEqual(response.status_code, 200)
        self.assertIn("district", response.context["exception_form"].errors)
        response = self.post("district1", "exception-add", self.exception_data(school=self.s2))
        self.assertIn("school", response.context["exception_form"].errors)
        response = self.post("district1", "term-add", self.term_data(district=self.d2))
        self.assertIn("district", response.context["term_form"].errors)
        self.assertEqual((CalendarException.objects.count(), Term.objects.count()), before)

    def test_district_staff_may_not_set_their_citys_calendar(self):
        # The city is a choice (district staff see it) but not theirs to
        # change: the write is rolled back and the form says why.
        before = (CalendarException.objects.count(), Term.objects.count())
        response = self.post("district1", "term-add", self.term_data(city=self.city_a))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["term_form"].non_field_errors())
        response = self.post("district1", "exception-add", self.exception_data(city=self.city_a))
        self.assertTrue(response.context["exception_form"].non_field_errors())
        self.assertEqual((CalendarException.objects.count(), Term.objects.count()), before)

    def test_city_staff_set_the_citys_calendar(self):
        response = self.post("city", "exception-add", self.exception_data(city=self.city_a))
        self.assertRedirects(response, reverse("schools:calendar"))
        self.assertTrue(CalendarException.objects.filter(city=self.city_a).exists())

    def test_model_rules_are_form_errors(self):
        cases = {
            "two units": ("exception-add", self.exception_data(district=self.d1, school=self.s1)),
            "no unit": ("exception-add", self.exception_data()),
            "same day twice": ("exception-add", self.exception_data(district=self.d2)),
            "end before start": (
                "term-add",
                {**self.term_data(district=self.d1), "end_date": "2027-01-01"},
            ),
            "bad date": ("term-add", {**self.term_data(district=self.d1), "start_date": "明天"}),
        }
        before = (CalendarException.objects.count(), Term.objects.count())
        for case, (name, data) in cases.items():
            with self.subTest(case=case):
                response = self.post("district2", name, data)
                self.assertEqual(response.status_code, 200)
                form_name = "term_form" if name == "term-add" else "exception_form"
                self.assertTrue(response.context[form_name].errors)
        self.assertEqual((CalendarException.objects.count(), Term.objects.count()), before)

    def test_others_read_only(self):
        for persona in ("principal1", "officer1", "police1", "outsider"):
            with self.subTest(persona=persona):
                response = self.post(persona, "exception-add", self.exception_data(school=self.s1))
                self.assertEqual(response.status_code, 403)
                response = self.post(persona, "term-add", self.term_data(district=self.d1))
                self.assertEqual(response.status_code, 403)
        self.assertFalse(CalendarException.objects.filter(school=self.s1).exists())

    def test_delete(self):
        own = CalendarException.objects.create(
            district=self.d1, date=self.day, kind=ExceptionKind.CLOSED, reason="停电"
        )
        cases = [
            # (persona, object, status): seen but not theirs is 403, unseen 404.
            ("principal1", own, 403),
            ("district1", self.d2_closure, 404),
            ("district1", self.city_term, 403),
            ("district1", own, 302),
            ("city", self.city_term, 302),
        ]
        for persona, obj, status in cases:
            with self.subTest(persona=persona, obj=obj):
                name = "term-delete" if isinstance(obj, Term) else "exception-delete"
                self.login(persona)
                response = self.client.post(reverse(f"schools:{name}", args=[obj.pk]))
                self.assertEqual(response.status_code, status)
                exists = type(obj).objects.filter(pk=obj.pk).exists()
                self.assertEqual(exists, status != 302)

    def test_delete_buttons_only_where_allowed(self):
        own = CalendarException.objects.create(
            district=self.d1, date=self.day, kind=ExceptionKind.CLOSED, reason="停电"
        )
        self.login("district1")
        response = self.client.get(reverse("schools:calendar"))
        self.assertEqual(response.context["deletable_exceptions"], {own.pk})
        self.assertEqual(response.context["deletable_terms"], set())
        self.login("principal1")
        response = self.client.get(reverse("schools:calendar"))
        self.assertEqual(response.context["deletable_exceptions"], set())

    def test_a_city_row_is_listed_once_for_a_user_in_two_districts(self):
        from accounts.choices import Role
        from tests.factories import assign

        assign(self.users["district1"], Role.DISTRICT_STAFF, self.d2)
        self.login("district1")
        response = self.client.get(reverse("schools:calendar"))
        self.assertEqual(response.context["terms"], [self.city_term])

    def test_query_count_does_not_grow_with_rows(self):
        CalendarException.objects.create(
            district=self.d1, date=self.day, kind=ExceptionKind.CLOSED, reason="停电"
        )
        self.login("district1")
        url = reverse("schools:calendar")
        # session, user, role assignments; the terms and the exceptions (units
        # joined); which of each may be deleted; and the city, district and
        # school choices of the two add forms (city and district twice).
        with self.assertNumQueries(12 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(10):
            CalendarException.objects.create(
                district=self.d1,
                date=self.day + datetime.timedelta(days=n + 1),
                kind=ExceptionKind.OPEN,
                reason=f"补课{n}",
            )
        self.login("district1")
        with self.assertNumQueries(12 + LAYOUT_QUERIES):
            self.client.get(url)
