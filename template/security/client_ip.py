"""The client's IP address: the one place the project reads it.

Login lockout (django-axes, through AXES_CLIENT_IP_CALLABLE), the edge's block lists and
request budget (security.middleware), security logging and any throttle all call
`client_ip()`, so they agree on who the client is and a forged header fools none of
them.

On Heroku every request passes through the router, which appends the address it saw to
X-Forwarded-For, after whatever the client sent: only entries added by proxies we
trust are trustworthy, the ones to their left are the client's own claims. With
TRUSTED_PROXY_COUNT proxies in front of the app (the router, plus a CDN or WAF in front
of it; docs/edge.md), the client is the entry the first of them appended, counted from
the right. Two exceptions, in this order:

- a CDN's own client-IP header (CDN_CLIENT_IP_HEADER, e.g. CF-Connecting-IP), read only
  when the request carries the CDN's origin secret (CDN_ORIGIN_SECRET): the proof that it
  came through the CDN, which sets that header itself;
- a request that reached gunicorn with more than one X-Forwarded-For line (possible
  through Heroku's legacy router: security/forwarded.py): no entry of it can be trusted,
  so all such requests share one address, SHARED_CLIENT, and one lockout, budget and
  log identity.
"""

import hmac
import ipaddress
from functools import lru_cache
from typing import cast

from django.conf import settings
from django.http import HttpRequest

from security.forwarded import LINES_META_KEY

# The one address of every request whose X-Forwarded-For came on several lines: never a
# real client's, and never one a client chose. An identity for the logs and limits, never
# an address anything binds (ruff's S104 and bandit's B104 see a bind).
SHARED_CLIENT = "0.0.0.0"  # noqa: S104  # nosec B104: an identity, never bound
# The header a CDN in front of the router adds to every request it forwards, with the
# value of CDN_ORIGIN_SECRET (docs/edge.md): a request without it did not come through.
ORIGIN_SECRET_HEADER = "X-Origin-Secret"  # noqa: S105  # pragma: allowlist secret (a name)

_NOT_YET = object()


def _meta_key(header: str) -> str:
    """Where WSGI puts a request header: X-Origin-Secret arrives as HTTP_X_ORIGIN_SECRET.
    Read there rather than through request.headers, which copies every header into a
    new mapping on first use: on the path of every request, that copy cost more than
    everything else here (docs/performance.md)."""
    return "HTTP_" + header.upper().replace("-", "_")


_ORIGIN_SECRET_META = _meta_key(ORIGIN_SECRET_HEADER)
# A name, not the literal: django-upgrade would turn request.META["HTTP_…"] back into
# request.headers (it is one of the pre-commit hooks, .pre-commit-config.yaml).
_FORWARDED_FOR_META = _meta_key("X-Forwarded-For")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, normalised, or None when no valid address is known.

    Without an X-Forwarded-For entry from a trusted proxy (a request that did not come
    through the router, such as the test client or a local runserver), the address of
    the peer connection is used. Computed once per request.
    """
    known = request.__dict__.get("_client_ip", _NOT_YET)
    if known is _NOT_YET:
        known = request.__dict__["_client_ip"] = _client_ip(request)
    return cast(str | None, known)


def _client_ip(request: HttpRequest) -> str | None:
    header = settings.CDN_CLIENT_IP_HEADER
    if header and came_through_cdn(request):
        address = _normalise(_cdn_address(header, request.META.get(_meta_key(header), "")))
        if address is not None:
            return address
    if repeated_forwarded_for(request):
        return SHARED_CLIENT
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = forwarded_for(request)
        if len(forwarded) >= proxies:
            address = _normalise(forwarded[-proxies])
            if address is not None:
                return address
    return _normalise(request.META.get("REMOTE_ADDR", ""))


def forwarded_for(request: HttpRequest) -> list[str]:
    """Every entry of X-Forwarded-For, left to right (the client's claims first)."""
    return [
        entry.strip()
        for entry in request.META.get(_FORWARDED_FOR_META, "").split(",")
        if entry.strip()
    ]


def repeated_forwarded_for(request: HttpRequest) -> bool:
    """Whether X-Forwarded-For reached gunicorn on more than one line."""
    return LINES_META_KEY in request.META


def came_through_cdn(request: HttpRequest) -> bool:
    """Whether the request carries the CDN's origin secret (compared in constant time)."""
    secret = settings.CDN_ORIGIN_SECRET
    sent = request.META.get(_ORIGIN_SECRET_META)
    return bool(secret) and sent is not None and hmac.compare_digest(sent, secret)


def candidate_addresses(request: HttpRequest) -> list[str]:
    """Every address the request could be from, for the block lists: the client's, and
    when no entry can be trusted (repeated lines) every entry and the peer too."""
    address = client_ip(request)
    if address != SHARED_CLIENT:
        return [address] if address is not None else []
    entries = [*forwarded_for(request), request.META.get("REMOTE_ADDR", "")]
    return [found for entry in entries if (found := _normalise(entry)) is not None]


def _cdn_address(header: str, value: str) -> str:
    """The address in a CDN's client-IP header. CloudFront-Viewer-Address appends the
    port, after IPv6 addresses too: '198.51.100.7:4321', '2001:db8::1:4321'."""
    value = value.strip()
    if header.lower() != "cloudfront-viewer-address":
        return value
    if value.startswith("["):  # the bracketed form, [2001:db8::1]:4321
        return value[1:].partition("]")[0]
    return value.rpartition(":")[0]


@lru_cache(maxsize=4096)
def _normalise(value: str) -> str | None:
    """One spelling per address, so '::ffff:192.0.2.1' and '192.0.2.1' are one client.

    Remembered for the most recent few thousand spellings: a client sends the same
    address with every request, and parsing it is most of what client_ip costs."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)
