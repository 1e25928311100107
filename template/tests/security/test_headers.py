"""The exact security headers every page carries."""

import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.conftest import sign_in_with_code

pytestmark = pytest.mark.django_db

# Django adds the nonce source only to responses whose templates used the nonce.
EXPECTED_CSP = (
    "default-src 'none'; script-src 'self'{nonce}; style-src 'self'{nonce}; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; "
    "report-uri /csp-report/"
)
DENIED_FEATURES = (  # noqa: SIM905 (reads as the header does)
    "accelerometer autoplay browsing-topics camera display-capture encrypted-media "
    "geolocation gyroscope hid identity-credentials-get idle-detection interest-cohort "
    "local-fonts magnetometer microphone midi otp-credentials payment picture-in-picture "
    "publickey-credentials-create publickey-credentials-get screen-wake-lock serial "
    "storage-access usb window-management xr-spatial-tracking"
).split()
# Passkeys (WebAuthn) are created and used by the site itself, never by a frame.
SELF_ONLY_FEATURES = ("publickey-credentials-create", "publickey-credentials-get")


NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=_-]+)'")


def test_content_security_policy_is_exact(client):
    response = client.get("/", secure=True)

    assert response["Content-Security-Policy"] == EXPECTED_CSP.format(nonce="")
    assert "Content-Security-Policy-Report-Only" not in response


def test_nonce_in_the_policy_matches_the_page_that_uses_it(client, staff, admin_url):
    sign_in_with_code(client, staff)
    response = client.get(admin_url(), secure=True)
    header = response["Content-Security-Policy"]
    (nonce,) = set(NONCE.findall(header))

    assert header == EXPECTED_CSP.format(nonce=f" 'nonce-{nonce}'")
    assert f'nonce="{nonce}"' in response.content.decode()


def test_csp_allows_no_unsafe_source(client):
    policy = client.get("/", secure=True)["Content-Security-Policy"]

    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_csp_nonce_changes_with_every_response(client, staff, admin_url):
    sign_in_with_code(client, staff)
    url = admin_url()
    first = client.get(url, secure=True)["Content-Security-Policy"]
    second = client.get(url, secure=True)["Content-Security-Policy"]

    assert NONCE.findall(first)
    assert NONCE.findall(first) != NONCE.findall(second)


def test_report_only_mode_reports_the_same_policy_without_enforcing(client, settings):
    import config.settings

    settings.SECURE_CSP = {}
    settings.SECURE_CSP_REPORT_ONLY = config.settings.CONTENT_SECURITY_POLICY

    response = client.get("/", secure=True)

    assert "Content-Security-Policy" not in response
    header = response["Content-Security-Policy-Report-Only"]
    assert header == EXPECTED_CSP.format(nonce="")


def test_permissions_policy_denies_every_unused_feature(client):
    header = client.get("/", secure=True)["Permissions-Policy"]

    assert header == ", ".join(
        f"{feature}={'(self)' if feature in SELF_ONLY_FEATURES else '()'}"
        for feature in DENIED_FEATURES
    )


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Embedder-Policy", "credentialless"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
    ],
)
def test_cross_origin_and_framing_headers_are_exact(client, header, value):
    assert client.get("/", secure=True)[header] == value


def test_stylesheet_and_script_carry_subresource_integrity(client):
    html = client.get("/", secure=True).content.decode()

    for tag in re.findall(r"<(?:link rel=\"stylesheet\"|script)[^>]*>", html):
        assert re.search(r'integrity="sha384-[A-Za-z0-9+/=]{64}"', tag), tag
        assert 'crossorigin="anonymous"' in tag, tag


def test_pages_have_no_inline_script_style_or_event_handler(client):
    html = client.get("/accounts/login/", secure=True).content.decode()

    assert not re.search(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>', html), (
        "inline <script> (JSON data is not run)"
    )
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_integrity_attributes_are_left_out_in_development(settings):
    from security.templatetags.integrity import integrity_attrs

    settings.USE_SRI = False

    assert integrity_attrs("css/site.css") == ""


