"""The scope mechanism itself: grants, levels, shared rows and custom actions."""

import datetime

from accounts.choices import Role
from accounts.scope import ADD, CHANGE, VIEW, Scope
from posts import dutylogs
from posts.models import DutyLog, PostPeriod
from schools.models import CalendarException, District, School, Term
from tests.base import WorldTestCase
from tests.factories import UserFactory, assign
from tests.posts_world import TODAY, PostsWorldTestCase


class ScopeTests(WorldTestCase):
    def test_a_principal_reaches_their_school_and_its_district_for_viewing(self):
        user = self.principal1
        self.assertEqual(list(School.objects.for_user(user)), [self.s1])
        self.assertEqual(list(District.objects.for_user(user)), [self.d1])
        self.assertEqual(list(District.objects.for_user(user, "change")), [])

    def test_police_reach_the_schools_of_their_jurisdiction(self):
        self.assertEqual(set(School.objects.for_user(self.police1)), {self.s1, self.k1})

    def test_no_role_reaches_nothing_and_an_unknown_action_fails_closed(self):
        self.assertFalse(School.objects.for_user(self.outsider).exists())
        self.assertFalse(School.objects.for_user(self.city, "demolish").exists())

    def test_a_shared_row_is_listed_once_for_a_user_with_grants_in_two_districts(self):
        Term.objects.create(
            city=self.city_a,
            name="秋季学期",
            start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2027, 1, 22),
        )
        CalendarException.objects.create(
            city=self.city_a, date=datetime.date(2026, 12, 2), kind="closed", reason="暴雪"
        )
        user = UserFactory(username="two-districts")
        assign(user, Role.DISTRICT_STAFF, self.d1)
        assign(user, Role.DISTRICT_STAFF, self.d2)
        self.assertEqual(Term.objects.for_user(user).count(), 1)
        self.assertEqual(CalendarException.objects.for_user(user).count(), 1)
        # ... and district staff may not change the city's rows.
        self.assertEqual(Term.objects.for_user(user, "change").count(), 0)

    def test_several_roles_add_up(self):
        user = UserFactory(username="both")
        assign(user, Role.PRINCIPAL, self.s2)
        assign(user, Role.POLICE_LIAISON, self.p1)
        self.assertEqual(set(School.objects.for_user(user)), {self.s1, self.s2, self.k1})
        self.assertEqual(list(School.objects.for_user(user, "change")), [self.s2])
        self.assertEqual(Scope.of(user).roles, {Role.PRINCIPAL, Role.POLICE_LIAISON})

    def test_the_scope_is_built_with_one_query_and_cached(self):
        user = type(self.city).objects.get(pk=self.city.pk)
        with self.assertNumQueries(1):
            Scope.of(user)
            Scope.of(user)


class DecidedInMemoryTests(PostsWorldTestCase):
    """Scope.reaches takes restrict()'s decision on an object read with its related rows."""

    multi_role_personas = True

    def test_it_agrees_with_the_database_for_every_persona_action_and_role(self):
        periods = [dutylogs.period_with_roster(pk, TODAY)[0] for pk in self.period_ids()]
        for name, user in self.users.items():
            scope = Scope.of(user)
            for action, roles in (
                (VIEW, None),
                (VIEW, DutyLog.access[ADD]),
                (ADD, None),
                (CHANGE, None),
                ("demolish", None),
            ):
                reached = set(
                    scope.restrict(PostPeriod.objects.all(), action, roles).values_list(
                        "pk", flat=True
                    )
                )
                for period in periods:
                    with self.subTest(persona=name, action=action, roles=roles, period=period.pk):
                        self.assertIs(scope.reaches(period, action, roles), period.pk in reached)

    def test_without_the_related_rows_it_leaves_the_decision_to_the_database(self):
        period = PostPeriod.objects.get(pk=self.morning("s1").pk)
        self.assertIsNone(Scope.of(self.principal1).reaches(period))
        self.assertTrue(Scope.of(self.admin).reaches(period))

    def period_ids(self):
        return list(PostPeriod.objects.order_by("pk").values_list("pk", flat=True))
