"""The client's address, as far as this deployment can trust it.

Anyone can send an X-Forwarded-For header, so it is read only when the
deployment says how many reverse proxies stand in front of the application
(`NUM_PROXIES`); each proxy appends the address it received the request from,
so the client is the entry that many places from the right. With no proxies
configured the header is ignored: a client rotating it must not escape the
sign-in throttle.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    """The address sign-in lockouts and throttles count against."""
    num_proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if num_proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        # Fewer entries than proxies: the first proxy saw the client itself.
        return addresses[-min(num_proxies, len(addresses))] or None
    return request.META.get("REMOTE_ADDR")
