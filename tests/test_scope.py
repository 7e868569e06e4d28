"""The scope mechanism itself: grants, levels, shared rows and custom actions."""

import datetime

from accounts.choices import Role
from accounts.scope import Scope
from schools.models import CalendarException, District, School, Term
from tests.base import WorldTestCase
from tests.factories import UserFactory, assign


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
