"""Throttles that count per client IP as lockout and the security log see it.

DRF's own get_ident() trusts X-Forwarded-For only as NUM_PROXIES says; these use the
one helper (security.client_ip) instead, so a forged header buys no fresh allowance.
Counts live in the rate-limit counters' cache (security.cache, in the database):
every dyno and worker shares them, and a flood of other entries never culls them.
"""

from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from security.cache import counters
from security.client_ip import client_ip


class ClientIPMixin:
    # DRF keeps counts in the default cache, which culls live entries under load.
    cache = counters

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"


class AnonThrottle(ClientIPMixin, AnonRateThrottle):
    """Anonymous requests, per client IP ("anon" rate)."""


class UserThrottle(ClientIPMixin, UserRateThrottle):
    """Signed-in requests, per user ("user" rate)."""


class SensitiveThrottle(ClientIPMixin, ScopedRateThrottle):
    """Views that set throttle_scope = "sensitive" (token login, uploads): a stricter rate."""
