"""The project's two middleware: the edge, first of all, and the security headers.

EdgeMiddleware answers before anything else runs: no session is loaded, no cookie set,
no database touched, so a request it refuses costs microseconds. In order:

1. with a CDN in front (CDN_ORIGIN_SECRET), a request without the CDN's secret went
   around it: 403;
2. a client on the block lists (BLOCKED_IPS: addresses and CIDR ranges, IPv4 and IPv6;
   BLOCKED_USER_AGENTS: a regular expression): 403. The client is the address
   security.client_ip trusts; an address claimed further left in X-Forwarded-For
   blocks nobody and unblocks nobody;
3. a client over its request budget (REQUEST_BUDGET requests a minute), or with
   CLIENT_CONCURRENCY requests already in progress in this process: 429 with
   Retry-After. Static files and the health check are exempt
   (REQUEST_BUDGET_EXEMPT_PATHS).

Refusals carry a tiny plain-text body and no cookies, and are counted in the security
log (event=request_refused), at most one line per reason and minute per process.

SecurityHeadersMiddleware gives every request its CSP nonce and every response, static
files included, the headers Django's own middleware would, computed once
(security/headers.py), plus Cross-Origin-Resource-Policy, Cross-Origin-Embedder-Policy
and Permissions-Policy, which Django lacks. It stands in for Django's
ContentSecurityPolicyMiddleware, which is not in MIDDLEWARE.
"""

import math
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.csp import LazyNonce

from security.client_ip import came_through_cdn, candidate_addresses, client_ip
from security.edge import InFlight, Networks, RefusalLog, RequestBudget, client_key
from security.headers import add_security_headers

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def refusal(status: int, retry_after: float | None = None) -> HttpResponse:
    """A refusal as small as it can be: a status line, a word, no cookies."""
    text = "Forbidden\n" if status == 403 else "Too many requests\n"
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if retry_after is not None:
        response["Retry-After"] = str(max(1, math.ceil(retry_after)))
    # Counted in the security log once a minute (RefusalLog): not also one django.request
    # warning per refused request, which a flood would turn into a flood of lines.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class EdgeMiddleware:
    """Refuse what should never reach a view (module docstring). First in MIDDLEWARE."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.origin_secret = bool(settings.CDN_ORIGIN_SECRET)
        # None when nothing is blocked: the test costs nothing on every request.
        self.blocked_ips = Networks(settings.BLOCKED_IPS) or None
        self.blocked_agents = (
            re.compile(settings.BLOCKED_USER_AGENTS, re.IGNORECASE)
            if settings.BLOCKED_USER_AGENTS
            else None
        )
        self.budget = RequestBudget(settings.REQUEST_BUDGET) if settings.REQUEST_BUDGET else None
        self.in_flight = InFlight(settings.CLIENT_CONCURRENCY)
        self.exempt = tuple(settings.REQUEST_BUDGET_EXEMPT_PATHS)
        self.refusals = RefusalLog()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.origin_secret and not came_through_cdn(request):
            return self.refuse("bypassed_cdn", request, 403)
        if self.blocked_ips is not None and any(
            address in self.blocked_ips for address in candidate_addresses(request)
        ):
            return self.refuse("blocked_ip", request, 403)
        if self.blocked_agents and self.blocked_agents.search(
            request.headers.get("user-agent", "")
        ):
            return self.refuse("blocked_user_agent", request, 403)
        if request.path_info.startswith(self.exempt):
            return self.get_response(request)
        client = client_key(client_ip(request))
        if self.budget is not None and (wait := self.budget.spend(client)):
            return self.refuse("over_budget", request, 429, retry_after=wait)
        if not self.in_flight.enter(client):
            return self.refuse("too_many_at_once", request, 429, retry_after=1)
        try:
            return self.get_response(request)
        finally:
            self.in_flight.leave(client)

    def refuse(
        self, reason: str, request: HttpRequest, status: int, retry_after: float | None = None
    ) -> HttpResponse:
        self.refusals.refused(reason, request, time.monotonic())
        return refusal(status, retry_after)


class SecurityHeadersMiddleware:
    """Every response gets the security headers it lacks (security/headers.py).

    Sits below Django's SecurityMiddleware and XFrameOptionsMiddleware and above
    WhiteNoise, so static files get the headers too and the Django middleware find them
    present.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # The nonce a template may use, generated only if one does (Django's LazyNonce,
        # as ContentSecurityPolicyMiddleware sets it; django.template.context_processors.csp
        # hands it to templates).
        request._csp_nonce = LazyNonce()  # type: ignore[attr-defined]
        response = self.get_response(request)
        add_security_headers(request, response)
        return response
