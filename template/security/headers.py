"""The security headers every response carries, worked out once per process.

Django's SecurityMiddleware and XFrameOptionsMiddleware stay in MIDDLEWARE: the deploy
checks look for them (security.W001, W002), and they still serve any response made
above security.middleware.SecurityHeadersMiddleware (an HTTPS redirect, say). But each
of them re-validates its headers on every response, and Django's
ContentSecurityPolicyMiddleware rebuilds the policy string each time: together that
was most of what the hardening cost per request (docs/performance.md). The values never
change while the process runs, so this module asks those same middleware classes,
once, what they would add to a response (`plan`), and SecurityHeadersMiddleware copies
the answer into each response that lacks the header; the Django middleware above it
then find their headers present and leave them alone. The values are Django's own,
byte for byte: tests/security/test_headers.py compares responses with Django's three
middleware doing the work.

ContentSecurityPolicyMiddleware is not in MIDDLEWARE at all (no check asks for it):
SecurityHeadersMiddleware does its whole job. It gives each request its nonce, as
Django's does, and a view that sets its own policy (@csp_override and friends) gets it
built by Django's own `build_policy`, as Django's middleware would. The one value that
changes per response, the nonce, is kept as the policy's text split around it, and
joined with the response's nonce only when a template used it (as Django does: an
unused nonce is left out of the policy).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils.csp import CSP, build_policy
from django_permissions_policy import PermissionsPolicyMiddleware

# Stands in for the nonce while the policies are built; never sent.
_NONCE_MARK = "PARAPET-NONCE-MARK"
# Where a view's own policy is kept on its response (Django's CSP decorators), and the
# setting that applies when it set none: ContentSecurityPolicyMiddleware's pairs.
_CSP_OVERRIDES = (
    (CSP.HEADER_ENFORCE, "_csp_config", "SECURE_CSP"),
    (CSP.HEADER_REPORT_ONLY, "_csp_ro_config", "SECURE_CSP_REPORT_ONLY"),
)
_CSP_HEADERS = tuple(str(header).lower() for header, _, _ in _CSP_OVERRIDES)
_XFO = "x-frame-options"

# A header as Django stores it in response.headers: lower-case name -> (name, value).
Stored = tuple[str, tuple[str, str]]


@dataclass(frozen=True)
class HeaderPlan:
    """What SecurityHeadersMiddleware adds to a response."""

    # Always, on HTTPS and on plain HTTP (HSTS only on HTTPS, as Django sends it).
    https: tuple[Stored, ...]
    http: tuple[Stored, ...]
    # Unless the view exempted the response from it (@xframe_options_exempt).
    frame_options: Stored | None
    # Unless the view set its own policy (@csp_override and friends): for each CSP
    # header, its lower-case name, its name, its text without a nonce, and the text
    # split where the nonce goes.
    csp: tuple[tuple[str, str, str, tuple[str, ...]], ...]


def _headers_added(request: HttpRequest, *middleware: Any) -> dict[str, tuple[str, str]]:
    """The headers these middleware add to an empty response for `request`."""
    response = HttpResponse()
    before = set(response.headers)
    for instance in middleware:
        response = instance.process_response(request, response)
    return {name.lower(): (name, value) for name, value in response.items() if name not in before}


def _request(*, secure: bool, nonce: str | None = None) -> HttpRequest:
    request = HttpRequest()
    configured = cast(tuple[str, str] | None, settings.SECURE_PROXY_SSL_HEADER)  # None: unset
    header, value = configured or ("HTTP_X_FORWARDED_PROTO", "https")
    if secure:
        request.META[header] = value
    if nonce is not None:
        request._csp_nonce = nonce  # type: ignore[attr-defined]
    return request


@cache
def plan() -> HeaderPlan:
    """Ask Django's header middleware, once, what they add; and add ours."""

    def unused(request: HttpRequest) -> HttpResponse:
        raise AssertionError("only process_response is called")

    security = SecurityMiddleware(unused)
    frames = XFrameOptionsMiddleware(unused)
    csp = ContentSecurityPolicyMiddleware(unused)

    ours: dict[str, tuple[str, str]] = {}
    for name, value in (
        ("Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY),
        ("Cross-Origin-Embedder-Policy", settings.CROSS_ORIGIN_EMBEDDER_POLICY),
        ("Permissions-Policy", _permissions_policy("PERMISSIONS_POLICY")),
        ("Permissions-Policy-Report-Only", _permissions_policy("PERMISSIONS_POLICY_REPORT_ONLY")),
    ):
        if value:
            ours[name.lower()] = (name, value)

    https = {**_headers_added(_request(secure=True), security), **ours}
    http = {**_headers_added(_request(secure=False), security), **ours}
    framing = _headers_added(_request(secure=False), frames).get(_XFO)
    plain = _headers_added(_request(secure=False), csp)
    marked = _headers_added(_request(secure=False, nonce=_NONCE_MARK), csp)
    return HeaderPlan(
        https=tuple(https.items()),
        http=tuple(http.items()),
        frame_options=(_XFO, framing) if framing else None,
        csp=tuple(
            (lower, plain[lower][0], plain[lower][1], tuple(marked[lower][1].split(_NONCE_MARK)))
            for lower in _CSP_HEADERS
            if lower in plain
        ),
    )


def _permissions_policy(setting: str) -> str:
    return PermissionsPolicyMiddleware.compute_header_value(
        getattr(settings, setting, {}), name=setting
    )


@receiver(setting_changed, dispatch_uid="security_headers_plan")
def _forget_plan(**kwargs: object) -> None:
    """Tests change settings at run time; work the plan out again after any change."""
    plan.cache_clear()


def add_security_headers(request: HttpRequest, response: Any) -> None:
    """Give `response` every header of the plan it does not carry yet."""
    headers = response.headers
    store = getattr(headers, "_store", None)
    if not isinstance(store, dict):  # not Django's ResponseHeaders: the public way
        store = _PublicStore(headers)
    current = plan()
    for name, stored in current.https if request.is_secure() else current.http:
        if name not in store:
            store[name] = stored
    if current.frame_options and not getattr(response, "xframe_options_exempt", False):
        name, stored = current.frame_options
        if name not in store:
            store[name] = stored
    nonce = getattr(request, "_csp_nonce", None)
    if hasattr(response, "_csp_config") or hasattr(response, "_csp_ro_config"):
        # The view set its own policy: built as Django's CSP middleware builds it.
        for header, attribute, setting in _CSP_OVERRIDES:
            config = getattr(response, attribute, getattr(settings, setting))
            if config and header not in response:
                response.headers[str(header)] = build_policy(config, nonce)
        return
    for lower, name, text, parts in current.csp:
        if lower not in store:
            store[lower] = (name, str(nonce).join(parts) if nonce else text)


class _PublicStore:
    """The mapping interface add_security_headers uses, over public header methods."""

    def __init__(self, headers: Any) -> None:
        self.headers = headers

    def __contains__(self, name: str) -> bool:
        return name in self.headers

    def __setitem__(self, name: str, stored: tuple[str, str]) -> None:
        self.headers[stored[0]] = stored[1]
