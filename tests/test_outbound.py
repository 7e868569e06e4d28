"""Outbound calls: webhook addresses, HTTP answers at the network boundary, the broker down.

The robot and the SMS gateway are real HTTP servers on 127.0.0.1; only DNS is
stood in for, where a test needs a name to change its answer (rebinding).
"""

import contextlib
import socket
import time

from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import TestCase, TransactionTestCase, override_settings

from campussafety.outbound import is_public_address
from reminders.choices import DeliveryStatus
from reminders.delivery import RetryLater, deliver
from reminders.models import Delivery, Notification, NotificationSettings
from reminders.transports import HttpSmsGateway, TransportError
from tests.base import PASSWORD, WorldTestCase
from tests.reminder_support import WebhookServer, record_missing_log
from tests.worker import running_worker, unreachable_broker, wait_until


@contextlib.contextmanager
def resolving(name, *answers):
    """Make `name` resolve to each of `answers` in turn (a list of addresses per lookup)."""
    real = socket.getaddrinfo
    answers = list(answers)
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        return [info for address in addresses for info in real(address, port, *args, **kwargs)]

    socket.getaddrinfo = getaddrinfo
    try:
        yield lookups
    finally:
        socket.getaddrinfo = real


def record_webhook(user, url):
    NotificationSettings.objects.update_or_create(user=user, defaults={"webhook_url": url})
    return record_missing_log(user)


class PublicAddressTests(TestCase):
    def test_only_global_unicast_addresses_are_public(self):
        refused = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "fe80::1%eth0",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ]
        for address in refused:
            with self.subTest(address=address):
                self.assertFalse(is_public_address(address))
        for address in ["1.1.1.1", "220.181.38.148", "2400:3200::1"]:
            with self.subTest(address=address):
                self.assertTrue(is_public_address(address))


class SaveTimeTests(WorldTestCase):
    url = "/inbox/settings/"

    def post(self, webhook_url):
        self.client.force_login(self.users["principal1"])
        return self.client.post(
            self.url, {"quiet_start": "22:00", "quiet_end": "07:00", "webhook_url": webhook_url}
        )

    def test_a_private_or_local_webhook_is_a_form_error_and_nothing_is_saved(self):
        for url in [
            "http://127.0.0.1:8000/robot",
            "http://localhost/robot",
            "http://10.0.0.5/cgi-bin/webhook/send?key=1",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/robot",
            "https://[::ffff:192.168.0.1]/robot",
        ]:
            with self.subTest(url=url):
                response = self.post(url)
                self.assertEqual(response.status_code, 200)
                self.assertIn("webhook_url", response.context["form"].errors)
        self.assertFalse(NotificationSettings.objects.exists())

    def test_a_public_address_or_a_name_that_does_not_resolve_yet_is_saved(self):
        for url in ["https://1.1.1.1/robot", "https://robot.invalid/cgi-bin/webhook/send"]:
            with self.subTest(url=url):
                self.assertEqual(self.post(url).status_code, 302)
                self.assertEqual(
                    NotificationSettings.objects.get(user=self.users["principal1"]).webhook_url,
                    url,
                )

    def test_a_name_resolving_to_a_private_address_is_refused(self):
        with resolving("robot.example.test", ["10.0.0.8"]):
            response = self.post("https://robot.example.test/send")
        self.assertIn("webhook_url", response.context["form"].errors)

    def test_the_rule_is_the_models_so_the_admin_and_serializers_share_it(self):
        settings = NotificationSettings(
            user=self.users["principal1"], webhook_url="http://127.0.0.1/"
        )
        with self.assertRaises(ValidationError) as caught:
            settings.full_clean()
        self.assertEqual(caught.exception.error_dict["webhook_url"][0].code, "private_address")

    @override_settings(WEBHOOK_ALLOW_PRIVATE_IPS=True)
    def test_the_setting_allows_an_intranet_robot(self):
        self.assertEqual(self.post("http://10.0.0.5/robot").status_code, 302)


