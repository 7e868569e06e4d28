"""Repeated failed sign-ins lock out the account and the address, before any password hashing.

Both doors are covered: the login page and the token endpoint. Addresses come
from X-Forwarded-For only through the configured number of proxies.
"""

from contextlib import contextmanager
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.auth_support import fresh_throttle_cache
from tests.base import PASSWORD, WorldTestCase

LOGIN = reverse("login")
TOKEN = "/api/v1/auth/token/"


@contextmanager
def counting_hashes():
    """Counts the passwords hashed: verifying one, or hashing a throwaway for a missing user.

    Every hasher computes a hash in encode(); verify() calls it.
    """
    hasher = type(get_hasher())
    with mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode) as encode:
        yield lambda: encode.call_count


# A fast hasher: each failed attempt below would otherwise cost a PBKDF2 hash.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ThrottleTestCase(WorldTestCase):
    limit = settings.AXES_FAILURE_LIMIT

    def setUp(self):
        fresh_throttle_cache(self)

    def page_login(self, username, password, address="203.0.113.1", forwarded=None):
        headers = {"accept-language": "en"}
        if forwarded:
            headers["x-forwarded-for"] = forwarded
        return self.client_class().post(
            LOGIN,
            {"username": username, "password": password},
            REMOTE_ADDR=address,
            headers=headers,
        )

    def token_login(self, username, password, address="203.0.113.1", forwarded=None):
        extra = {"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": "en"}
        if forwarded:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return APIClient().post(TOKEN, {"username": username, "password": password}, **extra)


