"""Pages and the admin work in a real browser under the strict CSP.

Headless Chromium from Debian drives the default render, served by the Procfile's
gunicorn behind a TLS router (nginx with a throwaway local CA, whose certificate the
browser is told to accept). Any CSP violation, console error or page error fails.
"""

import base64
import hashlib
import hmac
import struct
import time

import pytest

from tests.support.browser import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.support.heroku import Router

pytestmark = pytest.mark.slow


def totp(secret: str, step: int = 30, digits: int = 6) -> str:
    """The current code for a base32 secret, as an authenticator app computes it (RFC 6238)."""
    counter = struct.pack(">Q", int(time.time()) // step)
    digest = hmac.new(base64.b32decode(secret), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


# Collects violations in the page; Playwright's init scripts are not subject to CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


class Visitor:
    """A browser tab that records every CSP violation and console error."""

    def __init__(self, browser, router: Router) -> None:
        self.router = router
        self.context = browser.new_context(ignore_https_errors=True)
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message) -> None:
        if message.type in {"error", "warning"}:
            url = message.location.get("url", "")
            self.problems.append(f"console {message.type}: {message.text} ({url})")

    def visit(self, path: str, expected_status: int = 200) -> None:
        url = self.router.url(path)
        response = self.page.goto(url)
        assert response is not None and response.status == expected_status
        if expected_status != 200:
            # Chromium logs the document's own error status; that one is expected.
            self.problems = [p for p in self.problems if not p.endswith(f"({url})")]
        self.check()

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate("window.__cspViolations || []")
        assert not violations, f"CSP violations on {self.page.url}: {violations}"
        assert not self.problems, f"browser problems on {self.page.url}: {self.problems}"


@pytest.fixture
def visitor(browser, site):
    router, _, _ = site
    visitor = Visitor(browser, router)
    yield visitor
    visitor.context.close()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/accounts/login/", 200),
        ("/accounts/password/reset/", 200),
        ("/no-such-page/", 404),
    ],
)
def test_public_page_loads_without_csp_violation(visitor, path, status):
    visitor.visit(path, status)

    assert visitor.page.evaluate("document.documentElement.classList.contains('js')"), (
        "the site's own script (with SRI) must run"
    )
    assert (
        visitor.page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")
        == "640px"
    ), "the site's own stylesheet (with SRI) must apply"


def test_site_login_and_logout_work_in_the_browser(visitor):
    visitor.visit("/accounts/login/")

    visitor.page.fill("input[name=username]", ADMIN_EMAIL.upper())
    visitor.page.fill("input[name=password]", ADMIN_PASSWORD)
    with visitor.page.expect_navigation():
        visitor.page.click("main button[type=submit]")
    visitor.check()

    assert visitor.page.url == visitor.router.url("/")
    assert ADMIN_EMAIL in visitor.page.inner_text("header")
    with visitor.page.expect_navigation():
        visitor.page.click("header button[type=submit]")
    visitor.check()
    assert ADMIN_EMAIL not in visitor.page.inner_text("header")


def test_admin_login_page_loads_without_csp_violation(visitor, site):
    _, admin_path, _ = site

    visitor.visit(f"/{admin_path}/login/")

    assert visitor.page.locator("input[name=username]").is_visible()


def test_admin_login_index_and_change_form_work_in_the_browser(visitor, site):
    _, admin_path, totp_secret = site
    visitor.visit(f"/{admin_path}/login/")

    visitor.page.fill("input[name=username]", ADMIN_EMAIL)
    visitor.page.fill("input[name=password]", ADMIN_PASSWORD)
    visitor.page.fill("input[name=otp_token]", totp(totp_secret))
    with visitor.page.expect_navigation():
        visitor.page.click("input[type=submit], button[type=submit]")
    visitor.check()

    assert visitor.page.url == visitor.router.url(f"/{admin_path}/")
    assert "Site administration" in visitor.page.content()
    cookies = {cookie["name"]: cookie for cookie in visitor.context.cookies()}
    assert cookies["__Host-sessionid"]["secure"] and cookies["__Host-sessionid"]["httpOnly"]

    visitor.visit(f"/{admin_path}/users/user/")
    with visitor.page.expect_navigation():
        visitor.page.click(f"#result_list a:text-is('{ADMIN_EMAIL}')")
    visitor.check()
    assert "/change/" in visitor.page.url
    assert visitor.page.input_value("input[name=email]") == ADMIN_EMAIL
