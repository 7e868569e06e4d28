"""Roster pages: the week, editing shifts, generating, printing and the weekly pattern."""

import datetime

from django.urls import reverse

from posts.models import (
    RosterRule,
    Shift,
)
from tests.base import LAYOUT_QUERIES, PERSONAS
from tests.posts_pages import (
    LAST_FRIDAY,
    SATURDAY,
    TUESDAY,
    WEDNESDAY,
    D,
    PostsPageTestCase,
)
from tests.posts_world import TODAY, make_member


class RosterPageTests(PostsPageTestCase):
    def roster(self, persona, **query):
        self.login(persona)
        return self.client.get(reverse("posts:roster"), query)

    def edit(self, persona, name, data, school=None, week=TODAY):
        self.login(persona)
        school = school or self.s1
        url = f"{reverse(f'posts:{name}')}?school={school.pk}&week={week}"
        return self.client.post(url, data)

    def test_the_week_with_its_problems_flagged(self):
        response = self.roster("principal1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["school"], self.s1)
        self.assertEqual(response.context["monday"], TODAY)
        self.assertEqual(len(response.context["days"]), 5)
        ((post, (morning, afternoon)),) = response.context["tables"]
        self.assertEqual([len(cell.shifts) for cell in morning.cells], [5] * 5)
        self.assertFalse(any(cell.problems for cell in morning.cells))
        # The afternoon roster is 3 of 4 qualified, below 80%, every day.
        self.assertTrue(all(cell.problems for cell in afternoon.cells))
        self.assertEqual(response.context["problem_count"], 5)
        self.assertContains(response, "roster-problem", count=5)
        self.assertTrue(response.context["can_edit"])
        self.assertIn("cell_form", response.context)

    def test_who_sees_and_who_edits(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                home = {"district2": self.s2, "principal2": self.s2, "police2": self.s2}.get(
                    persona, self.s1
                )
                if persona == "outsider":
                    response = self.roster(persona)
                    self.assertIsNone(response.context.get("school"))
                    self.assertEqual(self.roster(persona, school=self.s1.pk).status_code, 404)
                    continue
                response = self.roster(persona, school=home.pk)
                self.assertEqual(response.status_code, 200)
                may_edit = persona not in ("police1", "police2")
                self.assertEqual(response.context["can_edit"], may_edit)
                self.assertEqual("cell_form" in response.context, may_edit)
                foreign = self.s3 if persona != "admin" else None
                if foreign:
                    self.assertEqual(self.roster(persona, school=foreign.pk).status_code, 404)

    def test_a_week_that_is_not_a_date_shows_this_week(self):
        for week in ("下周", "2026-13-01", ""):
            with self.subTest(week=week):
                response = self.roster("principal1", week=week)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["monday"], TODAY)
        response = self.roster("principal1", week="2026-12-02")
        self.assertEqual(response.context["monday"], D(2026, 11, 30))
        self.assertEqual(self.roster("principal1", school="南门").status_code, 404)

    def test_add_a_member_to_a_cell(self):
        data = {
            "post_period": self.afternoon("s1").pk,
            "date": TUESDAY.isoformat(),
            "member": self.member("s1", "guard_b").pk,
            "note": "",
        }
        response = self.edit("officer1", "shift-add", data)
        self.assertRedirects(
            response, f"{reverse('posts:roster')}?school={self.s1.pk}&week=2026-11-23"
        )
        self.assertTrue(
            Shift.objects.filter(
                post_period=self.afternoon("s1"), date=TUESDAY, member__name="S1guard_b"
            ).exists()
        )
        # 4 of 5 qualified now: Tuesday afternoon is no longer flagged.
        response = self.roster("officer1")
        afternoon = response.context["tables"][0][1][1]
        self.assertEqual(afternoon.cells[1].problems, [])

    def test_bad_cells_are_form_errors(self):
        base = {
            "post_period": self.afternoon("s1").pk,
            "date": TUESDAY.isoformat(),
            "member": self.member("s1", "guard_b").pk,
        }
        before = Shift.objects.count()
        cases = {
            "member of another school": ({"member": self.member("s2", "guard_b").pk}, "member"),
            "unverified member": ({"member": self.member("s1", "volunteer").pk}, "member"),
            "already on the shift": ({"member": self.member("s1", "police").pk}, "member"),
            "out-of-scope post period": ({"post_period": self.morning("s2").pk}, "post_period"),
            "not a school day": ({"date": SATURDAY.isoformat()}, "date"),
            "not a date": ({"date": "2026-11-31"}, "date"),
            "a past day": ({"date": LAST_FRIDAY.isoformat()}, "date"),
        }
        for case, (changes, field) in cases.items():
            with self.subTest(case):
                response = self.edit("principal1", "shift-add", {**base, **changes})
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["cell_form"].errors)
        self.assertEqual(Shift.objects.count(), before)

    def test_remove_replace_and_swap(self):
        community = Shift.objects.get(
            post_period=self.morning("s1"), date=TUESDAY, member=self.member("s1", "community")
        )
        self.assert_status(
            "police1", "post", reverse("posts:shift-remove", args=[community.pk]), 403
        )
        self.assert_status(
            "principal2", "post", reverse("posts:shift-remove", args=[community.pk]), 404
        )
        response = self.edit(
            "principal1",
            "shift-replace",
            {"shift": community.pk, "member": self.member("s1", "guard_expired").pk},
        )
        self.assertEqual(response.status_code, 302)
        community.refresh_from_db()
        self.assertTrue(community.is_cancelled)
        replacement = Shift.objects.get(
            post_period=self.morning("s1"), date=TUESDAY, member__name="S1guard_expired"
        )

        # The replacement and the community worker swap shifts: back to
        # Tuesday morning for the community worker.
        afternoon = Shift.objects.get(
            post_period=self.afternoon("s1"), date=WEDNESDAY, member=self.member("s1", "community")
        )
        response = self.edit(
            "principal1", "shift-swap", {"shift": replacement.pk, "other_shift": afternoon.pk}
        )
        self.assertEqual(response.status_code, 302)
        live = Shift.objects.filter(is_cancelled=False)
        self.assertTrue(
            live.filter(
                post_period=self.afternoon("s1"), date=WEDNESDAY, member__name="S1guard_expired"
            ).exists()
        )
        self.assertTrue(
            live.filter(
                post_period=self.morning("s1"), date=TUESDAY, member__name="S1community"
            ).exists()
        )

        self.login("principal1")
        response = self.client.post(reverse("posts:shift-remove", args=[afternoon.pk]))
        self.assertRedirects(
            response,
            f"{reverse('posts:roster')}?school={self.s1.pk}&week=2026-11-25",
            fetch_redirect_response=False,
        )

    def test_bad_replacements_and_swaps_are_form_errors(self):
        morning_tuesday = Shift.objects.filter(post_period=self.morning("s1"), date=TUESDAY)
        police = morning_tuesday.get(member__name="S1police")
        aux = morning_tuesday.get(member__name="S1aux")
        foreign = Shift.objects.filter(school=self.s2).first()
        cases = {
            "replace with the same member": (
                "shift-replace",
                "replace_form",
                {"shift": police.pk, "member": self.member("s1", "police").pk},
            ),
            "replace with someone already there": (
                "shift-replace",
                "replace_form",
                {"shift": police.pk, "member": self.member("s1", "aux").pk},
            ),
            "replace in another school's shift": (
                "shift-replace",
                "replace_form",
                {"shift": foreign.pk, "member": self.member("s1", "guard_expired").pk},
            ),
            "swap a shift with itself": (
                "shift-swap",
                "swap_form",
                {"shift": police.pk, "other_shift": police.pk},
            ),
            "swap within one cell": (
                "shift-swap",
                "swap_form",
                {"shift": police.pk, "other_shift": aux.pk},
            ),
            "swap with another school": (
                "shift-swap",
                "swap_form",
                {"shift": police.pk, "other_shift": foreign.pk},
            ),
        }
        before = list(Shift.objects.values_list("pk", "member_id", "is_cancelled"))
        for case, (name, form, data) in cases.items():
            with self.subTest(case):
                response = self.edit("principal1", name, data)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context[form].errors)
        self.assertEqual(list(Shift.objects.values_list("pk", "member_id", "is_cancelled")), before)

    def test_generate_the_next_weeks(self):
        response = self.edit("principal1", "roster-generate", {"weeks": "2", "post": ""})
        self.assertEqual(response.status_code, 302)
        next_week = Shift.objects.filter(school=self.s1, date__gte=D(2026, 11, 30))
        # Five days of the week after: 5 morning + 4 afternoon members a day.
        self.assertEqual(next_week.count(), 45)
        self.assertFalse(Shift.objects.filter(school=self.s2, date__gte=D(2026, 11, 30)).exists())
        for weeks in ("0", "9", "两"):
            with self.subTest(weeks=weeks):
                response = self.edit("principal1", "roster-generate", {"weeks": weeks})
                self.assertEqual(response.status_code, 200)
                self.assertIn("weeks", response.context["generate_form"].errors)
        response = self.edit("principal1", "roster-generate", {"weeks": "1"}, week=D(2026, 11, 9))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["generate_form"].non_field_errors())
        self.assertEqual(self.edit("police1", "roster-generate", {"weeks": "1"}).status_code, 403)
        response = self.edit("principal1", "roster-generate", {"weeks": "1"}, school=self.s2)
        self.assertEqual(response.status_code, 404)

    def test_the_printable_week(self):
        self.login("police1")
        response = self.client.get(reverse("posts:roster-print"), {"school": self.s1.pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "roster-print")
        self.assertContains(response, "S1guard_a")
        self.assertNotContains(response, reverse("posts:shift-add"))
        self.assertNotContains(response, '<form method="post" action="/posts/')
        self.login("outsider")
        self.assertEqual(self.client.get(reverse("posts:roster-print")).status_code, 404)

    def test_query_count_does_not_grow_with_members(self):
        url = f"{reverse('posts:roster')}?school={self.s1.pk}"
        self.login("police1")
        # session, user, role assignments; the school; the week's school days
        # (three); the posts and their periods; the week's shifts with their
        # members; the roster problems (periods, school days, counts: five);
        # whether there is another school to choose (two ids at most) and the
        # school chosen, for the type-ahead. (Whether a police liaison may edit
        # costs no query: none of their roles may, so the scope answers none().)
        with self.assertNumQueries(17 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(5):
            member = make_member(f"加人{n}", self.s1, kind="police", police_number=f"0{n}")
            Shift.objects.create(
                school=self.s1,
                post_period=self.morning("s1"),
                date=TUESDAY,
                member=member,
                origin="manual",
            )
        self.login("police1")
        with self.assertNumQueries(17 + LAYOUT_QUERIES):
            self.client.get(url)

    def test_the_school_is_chosen_by_type_ahead_not_from_a_list(self):
        # The page weighs the same whatever the number of schools: only the one shown is
        # an option, the others come from the school search.
        self.login("city")
        response = self.client.get(reverse("posts:roster"), {"school": self.s1.pk})
        self.assertContains(response, f'<option value="{self.s1.pk}" selected>')
        self.assertNotContains(response, f">{self.s2.name}</option>")
        self.assertContains(response, f'data-search-url="{reverse("schools:search")}"')
        # One school in scope: nothing to choose.
        self.login("principal1")
        self.assertNotContains(self.client.get(reverse("posts:roster")), "data-search-url")


class PatternPageTests(PostsPageTestCase):
    def add(self, persona, school, **data):
        self.login(persona)
        return self.client.post(f"{reverse('posts:rule-add')}?school={school.pk}", data)

    def test_the_pattern_and_its_editor(self):
        self.login("principal1")
        response = self.client.get(reverse("posts:pattern"))
        self.assertEqual(response.status_code, 200)
        (morning, afternoon) = response.context["rows"]
        self.assertEqual([len(rules) for rules in morning[1]], [5] * 5)
        self.assertEqual(len(response.context["weekdays"]), 5)
        response = self.add(
            "principal1",
            self.s1,
            post_period=self.afternoon("s1").pk,
            weekday=1,
            member=self.member("s1", "guard_b").pk,
        )
        self.assertRedirects(response, f"{reverse('posts:pattern')}?school={self.s1.pk}")
        rule = RosterRule.objects.get(
            post_period=self.afternoon("s1"), weekday=1, member__name="S1guard_b"
        )
        self.login("police1")
        self.assertEqual(
            self.client.post(reverse("posts:rule-delete", args=[rule.pk])).status_code, 403
        )
        self.login("principal2")
        self.assertEqual(
            self.client.post(reverse("posts:rule-delete", args=[rule.pk])).status_code, 404
        )
        self.login("officer1")
        response = self.client.post(reverse("posts:rule-delete", args=[rule.pk]))
        self.assertRedirects(response, f"{reverse('posts:pattern')}?school={self.s1.pk}")
        self.assertFalse(RosterRule.objects.filter(pk=rule.pk).exists())

    def test_query_count_does_not_grow_with_rules(self):
        url = reverse("posts:pattern")
        self.login("principal1")
        # session, user, role assignments; the principal's school; the rules
        # with their members; the periods with their posts; whether the user
        # may edit; the post period and member choices of the add form.
        with self.assertNumQueries(9 + LAYOUT_QUERIES):
            self.client.get(url)
        for n in range(4):
            member = make_member(f"周规律{n}", self.s1, kind="police", police_number=f"9{n}")
            RosterRule.objects.create(post_period=self.morning("s1"), weekday=5, member=member)
        self.login("principal1")
        with self.assertNumQueries(9 + LAYOUT_QUERIES):
            response = self.client.get(url)
        # A rule on Saturday brings the weekend columns.
        self.assertEqual(len(response.context["weekdays"]), 6)

    def test_the_apis_checks_are_form_errors(self):
        noon = self.post("s1").periods.create(
            period="noon", start_time=datetime.time(7, 30), end_time=datetime.time(8, 0)
        )
        cases = {
            "unverified": (self.morning("s1"), 5, self.member("s1", "volunteer"), "member"),
            "another school's member": (self.morning("s1"), 5, self.member("s2", "aux"), "member"),
            "overlapping post": (noon, 0, self.member("s1", "police"), "member"),
            "out-of-scope period": (self.morning("s2"), 5, self.member("s1", "aux"), "post_period"),
            "twice": (self.morning("s1"), 0, self.member("s1", "aux"), "__all__"),
        }
        before = RosterRule.objects.count()
        for case, (period, weekday, member, field) in cases.items():
            with self.subTest(case):
                response = self.add(
                    "principal1", self.s1, post_period=period.pk, weekday=weekday, member=member.pk
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["rule_form"].errors)
        self.assertEqual(RosterRule.objects.count(), before)
        response = self.add(
            "police1",
            self.s1,
            post_period=self.morning("s1").pk,
            weekday=5,
            member=self.member("s1", "aux").pk,
        )
        self.assertEqual(response.status_code, 403)
