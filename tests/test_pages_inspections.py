"""The inspection board, the bureaus' completion with its drill-down, and excusing windows."""

from django.urls import reverse

from schools.models import ObligationExcuse, ObligationWindow
from tests.base import LAYOUT_QUERIES
from tests.factories import SchoolFactory
from tests.inspections_pages import (
    BUREAU,
    MONDAY,
    TODAY,
    TUESDAY,
    InspectionsPageTestCase,
)


class BoardTests(InspectionsPageTestCase):
    def test_who_reads_a_schools_board(self):
        # Its staff and the bureaus over it; police see the school but not its board.
        self.each_persona(
            lambda key: reverse("inspections:board", args=[getattr(self, key).pk]),
            BUREAU | {"principal1", "principal2", "officer1"},
        )

    def test_school_staff_find_the_codes_and_the_guards_from_the_board(self):
        qr_sheet = reverse("inspections:qr-sheet", args=[self.s1.pk])
        for persona, shown in (("officer1", True), ("principal1", True), ("district1", False)):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(reverse("inspections:board", args=[self.s1.pk]))
                self.assertEqual(response.status_code, 200)
                if shown:
                    self.assertContains(response, qr_sheet)
                    self.assertContains(response, reverse("inspections:guards"))
                else:
                    self.assertNotContains(response, qr_sheet)

    def test_unknown_school_is_a_404(self):
        self.login("admin")
        response = self.client.get(reverse("inspections:board", args=[999999]))
        self.assertEqual(response.status_code, 404)

    def test_today_the_week_and_the_next_checks(self):
        self.login("officer1")
        response = self.client.get(reverse("inspections:board", args=[self.s1.pk]))
        self.assertEqual(response.status_code, 200)
        today = {
            rule.code: [w.status for w in windows]
            for rule, windows in response.context["today_rules"]
        }
        # 10:00: the 07:00-08:30 patrol done at 08:00, 09:30-11:30 open, the rest to come.
        self.assertEqual(
            today["security-patrol"], ["done", "open", "upcoming", "upcoming", "upcoming"]
        )
        self.assertEqual(today["fire-patrol"], ["open"])
        week = {(w.rule.code, w.date, w.status) for w in response.context["week_trouble"]}
        self.assertIn(("fire-patrol", TUESDAY, "missed"), week)
        self.assertNotIn(("fire-patrol", MONDAY, "missed"), week)
        # Each monthly or term check once: the window due next.
        upcoming = [w.rule.code for w in response.context["next_periodic"]]
        self.assertEqual(upcoming.count("fire-check"), 1)
        self.assertEqual(len(upcoming), len(set(upcoming)))
        self.assertContains(response, "status-missed")
        self.assertNotContains(response, reverse("inspections:excuses"))

    def test_excused_window_shows_excused(self):
        self.login("district1")
        self.client.post(
            reverse("inspections:excuses"),
            {
                "rule": self.fire_patrol.inspection_rule.pk,
                "school": self.s1.code,
                "start": TUESDAY.isoformat(),
                "end": TUESDAY.isoformat(),
                "reason": "停电",
            },
        )
        response = self.client.get(reverse("inspections:board", args=[self.s1.pk]))
        week = {(w.rule.code, w.date, w.status) for w in response.context["week_trouble"]}
        self.assertNotIn(("fire-patrol", TUESDAY, "missed"), week)
        # Bureau staff get the link to excuse what is still missed, the form filled in.
        link = next(w for w in response.context["month_missed"] if w.rule.code == "gate-check")
        self.assertEqual(link.inspection_rule_id, link.rule.inspection_rule.pk)
        response = self.client.get(
            reverse("inspections:excuses"),
            {"rule": link.inspection_rule_id, "school": self.s1.code, "start": "2026-11-24"},
        )
        self.assertTrue(response.context["prefilled"])
        self.assertEqual(response.context["form"]["school"].value(), self.s1.code)

    def test_query_count(self):
        self.login("principal1")
        url = reverse("inspections:board", args=[self.s1.pk])
        # session, user, role assignments; the school; its scope check; due_windows():
        # the school's facts, the rules, the overrides, the terms (schools,
        # terms), the school days (schools, terms, exceptions), the summary rows.
        with self.assertNumQueries(14 + LAYOUT_QUERIES):
            self.client.get(url)

    def test_the_board_link_goes_to_the_users_school(self):
        self.login("principal2")
        response = self.client.get(reverse("inspections:board-choice"))
        self.assertRedirects(response, reverse("inspections:board", args=[self.s2.pk]))
        self.login("city")
        response = self.client.get(reverse("inspections:board-choice"))
        self.assertRedirects(response, reverse("inspections:completion"))
        for persona in ("police1", "outsider"):
            self.login(persona)
            self.assertEqual(self.client.get(reverse("inspections:board-choice")).status_code, 403)


