"""API tokens: one per sign-in, stored hashed, expiring, revocable by their owner and by admins.

Also the API's schema and docs, which need a signed-in user unless opened.
"""

import datetime

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.test import APIClient

from accounts.api.authentication import TokenAuthentication
from accounts.choices import Role
from accounts.scope import Scope
from accounts.tokens import issue_token
from tests.auth_support import fresh_throttle_cache
from tests.base import PASSWORD, WorldTestCase
from tests.factories import UserFactory, assign

TOKEN = "/api/v1/auth/token/"
REVOKE = "/api/v1/auth/token/revoke/"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class TokenTestCase(WorldTestCase):
    def setUp(self):
        fresh_throttle_cache(self)

    def sign_in(self, username="principal1"):
        response = APIClient().post(TOKEN, {"username": username, "password": PASSWORD})
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["token"]

    def client_with(self, token):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    def works(self, token):
        return self.client_with(token).get("/api/v1/schools/").status_code == 200


class IssueTests(TokenTestCase):
    def test_each_sign_in_issues_its_own_working_token(self):
        first, second = self.sign_in(), self.sign_in()
        self.assertNotEqual(first, second)
        self.assertTrue(self.works(first))
        self.assertTrue(self.works(second))
        self.assertEqual(AuthToken.objects.filter(user=self.principal1).count(), 2)

    def test_tokens_are_stored_only_as_a_digest(self):
        token = self.sign_in()
        row = AuthToken.objects.get(user=self.principal1)
        stored = " ".join(str(value) for value in AuthToken.objects.values_list().get())
        self.assertNotIn(token, stored)
        self.assertEqual(len(row.digest), 128)  # SHA-512, hex

    @override_settings(REST_KNOX={"TOKEN_TTL": datetime.timedelta(days=30)})
    def test_a_token_expires_after_the_configured_days(self):
        issued = timezone.now()
        response = APIClient().post(TOKEN, {"username": "principal1", "password": PASSWORD})
        token = response.json()["token"]
        expiry = datetime.datetime.fromisoformat(response.json()["expiry"])
        self.assertAlmostEqual(
            expiry - issued, datetime.timedelta(days=30), delta=datetime.timedelta(minutes=1)
        )
        with time_machine.travel(issued + datetime.timedelta(days=29, hours=23)):
            self.assertTrue(self.works(token))
        with time_machine.travel(issued + datetime.timedelta(days=30, minutes=1)):
            self.assertFalse(self.works(token))

    @override_settings(REST_KNOX={"TOKEN_TTL": datetime.timedelta(days=2)})
    def test_the_lifetime_follows_the_setting(self):
        token = self.sign_in()
        with time_machine.travel(timezone.now() + datetime.timedelta(days=2, minutes=1)):
            self.assertFalse(self.works(token))

    def test_a_new_sign_in_clears_the_users_expired_tokens(self):
        old = self.sign_in()
        with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
            self.sign_in()
        self.assertEqual(AuthToken.objects.filter(user=self.principal1).count(), 1)
        self.assertFalse(self.works(old))

    def test_a_token_is_checked_in_one_query_and_an_expired_one_kept_out(self):
        token = self.sign_in()
        live = self.client_with(token)
        live.get("/api/v1/schools/")
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(live.get("/api/v1/schools/").status_code, 200)
        # One read of the token with its user; the user's other tokens are not read.
        tokens = [q for q in queries.captured_queries if "knox_authtoken" in q["sql"]]
        self.assertEqual(len(tokens), 1)
        expired = self.sign_in()
        AuthToken.objects.filter(token_key=expired[: CONSTANTS.TOKEN_KEY_LENGTH]).update(
            expiry=timezone.now() - datetime.timedelta(minutes=1)
        )
        self.assertFalse(self.works(expired))
        self.assertTrue(self.works(token))

    def test_the_token_its_user_and_the_users_roles_are_read_in_one_query(self):
        # A date read back as the ORM reads it (SQLite answers text, made aware here).
        both = UserFactory(username="both", last_login=timezone.now())
        assign(both, Role.PRINCIPAL, self.s2)
        assign(both, Role.POLICE_LIAISON, self.p1)
        nobody = UserFactory(username="nobody")
        admin = UserFactory(username="root", is_superuser=True)
        for user in (both, self.principal1, self.city, nobody, admin):
            with self.subTest(user=user.username):
                token = issue_token(user)[1]
                with self.assertNumQueries(1):
                    found, auth_token = TokenAuthentication().authenticate_credentials(
                        token.encode()
                    )
                    scope = Scope.of(found)
                self.assertEqual((found, auth_token.user), (user, user))
                self.assertEqual(found.last_login, user.last_login)
                # The same grants as the scope reads on its own.
                read_alone = Scope(type(user).objects.get(pk=user.pk))
                self.assertEqual(
                    sorted(scope.grants, key=repr), sorted(read_alone.grants, key=repr)
                )
                self.assertEqual(scope.is_admin, read_alone.is_admin)

    def test_a_made_up_or_malformed_token_is_refused(self):
        self.sign_in()
        for value in ("0" * 64, "not a token", "ü"):
            self.assertIn(
                APIClient()
                .get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {value}")
                .status_code,
                (401, 403),
            )


