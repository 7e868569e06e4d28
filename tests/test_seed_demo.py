"""`manage.py seed_demo`: deterministic, refuses to overwrite, resets cleanly, scopes right."""

import io
from unittest import mock

from auditlog.models import LogEntry
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from accounts.scope import Scope
from campussafety import demo
from schools.choices import ExceptionKind, SchoolType, TermAudience
from schools.management.seeding import DEMO_USERNAMES
from schools.models import CalendarException, City, District, Gate, PoliceStation, School, Term

PASSWORD = "demo-Pass-1"


def seed(**options):
    options = {"schools": 40, "days": 30, "seed": 7, "password": PASSWORD, **options}
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def sign_in(username, password):
    # As the login page does: django-axes needs the request to check lockouts.
    return authenticate(RequestFactory().post("/login/"), username=username, password=password)


def school_rows():
    return list(School.objects.order_by("code").values_list("code", "name", "district__code"))


# A cheap hasher: the tests check the password, not PBKDF2's cost.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class SeedDemoTests(TestCase):
    def test_the_same_seed_gives_the_same_schools_and_another_seed_does_not(self):
        seed()
        first = school_rows()
        gates = list(Gate.objects.order_by("school__code", "name").values_list("name", flat=True))
        seed(reset=True)
        self.assertEqual(school_rows(), first)
        self.assertEqual(
            list(Gate.objects.order_by("school__code", "name").values_list("name", flat=True)),
            gates,
        )
        seed(reset=True, seed=8)
        self.assertNotEqual(school_rows(), first)

    def test_the_organisation_is_plausible(self):
        output = seed()
        self.assertEqual(City.objects.get().code, "371600")
        self.assertEqual(
            set(District.objects.values_list("code", flat=True)),
            {"371602", "371603", "371621", "371622", "371623", "371625", "371681"},
        )
        self.assertEqual(School.objects.count(), 40)
        for school in School.objects.select_related("police_station"):
            self.assertRegex(school.code, r"^\d{10}$")
            self.assertTrue(school.code.startswith(school.district.code))
            self.assertEqual(school.police_station.district_id, school.district_id)
            self.assertTrue(1 <= school.gates.count() <= 4)
            # Around Binzhou: 36.8–37.8 N, 117.5–118.2 E.
            self.assertTrue(36.5 < float(school.latitude) < 38.2)
            self.assertTrue(117.0 < float(school.longitude) < 118.6)
        self.assertTrue(PoliceStation.objects.filter(name__endswith="派出所").exists())
        self.assertIn("Demo logins", output)
        self.assertIn("principal1", output)

    def test_terms_cover_the_range_and_closures_are_seeded(self):
        seed(days=200)
        self.assertTrue(Term.objects.filter(city__isnull=False, audience=TermAudience.ALL))
        self.assertTrue(Term.objects.filter(district__name="滨城区", audience="kindergartens"))
        closures = CalendarException.objects.filter(kind=ExceptionKind.CLOSED)
        self.assertTrue(closures.filter(city__isnull=False).exists())
        principal1_school = RoleAssignment.objects.get(user__username="principal1").school
        self.assertTrue(closures.filter(school=principal1_school).exists())

    def test_it_refuses_to_seed_over_existing_data_without_reset(self):
        seed()
        with self.assertRaisesMessage(CommandError, "--reset"):
            seed()
        self.assertEqual(School.objects.count(), 40)

    def test_if_empty_skips_quietly_when_data_exists(self):
        seed()
        output = seed(if_empty=True, schools=5)
        self.assertIn("not seeding", output)
        self.assertEqual(School.objects.count(), 40)

    def test_reset_replaces_the_data_and_the_logins(self):
        seed()
        seed(reset=True, schools=9, password="another-Pass-2")
        self.assertEqual(School.objects.count(), 9)
        self.assertEqual(City.objects.count(), 1)
        self.assertEqual(User.objects.filter(username__in=DEMO_USERNAMES).count(), 9)
        self.assertIsNotNone(sign_in("city", "another-Pass-2"))
        self.assertIsNone(sign_in("city", PASSWORD))

    def test_reset_deletes_the_demo_without_an_audit_entry_a_row(self):
        seed()
        deletions = LogEntry.objects.filter(action=LogEntry.Action.DELETE)
        self.assertEqual(deletions.count(), 0)
        seed(reset=True)
        # The members, their assignments and the rest went without a trace each, as
        # they came (in bulk): at a province's scale the entries made --reset take hours.
        self.assertEqual(deletions.count(), 0)
        self.assertEqual(School.objects.count(), 40)

    def test_reset_blocked_by_another_apps_rows_explains_and_deletes_nothing(self):
        seed()

        def blocked_reset():
            raise ProtectedError("protected", set(School.objects.all()[:2]))

        steps = [*demo.ordered_steps(), demo.Step("elsewhere", lambda ctx: "", blocked_reset)]
        with (
            mock.patch("schools.management.commands.seed_demo.ordered_steps", lambda: steps),
            self.assertRaisesMessage(
                CommandError, f"elsewhere data: {School._meta.verbose_name_plural} still refer"
            ),
        ):
            seed(reset=True)
        self.assertEqual(School.objects.count(), 40)

    def test_bad_arguments_are_refused(self):
        for options, message in [
            ({"schools": 0}, "--schools"),
            ({"days": -1}, "--days"),
            ({"password": ""}, "--password"),
            ({"password": "   "}, "--password"),
            ({"reset": True, "if_empty": True}, "--if-empty"),
        ]:
            with self.subTest(options=options), self.assertRaisesMessage(CommandError, message):
                seed(**options)
        self.assertFalse(School.objects.exists())

    def test_a_single_school_still_gives_every_login_a_role(self):
        seed(schools=1)
        # The schools' guards (inspections' step) come on top of the demo logins.
        roles = dict(
            RoleAssignment.objects.exclude(role=Role.GUARD).values_list("user__username", "role")
        )
        self.assertEqual(set(roles), set(DEMO_USERNAMES))
        self.assertEqual(
            list(RoleAssignment.objects.filter(role=Role.GUARD).values_list("user__username")),
            [("guard1",)],
        )
        police = RoleAssignment.objects.filter(role=Role.POLICE_LIAISON)
        self.assertEqual(len({a.police_station_id for a in police}), 2)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class DemoLoginScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed(schools=60)

    def visible_schools(self, username):
        user = User.objects.get(username=username)
        return set(Scope.of(user).restrict(School.objects.all()))

    def unit(self, username, field):
        return getattr(RoleAssignment.objects.get(user__username=username), field)

    def test_every_login_signs_in_with_the_password(self):
        for username in DEMO_USERNAMES:
            with self.subTest(username=username):
                self.assertIsNotNone(sign_in(username, PASSWORD))

    def test_admin_is_a_superuser_with_the_admin_role(self):
        admin = User.objects.get(username="admin")
        self.assertTrue(admin.is_superuser and admin.is_staff)
        self.assertTrue(RoleAssignment.objects.filter(user=admin, role=Role.ADMIN).exists())
        self.assertEqual(self.visible_schools("admin"), set(School.objects.all()))

    def test_city_staff_see_every_school(self):
        self.assertEqual(self.visible_schools("city"), set(School.objects.all()))

    def test_district_staff_see_their_own_district_only(self):
        district1 = self.unit("district1", "district")
        district2 = self.unit("district2", "district")
        self.assertNotEqual(district1, district2)
        self.assertEqual(self.visible_schools("district1"), set(district1.schools.all()))
        self.assertEqual(self.visible_schools("district2"), set(district2.schools.all()))

    def test_principals_see_exactly_their_school_in_their_districts(self):
        school1 = self.unit("principal1", "school")
        school2 = self.unit("principal2", "school")
        self.assertEqual(self.visible_schools("principal1"), {school1})
        self.assertEqual(self.visible_schools("principal2"), {school2})
        self.assertEqual(self.visible_schools("officer1"), {school1})
        self.assertEqual(school1.district, self.unit("district1", "district"))
        self.assertEqual(school2.district, self.unit("district2", "district"))
        self.assertNotEqual(school1.school_type, SchoolType.KINDERGARTEN)

    def test_police_see_their_stations_schools_including_their_principals(self):
        station1 = self.unit("police1", "police_station")
        station2 = self.unit("police2", "police_station")
        self.assertNotEqual(station1, station2)
        self.assertEqual(self.visible_schools("police1"), set(station1.schools.all()))
        self.assertIn(self.unit("principal1", "school"), self.visible_schools("police1"))
        self.assertIn(self.unit("principal2", "school"), self.visible_schools("police2"))