class CompletionTests(InspectionsPageTestCase):
    def test_who_reads_completion(self):
        url = reverse("inspections:completion")
        for persona, status in {
            "admin": 200,
            "city": 200,
            "district1": 200,
            "district2": 200,
            "district1_principal2": 200,
            "principal1": 403,
            "officer1": 403,
            "police1": 403,
            "principal1_police2": 403,
            "outsider": 403,
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(url).status_code, status)

    def test_city_sees_its_districts_and_drills_down(self):
        self.login("city")
        response = self.client.get(reverse("inspections:completion"))
        names = [row.name for row, _rate in response.context["rows"]]
        self.assertEqual(sorted(names), sorted([self.d1.name, self.d2.name]))
        response = self.client.get(reverse("inspections:completion"), {"district": self.d1.pk})
        schools = {row.pk: rate for row, rate in response.context["rows"]}
        self.assertEqual(set(schools), {self.s1.pk, self.k1.pk})
        # S1: Monday's fire patrol done; the rates count only what is due.
        self.assertGreater(schools[self.s1.pk].done, 0)
        self.assertContains(response, reverse("inspections:board", args=[self.s1.pk]))
        # A district outside the city, or no district at all: 404.
        for district in (self.d3.pk, 999999, "x"):
            with self.subTest(district=district):
                response = self.client.get(
                    reverse("inspections:completion"), {"district": district}
                )
                self.assertEqual(response.status_code, 404)

    def test_admins_start_from_the_cities(self):
        self.login("admin")
        url = reverse("inspections:completion")
        response = self.client.get(url)
        self.assertEqual(response.context["level"], "city")
        self.assertEqual(
            {row.pk for row, _rate in response.context["rows"]}, {self.city_a.pk, self.city_b.pk}
        )
        response = self.client.get(url, {"city": self.city_b.pk})
        self.assertEqual([row.pk for row, _rate in response.context["rows"]], [self.d3.pk])
        self.login("city")
        self.assertEqual(self.client.get(url, {"city": self.city_b.pk}).status_code, 404)

    def test_district_staff_see_their_district_only(self):
        self.login("district2")
        response = self.client.get(reverse("inspections:completion"))
        self.assertEqual(response.context["district"], self.d2)
        self.assertEqual([row.pk for row, _rate in response.context["rows"]], [self.s2.pk])
        response = self.client.get(reverse("inspections:completion"), {"district": self.d1.pk})
        self.assertEqual(response.status_code, 404)

    def test_bad_month_is_a_form_error(self):
        self.login("city")
        for month in ("2026-13", "tomorrow", "2026-1-1"):
            with self.subTest(month=month):
                response = self.client.get(reverse("inspections:completion"), {"month": month})
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
        response = self.client.get(reverse("inspections:completion"), {"rule": 999999})
        self.assertTrue(response.context["form"].errors)

    def test_search_sort_and_rule(self):
        self.login("district1")
        url = reverse("inspections:completion")
        response = self.client.get(url, {"q": "幼儿园"})
        self.assertEqual([row.pk for row, _rate in response.context["rows"]], [self.k1.pk])
        response = self.client.get(url, {"sort": "-done"})
        self.assertEqual(response.context["rows"][0][0].pk, self.s1.pk)
        # One inspection rule: S1's fire patrols, done on Monday, missed on Tuesday.
        response = self.client.get(url, {"rule": self.fire_patrol.inspection_rule.pk})
        rates = {row.pk: rate for row, rate in response.context["rows"]}
        self.assertEqual(rates[self.s1.pk].done, 1)
        self.assertGreaterEqual(rates[self.s1.pk].missed, 1)
        response = self.client.get(
            url, {"rule": self.fire_check.inspection_rule.pk, "month": "2026-10"}
        )
        rates = {row.pk: rate for row, rate in response.context["rows"]}
        self.assertEqual(rates[self.s1.pk].done, 0)
        response = self.client.get(url, {"sort": "nonsense"})
        self.assertEqual(response.context["sort"], "name")

    def test_sorted_by_rate_in_the_database(self):
        self.login("district1")
        url = reverse("inspections:completion")
        for sort in ("rate", "-rate"):
            with self.subTest(sort=sort):
                response = self.client.get(url, {"sort": sort})
                rates = [rate.rate for _row, rate in response.context["rows"]]
                known = [rate for rate in rates if rate is not None]
                self.assertGreater(len(set(known)), 1)
                self.assertEqual(known, sorted(known, reverse=sort == "-rate"))
                # Rows without a window due come last either way.
                self.assertEqual(rates[: len(known)], known)

    def test_page_weight_does_not_grow_with_schools(self):
        self.login("district1")
        url = reverse("inspections:completion")
        # session, user, role assignments; the inspection rules (form, and again
        # as it renders its choices); the cities and the districts (each a count,
        # then the one); ensure_windows(): the schools lacking materialised
        # windows; the page of schools (count, rows with their windows' counts).
        # The first request of a month also materialises its windows
        # (obligation_rates.materialise(), set-based, tested on its own).
        self.client.get(url)
        with self.assertNumQueries(12 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(60):
            SchoolFactory(district=self.d1, police_station=self.p1, name=f"新校{n:02}")
        self.login("district1")
        self.client.get(url)
        with self.assertNumQueries(12 + LAYOUT_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["rows"]), 50)
        self.assertTrue(response.context["page_obj"].has_next())