class LoginPageLockoutTests(ThrottleTestCase):
    def test_an_account_is_locked_after_the_limit_whatever_the_address(self):
        for attempt in range(self.limit - 1):
            response = self.page_login("principal1", "wrong", address=f"198.51.100.{attempt}")
            self.assertEqual(response.status_code, 200)  # the form again, with its error
        locked = self.page_login("principal1", "wrong", address="198.51.100.99")
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Too many failed sign-ins", status_code=429)
        # The right password from a fresh address does not get in either.
        response = self.page_login("principal1", PASSWORD, address="192.0.2.50")
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Other accounts from other addresses are not affected.
        self.assertEqual(
            self.page_login("principal2", PASSWORD, address="192.0.2.51").status_code, 302
        )

    def test_an_address_is_locked_after_the_limit_whatever_the_account(self):
        for attempt in range(self.limit):
            self.page_login(f"guess{attempt}", "wrong")
        response = self.page_login("principal2", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertEqual(
            self.page_login("principal2", PASSWORD, address="192.0.2.7").status_code, 302
        )

    def test_the_lockout_page_is_in_the_sites_layout_and_translated(self):
        for attempt in range(self.limit):
            self.page_login(f"guess{attempt}", "wrong")
        response = self.client.post(
            LOGIN,
            {"username": "principal1", "password": PASSWORD},
            REMOTE_ADDR="203.0.113.1",
            headers={"accept-language": "zh-hans"},
        )
        self.assertContains(response, "登录已锁定", status_code=429)
        self.assertContains(response, "分钟后再试", status_code=429)
        self.assertContains(response, reverse("password_reset"), status_code=429)

    def test_a_successful_sign_in_below_the_limit_gets_in(self):
        for _attempt in range(self.limit - 1):
            self.page_login("principal1", "wrong")
        self.assertEqual(self.page_login("principal1", PASSWORD).status_code, 302)

    def test_the_admin_login_is_covered_too(self):
        for attempt in range(self.limit):
            self.client.post(
                reverse("admin:login"),
                {"username": f"guess{attempt}", "password": "wrong"},
                REMOTE_ADDR="203.0.113.1",
            )
        response = self.client.post(
            reverse("admin:login"),
            {"username": "admin", "password": PASSWORD},
            REMOTE_ADDR="203.0.113.1",
        )
        self.assertEqual(response.status_code, 429)


class TokenLockoutTests(ThrottleTestCase):
    def test_an_account_is_locked_on_the_token_endpoint(self):
        for attempt in range(self.limit):
            response = self.token_login("principal1", "wrong", address=f"198.51.100.{attempt}")
        self.assertEqual(response.status_code, 429)
        response = self.token_login("principal1", PASSWORD, address="192.0.2.50")
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many failed sign-ins", response.json()["detail"])
        self.assertEqual(response["Retry-After"], str(settings.AXES_COOLOFF_TIME.seconds))
        self.assertNotIn("token", response.json())

    def test_an_address_is_locked_on_the_token_endpoint(self):
        for attempt in range(self.limit):
            self.token_login(f"guess{attempt}", "wrong")
        self.assertEqual(self.token_login("principal2", PASSWORD).status_code, 429)
        self.assertEqual(
            self.token_login("principal2", PASSWORD, address="192.0.2.7").status_code, 200
        )

    def test_failures_on_either_door_count_together(self):
        for attempt in range(self.limit - 1):
            self.page_login("principal1", "wrong", address=f"198.51.100.{attempt}")
        self.token_login("principal1", "wrong", address="198.51.100.200")
        self.assertEqual(
            self.page_login("principal1", PASSWORD, address="192.0.2.9").status_code, 429
        )

    def test_the_lockout_message_is_translated(self):
        for attempt in range(self.limit):
            self.token_login(f"guess{attempt}", "wrong")
        response = APIClient().post(
            TOKEN,
            {"username": "principal1", "password": PASSWORD},
            REMOTE_ADDR="203.0.113.1",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        self.assertIn("分钟后再试", response.json()["detail"])


class NoHashWhenLockedOutTests(ThrottleTestCase):
    """A locked-out attempt is refused before the password is hashed (PBKDF2 is slow on purpose)."""

    def lock_out(self, door):
        """Locks out principal1 and the default address."""
        for _attempt in range(self.limit):
            door("principal1", "wrong")

    def test_the_login_page_hashes_nothing_once_locked(self):
        with counting_hashes() as hashes:
            self.page_login("principal1", "wrong")
            # The check is meaningful: an ordinary failed attempt does hash.
            self.assertEqual(hashes(), 1)
        self.lock_out(self.page_login)
        with counting_hashes() as hashes:
            # The account, from another address; anyone, from the address.
            self.assertEqual(self.page_login("principal1", PASSWORD, "192.0.2.8").status_code, 429)
            self.assertEqual(self.page_login("nobody", "wrong").status_code, 429)
            self.assertEqual(hashes(), 0)

    def test_the_token_endpoint_hashes_nothing_once_locked(self):
        with counting_hashes() as hashes:
            self.token_login("nobody", "wrong")
            # A missing user costs a hash too (against timing attacks).
            self.assertEqual(hashes(), 1)
        self.lock_out(self.token_login)
        with counting_hashes() as hashes:
            self.assertEqual(self.token_login("principal1", PASSWORD, "192.0.2.8").status_code, 429)
            self.assertEqual(self.token_login("nobody", "wrong").status_code, 429)
            self.assertEqual(hashes(), 0)


class ForwardedForTests(ThrottleTestCase):
    def test_a_rotated_forwarded_for_does_not_escape_the_address_lockout(self):
        for attempt in range(self.limit):
            self.page_login(f"guess{attempt}", "wrong", forwarded=f"10.0.0.{attempt}")
        response = self.page_login("principal2", PASSWORD, forwarded="10.9.9.9")
        self.assertEqual(response.status_code, 429)

    def test_a_rotated_forwarded_for_does_not_escape_the_token_rate_throttle(self):
        # 30 a minute from one address, successful sign-ins included.
        for attempt in range(30):
            response = self.token_login("principal1", PASSWORD, forwarded=f"10.0.{attempt}.1")
            self.assertEqual(response.status_code, 200)
        response = self.token_login("principal1", PASSWORD, forwarded="10.1.1.1")
        self.assertEqual(response.status_code, 429)

    @override_settings(NUM_PROXIES=1)
    def test_behind_a_configured_proxy_clients_are_told_apart_by_forwarded_for(self):
        proxy = "172.16.0.2"
        for attempt in range(self.limit):
            # A client's own X-Forwarded-For entry is ignored: the proxy appends the real one.
            self.page_login(
                f"guess{attempt}",
                "wrong",
                address=proxy,
                forwarded=f"1.2.3.{attempt}, 198.51.100.1",
            )
        locked = self.page_login("principal1", PASSWORD, address=proxy, forwarded="198.51.100.1")
        self.assertEqual(locked.status_code, 429)
        other = self.page_login("principal1", PASSWORD, address=proxy, forwarded="198.51.100.2")
        self.assertEqual(other.status_code, 302)
        # The token endpoint counts the same client.
        self.assertEqual(
            self.token_login(
                "principal2", PASSWORD, address=proxy, forwarded="198.51.100.1"
            ).status_code,
            429,
        )
        self.assertEqual(
            self.token_login(
                "principal2", PASSWORD, address=proxy, forwarded="198.51.100.2"
            ).status_code,
            200,
        )