class ConnectTimeTests(WorldTestCase):
    """The worker's request itself refuses what the form would have refused."""

    def setUp(self):
        self.server = WebhookServer()
        self.server.__enter__()
        self.addCleanup(self.server.__exit__)
        self.user = self.users["principal1"]

    def assert_refused(self, url):
        webhook = record_webhook(self.user, url)
        self.assertEqual(deliver(webhook.pk), "failed")
        webhook.refresh_from_db()
        self.assertEqual(webhook.status, DeliveryStatus.FAILED)
        self.assertIn("private or local address", webhook.last_error)
        self.assertEqual(self.server.requests, [])

    def test_a_loopback_robot_saved_before_the_rule_is_refused_without_a_retry(self):
        self.assert_refused(self.server.url)

    def test_a_name_is_resolved_and_checked_when_connecting(self):
        self.assert_refused(f"http://localhost:{self.server.port}/robot")

    def test_a_name_that_rebinds_to_loopback_after_saving_is_refused(self):
        with resolving("robot.example.test", ["1.1.1.1"], ["127.0.0.1"]) as lookups:
            url = f"http://robot.example.test:{self.server.port}/robot"
            NotificationSettings(user=self.user, webhook_url=url).full_clean()
            self.assert_refused(url)
        self.assertEqual(len(lookups), 2)

    def test_one_private_address_among_public_ones_refuses_the_name(self):
        with resolving("robot.example.test", ["1.1.1.1", "127.0.0.1"]):
            self.assert_refused(f"http://robot.example.test:{self.server.port}/robot")

    @override_settings(WEBHOOK_ALLOW_PRIVATE_IPS=True)
    def test_the_connection_goes_to_the_address_that_was_checked(self):
        # One lookup only: http.client does not resolve the name a second time.
        with resolving("robot.example.test", ["127.0.0.1"], ["192.0.2.1"]) as lookups:
            webhook = record_webhook(
                self.user, f"http://robot.example.test:{self.server.port}/robot"
            )
            self.assertEqual(deliver(webhook.pk), "sent")
        self.assertEqual(len(lookups), 1)
        self.assertEqual(len(self.server.requests), 1)


@override_settings(WEBHOOK_ALLOW_PRIVATE_IPS=True, REMINDER_RETRY_COUNTDOWNS=(30, 120))
class RobotAnswerTests(WorldTestCase):
    """How the robot's HTTP status and `errcode` decide between a retry and a failure."""

    def setUp(self):
        self.server = WebhookServer()
        self.server.__enter__()
        self.addCleanup(self.server.__exit__)

    def send_once(self, answer):
        self.server.statuses = [answer]
        webhook = record_webhook(self.users["principal1"], self.server.url)
        try:
            outcome = deliver(webhook.pk)
        except RetryLater as retry:
            outcome = f"retry in {retry.countdown} s"
        webhook.refresh_from_db()
        return outcome, webhook.status, webhook.last_error

    def test_http_429_is_retried_with_backoff(self):
        self.assertEqual(self.send_once(429), ("retry in 30 s", DeliveryStatus.PENDING, "HTTP 429"))

    def test_http_5xx_is_retried_and_other_4xx_fail_at_once(self):
        self.assertEqual(self.send_once(503)[:2], ("retry in 30 s", DeliveryStatus.PENDING))
        # The same reminder is recorded once only: start again from no notification.
        Notification.objects.all().delete()
        self.assertEqual(self.send_once(404), ("failed", DeliveryStatus.FAILED, "HTTP 404"))

    def test_a_redirect_is_not_followed(self):
        self.assertEqual(self.send_once(302), ("failed", DeliveryStatus.FAILED, "HTTP 302"))
        self.assertEqual(len(self.server.requests), 1)

    def test_a_rate_limit_errcode_is_retried(self):
        answer = (200, {"errcode": 45009, "errmsg": "api freq out of limit"})
        outcome, status, error = self.send_once(answer)
        self.assertEqual((outcome, status), ("retry in 30 s", DeliveryStatus.PENDING))
        self.assertEqual(error, "Robot error 45009: api freq out of limit")

    def test_any_other_errcode_fails_with_the_robots_message(self):
        answer = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
        self.assertEqual(
            self.send_once(answer),
            ("failed", DeliveryStatus.FAILED, "Robot error 93000: invalid webhook url"),
        )

    def test_errcode_zero_is_sent(self):
        self.assertEqual(self.send_once(200), ("sent", DeliveryStatus.SENT, ""))
        self.assertEqual(self.server.requests[0]["msgtype"], "text")


