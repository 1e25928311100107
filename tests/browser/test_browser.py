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
import zlib

import pytest

from tests.support.browser import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.support.heroku import Router

pytestmark = pytest.mark.slow


def png(width: int = 12, height: int = 12) -> bytes:
    """A plain blue RGB image, written chunk by chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    rows = b"".join(b"\x00" + b"\x1e\x78\xc8" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png()


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
    visitor = Visitor(browser, site.router)
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
    visitor.visit(f"/{site.admin_path}/login/")

    assert visitor.page.locator("input[name=username]").is_visible()


def test_admin_login_index_and_change_form_work_in_the_browser(visitor, site):
    admin_path = site.admin_path
    visitor.visit(f"/{admin_path}/login/")

    visitor.page.fill("input[name=username]", ADMIN_EMAIL)
    visitor.page.fill("input[name=password]", ADMIN_PASSWORD)
    visitor.page.fill("input[name=otp_token]", totp(site.totp_secret))
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


def test_an_uploaded_image_displays_from_the_bucket_under_coep(visitor, site):
    """COEP `credentialless` on the page; the preview's signed link on the bucket's origin
    (moto on 127.0.0.1) has no Cross-Origin-Resource-Policy, as S3 sends none."""
    visitor.context.add_cookies(
        [{"name": "__Host-sessionid", "value": site.admin_session, "url": visitor.router.url()}]
    )
    visitor.visit("/documents/")
    assert visitor.page.evaluate("crossOriginIsolated"), "COOP and COEP isolate the page"

    picture = {"name": "photo.png", "mimeType": "image/png", "buffer": PNG}
    visitor.page.set_input_files("input[type=file]", files=[picture])
    with visitor.page.expect_navigation():
        visitor.page.click("main button[type=submit]")
    visitor.check()

    preview = visitor.page.locator("img.preview").first
    preview.wait_for()
    visitor.page.wait_for_function("document.querySelector('img.preview').complete")
    assert preview.evaluate("image => image.naturalWidth") == 12, "the image must display"
    visitor.check()
