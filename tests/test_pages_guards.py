"""School staff manage their guards' accounts: add, new password, deactivate, within their scope."""

from django.urls import reverse

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from tests.factories import assign
from tests.rounds_world import RoundsWorldTestCase


class GuardAccountTests(RoundsWorldTestCase):
    def login(self, persona):
        self.client.force_login(User.objects.get(username=persona))

    def test_who_may_open_the_page(self):
        cases = {
            "principal1": 200,
            "officer1": 200,
            "admin": 200,
            "district1": 403,
            "police1": 403,
            "guard1": 403,
            "outsider": 403,
        }
        for persona, expected in cases.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(
                    self.client.get(reverse("inspections:guards")).status_code, expected
                )

    def test_a_principal_sees_and_adds_their_schools_guards(self):
        self.login("principal1")
        response = self.client.get(reverse("inspections:guards"))
        self.assertContains(response, "guard1b")
        self.assertNotContains(response, "guard2")
        response = self.client.post(
            reverse("inspections:guards"),
            {"school": self.s1.pk, "username": "guard-new", "full_name": "张保安"},
            follow=True,
        )
        self.assertContains(response, "guard-new")
        user = User.objects.get(username="guard-new")
        self.assertEqual(
            list(user.role_assignments.values_list("role", "school")), [(Role.GUARD, self.s1.pk)]
        )
        # Another school is not among the choices: a form error, nothing saved.
        response = self.client.post(
            reverse("inspections:guards"),
            {"school": self.s2.pk, "username": "guard-other", "full_name": "李保安"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.filter(username="guard-other").exists())

    def test_new_password_and_deactivation(self):
        self.login("principal1")
        url = reverse("inspections:guard-action", args=[self.guard1.pk, "reset"])
        response = self.client.post(url, follow=True)
        message = str(list(response.context["messages"])[0])
        password = message.rsplit(" ", 1)[-1].rsplit("：", 1)[-1]
        self.assertTrue(User.objects.get(pk=self.guard1.pk).check_password(password))
        self.client.post(reverse("inspections:guard-action", args=[self.guard1.pk, "deactivate"]))
        self.assertFalse(User.objects.get(pk=self.guard1.pk).is_active)
        self.client.post(reverse("inspections:guard-action", args=[self.guard1.pk, "activate"]))
        self.assertTrue(User.objects.get(pk=self.guard1.pk).is_active)

    def test_other_schools_guards_and_guards_with_other_roles_are_not_theirs(self):
        # guard1b also runs S2: only someone who manages both may touch the account.
        assign(self.guard1b, Role.PRINCIPAL, self.s2)
        self.login("principal1")
        for user in (self.guard2, self.guard1b, self.principal2):
            with self.subTest(user=user.username):
                url = reverse("inspections:guard-action", args=[user.pk, "deactivate"])
                self.assertEqual(self.client.post(url).status_code, 404)
                self.assertTrue(User.objects.get(pk=user.pk).is_active)
        self.assertEqual(
            self.client.post(
                reverse("inspections:guard-action", args=[self.guard1.pk, "explode"])
            ).status_code,
            404,
        )
        self.assertTrue(RoleAssignment.objects.filter(user=self.guard1b).exists())