SHORTCUT = "security.middleware.SecurityHeadersMiddleware"
# The chain without the shortcut: Django's own middleware add every header on every
# response (its CSP middleware included, which the shortcut stands in for), and the
# library's Permissions-Policy middleware sits where it used to.
DJANGOS_CHAIN = (
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
)
NONCE_VALUE = re.compile(r"'nonce-[^']+'")


def header_values(response) -> dict[str, str]:
    """The response's headers, with the CSP nonce (new on every response) masked."""
    return {name: NONCE_VALUE.sub("'nonce-…'", value) for name, value in response.items()}


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/no-such-page/", "/csp-report/", "/healthz/", "ADMIN"]
)
def test_headers_worked_out_once_are_exactly_djangos(client, settings, path):
    path = f"/{settings.ADMIN_URL_PATH}/login/" if path == "ADMIN" else path
    # One instant for both: never_cache's Expires header names the current second.
    with time_machine.travel(timezone.now(), tick=False):
        shortcut = header_values(client.get(path, secure=True))
        settings.MIDDLEWARE = [
            replacement
            for name in settings.MIDDLEWARE
            for replacement in (DJANGOS_CHAIN if name == SHORTCUT else (name,))
        ]
        djangos = header_values(Client().get(path, secure=True))

    ours = {"Cross-Origin-Resource-Policy": "same-origin",
            "Cross-Origin-Embedder-Policy": "credentialless"}  # fmt: skip
    assert shortcut == {**djangos, **ours}


def test_plain_http_redirect_carries_djangos_headers(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 301
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response, "HSTS only over HTTPS"


def test_static_files_carry_every_security_header(settings):
    settings.WHITENOISE_USE_FINDERS = True

    response = Client().get("/static/css/site.css", secure=True)

    assert response.status_code == 200
    for header in ("Content-Security-Policy", "Permissions-Policy", "Strict-Transport-Security",
                   "Cross-Origin-Resource-Policy", "Cross-Origin-Opener-Policy",
                   "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):  # fmt: skip
        assert header in response, header
    assert response["Content-Security-Policy"] == EXPECTED_CSP.format(nonce="")


def test_views_that_set_their_own_framing_or_policy_keep_it(rf):
    from django.http import HttpResponse

    from security.headers import add_security_headers

    exempt = HttpResponse()
    exempt.xframe_options_exempt = True
    own_policy = HttpResponse(headers={"Content-Security-Policy": "default-src 'self'"})
    overridden = HttpResponse()
    overridden._csp_config = {"default-src": ["'self'"]}  # type: ignore[attr-defined]  # Django's
    switched_off = HttpResponse()
    switched_off._csp_config = {}  # type: ignore[attr-defined]  # @csp_override({})
    request = rf.get("/", secure=True)

    for response in (exempt, own_policy, overridden, switched_off):
        add_security_headers(request, response)

    assert "X-Frame-Options" not in exempt
    assert own_policy["Content-Security-Policy"] == "default-src 'self'"
    assert overridden["Content-Security-Policy"] == "default-src 'self'", "the view's own policy"
    assert "Content-Security-Policy" not in switched_off, "a view may switch the policy off"
    assert "Content-Security-Policy-Report-Only" not in overridden, "none is configured"


def test_a_view_s_own_policy_gets_its_nonce(rf):
    from django.http import HttpResponse
    from django.utils.csp import CSP

    from security.middleware import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse(f'<script nonce="{request._csp_nonce}"></script>')
        response._csp_config = {"script-src": [CSP.NONCE]}  # type: ignore[attr-defined]
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/", secure=True))

    (nonce,) = NONCE.findall(response["Content-Security-Policy"])
    assert isinstance(response, HttpResponse)
    assert f'nonce="{nonce}"' in response.content.decode()