class DemoStepOrderTests(SimpleTestCase):
    """Each app declares its steps in its demo.py; the command runs them after what they need."""

    def steps(self, *declared):
        # The apps' demo.py modules are imported once; later lookups add nothing to the registry.
        demo.ordered_steps()
        with mock.patch.object(demo, "_steps", {}):
            demo.register(*declared)
            return demo.ordered_steps()

    def test_the_apps_steps_run_after_the_steps_they_build_on(self):
        names = [step.name for step in demo.ordered_steps()]
        self.assertEqual(
            names,
            [
                "organisation",
                "accounts",
                "calendar",
                "posts",
                "inspections",
                "hazards",
                "drills",
                "equipment",
                "coordination",
            ],
        )

    def test_a_step_declared_before_what_it_needs_still_runs_after_it(self):
        def nothing(*args):
            return ""

        ordered = self.steps(
            demo.Step("logs", nothing, nothing, after=("schools", "calendar")),
            demo.Step("calendar", nothing, nothing, after=("schools",)),
            demo.Step("schools", nothing, nothing),
        )
        self.assertEqual([step.name for step in ordered], ["schools", "calendar", "logs"])

    def test_a_circle_or_an_unknown_step_is_refused(self):
        def nothing(*args):
            return ""

        with self.assertRaisesMessage(ImproperlyConfigured, "circle"):
            self.steps(
                demo.Step("a", nothing, nothing, after=("b",)),
                demo.Step("b", nothing, nothing, after=("a",)),
            )
        with self.assertRaisesMessage(ImproperlyConfigured, "unknown steps: nowhere"):
            self.steps(demo.Step("a", nothing, nothing, after=("nowhere",)))
