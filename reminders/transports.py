"""How a notification leaves the platform: one small class per channel.

A transport raises TransportError; `permanent=True` means retrying cannot help
(a refused address, a rejected request), otherwise the delivery is retried with
a backoff.
"""

import http.client
import json
import logging
import urllib.error
import urllib.request
from smtplib import SMTPException, SMTPRecipientsRefused

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from campussafety.outbound import RefusedAddress, open_checked
from campussafety.personal import mask_phone
from reminders.choices import Channel

logger = logging.getLogger(__name__)


class TransportError(Exception):
    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def text_of(notification) -> str:
    body = notification.body
    return f"{notification.title}\n{body}" if body else notification.title


class Transport:
    channel = ""

    def send(self, delivery) -> None:
        raise NotImplementedError


class InAppTransport(Transport):
    """The notification row is the inbox entry: nothing leaves the platform."""

    channel = Channel.IN_APP

    def send(self, delivery):
        return None


class EmailTransport(Transport):
    channel = Channel.EMAIL

    def send(self, delivery):
        notification = delivery.notification
        address = notification.user.email if notification.user else ""
        if not address:
            raise TransportError("The user has no email address.", permanent=True)
        message = EmailMessage(
            subject=notification.title,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        try:
            message.send()
        except SMTPRecipientsRefused as exc:
            raise TransportError(f"Address refused: {exc}", permanent=True) from exc
        except (SMTPException, OSError) as exc:
            raise TransportError(f"Mail server: {exc}") from exc


class LogSmsGateway:
    """The default SMS gateway: writes the message to the log (phone masked).

    Bureaus plug in their operator's gateway with SMS_GATEWAY.
    """

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


class HttpSmsGateway:
    """A generic HTTP gateway: POSTs {"phone", "text"} as JSON to SMS_GATEWAY_URL.

    The operator configures that address, so it may be on the intranet: only
    addresses users type in are held to public networks.
    """

    def send(self, phone: str, text: str) -> None:
        post_json(
            settings.SMS_GATEWAY_URL,
            {"phone": phone, "text": text},
            headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"}
            if settings.SMS_GATEWAY_TOKEN
            else {},
            user_supplied=False,
        )


class SmsTransport(Transport):
    channel = Channel.SMS

    def send(self, delivery):
        notification = delivery.notification
        if notification.member_id:
            phone = notification.member.phone
        else:
            phone = getattr(notification.user, "notification_settings", None)
            phone = phone.phone if phone else ""
        if not phone:
            raise TransportError("No phone number.", permanent=True)
        import_string(settings.SMS_GATEWAY)().send(phone, notification.sms_text)


# Statuses that ask to try again later; every other 4xx (and a redirect, which
# is not followed) is a request that will never succeed as it is.
TRANSIENT_STATUSES = {408, 425, 429}


def post_json(url: str, payload: dict, headers=None, *, user_supplied: bool) -> dict:
    """POST JSON and return the JSON answer ({} if there is none).

    A user-supplied URL is called only on public addresses (campussafety/outbound.py).
    Timeouts, 5xx and the TRANSIENT_STATUSES are transient failures; a refused
    address and other 3xx and 4xx answers are permanent.
    """
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    opener = open_checked if user_supplied else urllib.request.urlopen
    try:
        with opener(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        permanent = exc.code < 500 and exc.code not in TRANSIENT_STATUSES
        raise TransportError(f"HTTP {exc.code}", permanent=permanent) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, RefusedAddress):
            raise TransportError(f"Refused: {exc.reason}", permanent=True) from exc
        raise TransportError(f"Connection: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise TransportError(f"Connection: {exc}") from exc
    try:
        return json.loads(body) if body else {}
    except ValueError:
        return {}


# WeCom and DingTalk answer 200 with an error code; these mean "busy, try
# again" (-1 for both) and "slow down" (WeCom 45009, DingTalk 130101).
RATE_LIMIT_CODES = {-1, 45009, 130101}


class WebhookTransport(Transport):
    """A JSON POST in the text-message format both WeCom and DingTalk group robots accept."""

    channel = Channel.WEBHOOK

    def send(self, delivery):
        notification = delivery.notification
        url = notification.user.notification_settings.webhook_url
        answer = post_json(
            url,
            {"msgtype": "text", "text": {"content": text_of(notification)}},
            user_supplied=True,
        )
        code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if code:
            raise TransportError(
                f"Robot error {code}: {answer.get('errmsg', '')}",
                permanent=code not in RATE_LIMIT_CODES,
            )


TRANSPORTS = {
    transport.channel: transport
    for transport in (InAppTransport(), EmailTransport(), SmsTransport(), WebhookTransport())
}