class HttpSmsGatewayTests(TestCase):
    """The operator's gateway is configured, not typed in: loopback is allowed for it."""

    def setUp(self):
        self.server = WebhookServer()
        self.server.__enter__()
        self.addCleanup(self.server.__exit__)
        overrides = override_settings(
            SMS_GATEWAY_URL=self.server.url,
            SMS_GATEWAY_TOKEN="gateway-token",
            WEBHOOK_ALLOW_PRIVATE_IPS=False,
        )
        overrides.enable()
        self.addCleanup(overrides.disable)

    def send(self, answer=200):
        self.server.statuses = [answer]
        HttpSmsGateway().send("13912345678", "明早 7:20 南门护学岗")

    def test_posts_the_phone_and_text_with_the_token(self):
        self.send()
        self.assertEqual(
            self.server.requests, [{"phone": "13912345678", "text": "明早 7:20 南门护学岗"}]
        )
        self.assertEqual(self.server.headers[0]["Authorization"], "Bearer gateway-token")

    def test_429_and_5xx_are_transient_other_4xx_permanent(self):
        for status, permanent in [(429, False), (500, False), (503, False), (401, True)]:
            with self.subTest(status=status), self.assertRaises(TransportError) as caught:
                self.send(status)
            self.assertEqual(
                (caught.exception.message, caught.exception.permanent),
                (f"HTTP {status}", permanent),
            )

    def test_a_gateway_that_does_not_answer_is_transient(self):
        self.server.__exit__()
        with self.assertRaises(TransportError) as caught:
            self.send()
        self.assertFalse(caught.exception.permanent)
        self.assertTrue(caught.exception.message.startswith("Connection:"))


class RetryDeliveriesAdminTests(TransactionTestCase):
    """TransactionTestCase: the queued task runs on a real worker with its own connection."""

    def setUp(self):
        user_model = get_user_model()
        self.staff = user_model.objects.create_superuser("root", "root@example.edu.cn", PASSWORD)
        self.recipient = user_model.objects.create_user("principal9", password=PASSWORD)
        self.server = WebhookServer()
        self.server.__enter__()
        self.addCleanup(self.server.__exit__)
        self.webhook = record_webhook(self.recipient, self.server.url)
        Delivery.objects.filter(pk=self.webhook.pk).update(
            status=DeliveryStatus.FAILED, attempts=6, last_error="HTTP 503"
        )
        self.client.force_login(self.staff)

    def retry(self):
        return self.client.post(
            "/admin/reminders/delivery/",
            {"action": "retry", "_selected_action": [self.webhook.pk]},
            headers={"accept-language": "en"},
        )

    def test_with_the_broker_down_the_rows_are_pending_and_the_error_is_a_message(self):
        with unreachable_broker():
            started = time.monotonic()
            response = self.retry()
        self.assertEqual(response.status_code, 302)
        self.assertLess(time.monotonic() - started, 20)
        [message] = get_messages(response.wsgi_request)
        self.assertEqual(message.level_tag, "error")
        self.assertIn("cannot be reached", str(message))
        self.webhook.refresh_from_db()
        # Pending and due: the periodic flush sends it once the broker is back.
        self.assertEqual(
            (self.webhook.status, self.webhook.attempts, self.webhook.not_before),
            (DeliveryStatus.PENDING, 0, None),
        )

    @override_settings(WEBHOOK_ALLOW_PRIVATE_IPS=True)
    def test_with_the_broker_up_the_delivery_is_queued_after_commit_and_sent(self):
        with running_worker():
            response = self.retry()
            wait_until(lambda: Delivery.objects.get(pk=self.webhook.pk).status == "sent")
        [message] = get_messages(response.wsgi_request)
        self.assertEqual(message.level_tag, "success")
        self.assertEqual(len(self.server.requests), 1)