class OwnerRevokesTests(TokenTestCase):
    def test_the_api_revokes_the_token_it_is_called_with(self):
        first, second = self.sign_in(), self.sign_in()
        self.assertEqual(self.client_with(first).post(REVOKE).status_code, 204)
        self.assertFalse(self.works(first))
        self.assertTrue(self.works(second))

    def test_revoking_needs_a_token(self):
        self.assertIn(APIClient().post(REVOKE).status_code, (401, 403))

    def test_the_account_page_lists_the_users_own_live_tokens(self):
        mine = self.sign_in()
        theirs = self.sign_in("principal2")
        self.client.force_login(self.principal1)
        response = self.client.get(reverse("account"))
        self.assertContains(response, mine[:8])
        self.assertNotContains(response, theirs[:8])
        # Never the whole token: only knox's digest and the first characters are kept.
        self.assertNotContains(response, mine)
        self.assertContains(response, reverse("password_change"))

    def test_the_header_links_to_the_account_page(self):
        self.client.force_login(self.principal1)
        self.assertContains(self.client.get(reverse("home")), f'href="{reverse("account")}"')

    def test_the_owner_revokes_one_token_on_the_page(self):
        first, second = self.sign_in(), self.sign_in()
        digest = AuthToken.objects.get(token_key=first[:15]).digest
        self.client.force_login(self.principal1)
        response = self.client.post(reverse("account-revoke-token"), {"digest": digest})
        self.assertRedirects(response, reverse("account"))
        self.assertFalse(self.works(first))
        self.assertTrue(self.works(second))

    def test_the_owner_revokes_every_token_on_the_page(self):
        first, second = self.sign_in(), self.sign_in()
        other = self.sign_in("principal2")
        self.client.force_login(self.principal1)
        self.client.post(reverse("account-revoke-token"))
        self.assertFalse(self.works(first))
        self.assertFalse(self.works(second))
        self.assertTrue(self.works(other))

    def test_nobody_revokes_someone_elses_token(self):
        theirs = self.sign_in("principal2")
        digest = AuthToken.objects.get(user=self.principal2).digest
        self.client.force_login(self.principal1)
        self.client.post(reverse("account-revoke-token"), {"digest": digest})
        self.assertTrue(self.works(theirs))

    def test_the_account_pages_need_a_signed_in_user(self):
        for url in (reverse("account"), reverse("password_change")):
            response = self.client.get(url)
            self.assertRedirects(response, f"{reverse('login')}?next={url}")
        token = self.sign_in()
        self.client.post(reverse("account-revoke-token"))
        self.assertTrue(self.works(token))

    def test_a_new_password_revokes_every_token(self):
        first, second = self.sign_in(), self.sign_in()
        other = self.sign_in("principal2")
        user = self.users["principal1"].__class__.objects.get(username="principal1")
        user.set_password("a-New-pass-2026")
        user.save()
        self.assertFalse(self.works(first))
        self.assertFalse(self.works(second))
        self.assertTrue(self.works(other))

    def test_other_changes_to_the_user_keep_the_tokens(self):
        token = self.sign_in()
        user = self.users["principal1"].__class__.objects.get(username="principal1")
        user.full_name = "张校长"
        user.save()
        self.assertTrue(self.works(token))


class AdminRevokesTests(TokenTestCase):
    def setUp(self):
        super().setUp()
        self.superuser = self.users["admin"].__class__.objects.create_superuser(
            "root", password=PASSWORD
        )
        self.client.force_login(self.superuser)

    def test_an_admin_lists_and_revokes_any_users_token(self):
        token = self.sign_in("principal1")
        row = AuthToken.objects.get(user=self.principal1)
        changelist = self.client.get(reverse("admin:knox_authtoken_changelist"))
        self.assertContains(changelist, "principal1")
        self.assertNotContains(changelist, token)
        delete_url = reverse("admin:knox_authtoken_delete", args=[row.pk])
        self.assertEqual(self.client.post(delete_url, {"post": "yes"}).status_code, 302)
        self.assertFalse(self.works(token))


class ApiDocsTests(TokenTestCase):
    def test_anonymous_users_get_neither_schema_nor_docs(self):
        self.assertIn(APIClient().get(reverse("api-schema")).status_code, (401, 403))
        response = self.client.get(reverse("api-docs"))
        self.assertRedirects(
            response,
            f"{reverse('login')}?next={reverse('api-docs')}",
            fetch_redirect_response=False,
        )

    def test_signed_in_users_get_both(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("api-schema")).status_code, 200)
        self.assertEqual(self.client.get(reverse("api-docs")).status_code, 200)
        token = self.sign_in()
        self.assertEqual(self.client_with(token).get(reverse("api-schema")).status_code, 200)

    @override_settings(API_DOCS_PUBLIC=True)
    def test_a_setting_opens_them(self):
        self.assertEqual(APIClient().get(reverse("api-schema")).status_code, 200)
        self.assertEqual(self.client.get(reverse("api-docs")).status_code, 200)

    def test_the_schema_documents_the_token_contract(self):
        self.client.force_login(self.outsider)
        schema = self.client.get(reverse("api-schema"), {"format": "json"}).json()
        token = schema["paths"]["/api/v1/auth/token/"]["post"]
        self.assertIn("429", token["responses"])
        self.assertIn("/api/v1/auth/token/revoke/", schema["paths"])
