"""Passwords: every user changes their own, resets it by email, or has an administrator set it."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from tests.base import PASSWORD, WorldTestCase

NEW_PASSWORD = "Blue-harbour-2026"
User = get_user_model()


def can_sign_in(client_class, username, password):
    response = client_class().post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="192.0.2.1"
    )
    return response.status_code == 302


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class PasswordChangeTests(WorldTestCase):
    url = reverse("password_change")

    def test_every_persona_reaches_the_page_from_the_account_page(self):
        for persona in ("admin", "city", "principal1", "police1", "outsider"):
            with self.subTest(persona):
                self.client.force_login(self.users[persona])
                self.assertContains(self.client.get(reverse("account")), f'href="{self.url}"')
                self.assertContains(self.client.get(self.url), 'name="old_password"')

    def test_the_user_changes_their_password_and_stays_signed_in(self):
        self.client.force_login(self.principal1)
        response = self.client.post(
            self.url,
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        self.assertRedirects(response, reverse("password_change_done"))
        self.assertEqual(self.client.get(reverse("account")).status_code, 200)
        self.assertTrue(can_sign_in(self.client_class, "principal1", NEW_PASSWORD))
        self.assertFalse(can_sign_in(self.client_class, "principal1", PASSWORD))

    def test_a_wrong_old_password_or_a_weak_new_one_is_a_form_error(self):
        self.client.force_login(self.principal1)
        for data, field in (
            ({"old_password": "wrong", "new_password1": NEW_PASSWORD}, "old_password"),
            ({"old_password": PASSWORD, "new_password1": "12345678"}, "new_password2"),
        ):
            with self.subTest(field):
                data["new_password2"] = data["new_password1"]
                response = self.client.post(self.url, data, headers={"accept-language": "en"})
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors[field])
        self.assertTrue(User.objects.get(username="principal1").check_password(PASSWORD))

    def test_the_page_is_in_chinese(self):
        self.client.force_login(self.principal1)
        response = self.client.get(self.url, headers={"accept-language": "zh-hans"})
        self.assertContains(response, "修改密码")
        self.assertContains(response, "API 令牌都将失效")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class PasswordResetTests(WorldTestCase):
    url = reverse("password_reset")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        User.objects.filter(username="principal1").update(email="principal1@school.example")

    def request_link(self, email="principal1@school.example", language="en"):
        response = self.client.post(
            self.url, {"email": email}, headers={"accept-language": language}
        )
        self.assertRedirects(response, reverse("password_reset_done"))

    def link_in(self, message):
        return re.search(r"https?://testserver(/password-reset/\S+/)", message.body).group(1)

    def test_the_login_page_links_to_the_reset(self):
        self.assertContains(self.client.get(reverse("login")), f'href="{self.url}"')

    def test_a_mailed_link_sets_a_new_password_once(self):
        self.request_link()
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["principal1@school.example"])
        self.assertIn("Your user name is principal1.", message.body)
        link = self.link_in(message)
        # Django swaps the token for a session key and redirects to the form.
        form_url = self.client.get(link).url
        response = self.client.post(
            form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        self.assertRedirects(response, reverse("password_reset_complete"))
        self.assertTrue(can_sign_in(self.client_class, "principal1", NEW_PASSWORD))
        # The link is spent.
        response = self.client_class().get(link, follow=True, headers={"accept-language": "en"})
        self.assertContains(response, "already been used or has expired")

    def test_an_unknown_address_looks_the_same_and_sends_nothing(self):
        self.request_link("nobody@school.example")
        self.assertEqual(mail.outbox, [])

    def test_the_mail_and_pages_are_in_chinese(self):
        self.request_link(language="zh-hans")
        message = mail.outbox[0]
        self.assertEqual(message.subject, "设置校园安全管理平台的新密码")
        self.assertIn("您的用户名是 principal1。", message.body)
        response = self.client.get(self.url, headers={"accept-language": "zh-hans"})
        self.assertContains(response, "发送链接")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class AdminSetsPasswordTests(WorldTestCase):
    def setUp(self):
        self.superuser = User.objects.create_superuser("root", password=PASSWORD)
        self.client.force_login(self.superuser)
        self.url = reverse("admin:auth_user_password_change", args=[self.principal1.pk])

    def test_the_users_admin_page_links_to_the_password_form(self):
        response = self.client.get(reverse("admin:accounts_user_change", args=[self.principal1.pk]))
        self.assertContains(response, "../password/")

    def test_an_administrator_sets_a_users_password(self):
        self.assertContains(self.client.get(self.url), 'name="password1"')
        response = self.client.post(
            self.url,
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
        self.assertRedirects(
            response, reverse("admin:accounts_user_change", args=[self.principal1.pk])
        )
        self.assertTrue(can_sign_in(self.client_class, "principal1", NEW_PASSWORD))

    def test_only_administrators_reach_the_form(self):
        self.client.force_login(self.principal1)
        response = self.client.get(self.url)
        self.assertRedirects(
            response, f"{reverse('admin:login')}?next={self.url}", fetch_redirect_response=False
        )