class ExcuseTests(InspectionsPageTestCase):
    def data(self, **changes):
        return {
            "rule": self.fire_patrol.inspection_rule.pk,
            "school": self.s1.code,
            "start": TUESDAY.isoformat(),
            "end": TUESDAY.isoformat(),
            "reason": "停电",
            **changes,
        }

    def test_who_excuses(self):
        url = reverse("inspections:excuses")
        for persona, status in {
            "principal1": 403,
            "officer1": 403,
            "police1": 403,
            "outsider": 403,
            "principal1_police2": 403,
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(url).status_code, status)
                self.assertEqual(self.client.post(url, self.data()).status_code, status)
        self.assertFalse(ObligationExcuse.objects.exists())
        for persona in ("admin", "city", "district1", "district1_principal2"):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.post(url, self.data())
                self.assertRedirects(response, url)
                self.assertEqual(ObligationExcuse.objects.count(), 1)
                ObligationExcuse.objects.all().delete()
                ObligationWindow.objects.filter(excused=True, completions=0).delete()

    def test_a_school_outside_the_area_is_a_form_error(self):
        self.login("district2")
        for school in (self.s1.code, self.s3.code, "nonsense", str(self.s1.pk)):
            with self.subTest(school=school):
                response = self.client.post(
                    reverse("inspections:excuses"), self.data(school=school)
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn("school", response.context["form"].errors)
        self.assertFalse(ObligationExcuse.objects.exists())

    def test_a_multi_role_user_excuses_only_where_it_is_bureau_staff(self):
        # District staff of D1 and principal of S2: S1 yes, its own school no.
        self.login("district1_principal2")
        response = self.client.post(reverse("inspections:excuses"), self.data(school=self.s2.code))
        self.assertIn("school", response.context["form"].errors)
        self.assertFalse(ObligationExcuse.objects.exists())
        response = self.client.post(reverse("inspections:excuses"), self.data())
        self.assertEqual(
            list(ObligationExcuse.objects.values_list("school", flat=True)), [self.s1.pk]
        )

    def test_bad_input_is_a_form_error(self):
        self.login("district1")
        cases = {
            "end before start": {"start": TODAY.isoformat(), "end": MONDAY.isoformat()},
            "no reason": {"reason": "  "},
            "a bad date": {"start": "2026-02-30"},
            "too long": {"start": "2026-01-01", "end": "2026-12-31"},
            "nowhere": {"school": "", "district": ""},
            "unknown rule": {"rule": 999999},
        }
        for name, changes in cases.items():
            with self.subTest(name):
                response = self.client.post(reverse("inspections:excuses"), self.data(**changes))
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
        self.assertFalse(ObligationExcuse.objects.exists())

    def test_a_whole_district_and_withdrawing(self):
        self.login("district1")
        self.client.post(
            reverse("inspections:excuses"),
            self.data(school="", district=self.d1.pk, start=MONDAY.isoformat()),
        )
        # S1 and K1, Monday and Tuesday.
        self.assertEqual(ObligationExcuse.objects.count(), 4)
        response = self.client.get(reverse("inspections:excuses"))
        self.assertEqual(len(response.context["page_obj"]), 4)
        monday = ObligationExcuse.objects.get(school=self.s1, window_start__date=MONDAY)
        tuesday = ObligationExcuse.objects.get(school=self.s1, window_start__date=TUESDAY)
        url = reverse("inspections:excuse-withdraw", args=[tuesday.pk])
        for persona, status in {
            "district2": 404,
            "police2": 404,
            "outsider": 404,
            "principal1": 403,
            "police1": 403,
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.post(url).status_code, status)
        self.login("city")
        self.assertRedirects(self.client.post(url), reverse("inspections:excuses"))
        self.assertFalse(ObligationExcuse.objects.filter(pk=tuesday.pk).exists())
        # Tuesday had nothing recorded: its summary row goes, the window is missed again.
        self.assertFalse(
            ObligationWindow.objects.filter(
                rule=self.fire_patrol, school=self.s1, date=TUESDAY
            ).exists()
        )
        # Monday was done as well as excused: the row stays, done.
        self.client.post(reverse("inspections:excuse-withdraw", args=[monday.pk]))
        row = ObligationWindow.objects.get(rule=self.fire_patrol, school=self.s1, date=MONDAY)
        self.assertEqual((row.status, row.excused), ("done", False))

    def test_list_query_count(self):
        self.login("district1")
        self.client.post(
            reverse("inspections:excuses"),
            self.data(school="", district=self.d1.pk, start=MONDAY.isoformat()),
        )
        # session, user, role assignments; the count and the page of excuses with
        # their rules, schools and users; the form's rules and districts.
        with self.assertNumQueries(7 + LAYOUT_QUERIES):
            self.client.get(reverse("inspections:excuses"))


class AnonymousInspectionTests(InspectionsPageTestCase):
    def test_every_page_sends_anonymous_visitors_to_sign_in(self):
        pages = [
            ("get", reverse("inspections:board-choice")),
            ("get", reverse("inspections:board", args=[self.s1.pk])),
            ("get", reverse("inspections:completion")),
            ("get", reverse("inspections:excuses")),
            ("post", reverse("inspections:excuses")),
            ("post", reverse("inspections:excuse-withdraw", args=[1])),
            ("get", reverse("inspections:checkpoints")),
            ("get", reverse("inspections:checkpoint-add")),
            ("get", reverse("inspections:checkpoint-edit", args=[1])),
            ("post", reverse("inspections:checkpoint-active", args=[1])),
            ("get", reverse("inspections:templates")),
            ("get", reverse("inspections:template", args=[1])),
            ("get", reverse("inspections:template-publish", args=[1])),
            ("get", reverse("inspections:rules")),
            ("get", reverse("inspections:override-add", args=[1])),
            ("post", reverse("inspections:override-delete", args=[1])),
            ("get", reverse("inspections:fire-export-school", args=[self.s1.pk])),
            ("get", reverse("inspections:fire-export-district", args=[self.d1.pk])),
        ]
        for method, url in pages:
            with self.subTest(url=url, method=method):
                response = getattr(self.client, method)(url)
                self.assertRedirects(
                    response, f"{reverse('login')}?next={url}", fetch_redirect_response=False
                )
