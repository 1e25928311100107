"""The client's IP address: the one place the project reads it.

Login lockout (django-axes, through AXES_CLIENT_IP_CALLABLE), security logging and any
later throttling all call `client_ip()`, so they agree on who the client is and a
forged header fools none of them.

On Heroku every request passes through exactly one trusted proxy, the router. It
appends the address it saw to X-Forwarded-For, after whatever the client sent, so only
the last entry is trustworthy: the left-most ones are the client's own claims. With
TRUSTED_PROXY_COUNT proxies in front of the app (settings.py), the client is the entry
that the first of them appended, counted from the right.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, normalised, or None when no valid address is known.

    Without an X-Forwarded-For entry from a trusted proxy (a request that did not come
    through the router, such as the test client or a local runserver), the address of
    the peer connection is used.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            entry.strip()
            for entry in request.headers.get("x-forwarded-for", "").split(",")
            if entry.strip()
        ]
        if len(forwarded) >= proxies:
            address = _normalise(forwarded[-proxies])
            if address is not None:
                return address
    return _normalise(request.META.get("REMOTE_ADDR", ""))


def _normalise(value: str) -> str | None:
    """One spelling per address, so '::ffff:192.0.2.1' and '192.0.2.1' are one client."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)
