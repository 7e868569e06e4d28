"""Outbound HTTP to addresses that users type in (group-robot webhooks).

The worker POSTs to a user's webhook URL from inside the platform's network, so
such a URL must not reach what is only reachable from there: the database,
Redis, the gateway's admin page, a cloud metadata service. Every address that is
not global (private, loopback, link-local, shared, reserved, multicast) is
refused unless WEBHOOK_ALLOW_PRIVATE_IPS allows them, as a bureau whose robot
gateway sits on its intranet needs (healthchecks' INTEGRATIONS_ALLOW_PRIVATE_IPS).

One rule (`is_public_address`), checked twice:
- at save time, `validate_public_url` refuses an IP literal or a host name that
  resolves to a refused address, as a form or serializer error;
- at connect time, the connection resolves the host itself, checks every
  address and connects to a checked one, so a name that resolved to a public
  address when it was saved, or a moment ago, cannot be swapped for a private
  one (DNS rebinding).
"""

import http.client
import ipaddress
import socket
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class RefusedAddress(OSError):
    """The host resolves to an address outbound calls may not reach."""


def is_public_address(address: str) -> bool:
    # An IPv6 literal from getaddrinfo may carry a zone ("fe80::1%eth0").
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def checked_addresses(host: str, port: int | None) -> list[tuple]:
    """getaddrinfo() for host:port, refusing the lot if any address is not public.

    All of them, not just the first: a client may try the next address when
    the first does not answer.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not settings.WEBHOOK_ALLOW_PRIVATE_IPS:
        for *_, sockaddr in infos:
            if not is_public_address(sockaddr[0]):
                raise RefusedAddress(
                    f"{host} resolves to {sockaddr[0]}, a private or local address"
                )
    return infos


def validate_public_url(url: str) -> None:
    """Refuse a URL whose host is, or now resolves to, a refused address.

    A name that does not resolve now (an intranet's DNS, a typo) is let
    through: the check at connect time still guards it.
    """
    if settings.WEBHOOK_ALLOW_PRIVATE_IPS:
        return
    try:
        host = urllib.parse.urlsplit(url).hostname
        if host:
            checked_addresses(host, None)
    except RefusedAddress:
        raise ValidationError(
            _(
                "This address leads into a private or local network, "
                "which the platform does not call."
            ),
            code="private_address",
        ) from None
    except (OSError, UnicodeError, ValueError):
        return


def _connect_checked(address, timeout=None, source_address=None, **kwargs):
    """socket.create_connection(), but only to addresses checked_addresses() passed."""
    host, port = address
    error = None
    for family, socktype, proto, _canonname, sockaddr in checked_addresses(host, port):
        sock = socket.socket(family, socktype, proto)
        try:
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"{host} has no address")


class _CheckedConnection:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # http.client opens its socket through this attribute, for plain HTTP and
        # (before wrapping it in TLS for the host's name) for HTTPS alike.
        self._create_connection = _connect_checked


class CheckedHTTPConnection(_CheckedConnection, http.client.HTTPConnection):
    pass


class CheckedHTTPSConnection(_CheckedConnection, http.client.HTTPSConnection):
    pass


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(CheckedHTTPSConnection, req, context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A robot answers where it is; a redirect is answered as the error it is."""

    def redirect_request(self, *args, **kwargs):
        return None


# No proxy: with one, the address connected to would be the proxy's, and the
# check would judge the proxy instead of the target.
_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _CheckedHTTPHandler, _CheckedHTTPSHandler, _NoRedirects
)


def open_checked(request: urllib.request.Request, timeout: float):
    """urlopen() for a user-supplied URL: public addresses only, no redirects, no proxy.

    A refused address raises urllib.error.URLError whose `reason` is RefusedAddress.
    """
    return _opener.open(request, timeout=timeout)
