"""Pages, account pages and the admin in a real browser, under the strict CSP.

Headless Chromium from Debian drives the default render, served by the Procfile's
gunicorn behind a TLS router (nginx with a throwaway local CA, whose certificate the
browser trusts by its key). Any CSP violation, console error or page error fails;
every account page is audited by axe-core (npm), and a serious or critical
accessibility violation fails too. A passkey is registered and signs in through
Chromium's virtual authenticator (WebAuthn over the DevTools protocol).
"""

import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.accounts import totp_code
from tests.support.browser import ADMIN_EMAIL, ADMIN_PASSWORD, MEMBER_EMAIL, MEMBER_PASSWORD
from tests.support.heroku import Router
from tests.support.scanners import install_axe_core

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


# Collects violations in the page; Playwright's init scripts are not subject to CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""
# axe-core's audit of the page as it is; evaluated over the DevTools protocol, which
# the page's CSP does not govern (the page itself still runs only its own scripts).
AUDIT = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                          help: v.help}));
}"""
SEVERE = {"serious", "critical"}

# Every account page, by who may open it: (path, expected status).
ANONYMOUS_PAGES = [
    ("/accounts/login/", 200),
    ("/accounts/signup/", 200),
    ("/accounts/confirm-email/", 200),
    ("/accounts/login/code/", 200),
    ("/accounts/password/reset/", 200),
    ("/accounts/password/reset/done/", 200),
    ("/accounts/password/reset/key/1-not-a-key/", 200),
]
MEMBER_PAGES = [
    ("/accounts/email/", 200),
    ("/accounts/password/change/", 200),
    ("/accounts/2fa/", 200),
    ("/accounts/sessions/", 200),
    ("/accounts/data/", 200),
    ("/accounts/reauthenticate/", 200),
    ("/accounts/logout/", 200),
]
# Pages that open once the password was given again (reauthentication).
REAUTHENTICATED_PAGES = [
    ("/accounts/2fa/totp/activate/", 200),
    ("/accounts/2fa/webauthn/add/", 200),
]
# The admin's account pages: a second factor and its recovery codes.
ADMIN_PAGES = [
    ("/accounts/2fa/", 200),
    ("/accounts/2fa/recovery-codes/", 200),
    ("/accounts/2fa/reauthenticate/", 200),
]


class Visitor:
    """A browser tab that records every CSP violation and console error."""

    def __init__(self, browser, router: Router, axe_source: str) -> None:
        self.router = router
        self.axe_source = axe_source
        self.context = browser.new_context()
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
        assert response is not None and response.status == expected_status, (
            f"{path}: {response.status if response else None}"
        )
        if expected_status != 200:
            # Chromium logs the document's own error status; that one is expected.
            self.problems = [p for p in self.problems if not p.endswith(f"({url})")]
        self.check()

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate("window.__cspViolations || []")
        assert not violations, f"CSP violations on {self.page.url}: {violations}"
        assert not self.problems, f"browser problems on {self.page.url}: {self.problems}"

    def audit(self) -> list[dict[str, Any]]:
        """axe-core's violations on the page as it is now."""
        self.page.evaluate(self.axe_source + "\n;undefined")
        violations: list[dict[str, Any]] = self.page.evaluate(AUDIT)
        return violations

    def submit(self, values: dict[str, str], button: str = "main button[type=submit]") -> None:
        for selector, value in values.items():
            self.page.fill(selector, value)
        with self.page.expect_navigation():
            self.page.click(button)
        self.check()

    def sign_in(self, email: str, password: str) -> None:
        self.visit("/accounts/login/")
        self.submit({"input[name=login]": email, "input[name=password]": password})

    def reauthenticate(self, password: str) -> None:
        self.visit("/accounts/reauthenticate/")
        self.submit({"input[name=password]": password})


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory) -> str:
    return install_axe_core(tmp_path_factory.mktemp("axe-core"))


@pytest.fixture
def visitor(browser, site, axe_source) -> Iterator[Visitor]:
    visitor = Visitor(browser, site.router, axe_source)
    yield visitor
    visitor.context.close()


@pytest.fixture(scope="module")
def audits() -> dict[str, list[dict[str, Any]]]:
    """Every account page's axe-core violations, by path, reported at the end."""
    return {}


@pytest.fixture(scope="module", autouse=True)
def audit_report(audits, report: Callable[[str], None]) -> Iterator[None]:
    yield
    for path, violations in sorted(audits.items()):
        summary = ", ".join(f"{v['id']} ({v['impact']})" for v in violations) or "none"
        report(f"axe-core {path}: {len(violations)} violations: {summary}; 0 CSP violations")


def audit_pages(visitor: Visitor, pages: list[tuple[str, int]], audits, who: str) -> None:
    severe = {}
    for path, status in pages:
        visitor.visit(path, status)
        violations = visitor.audit()
        audits[f"{path} ({who})"] = violations
        found = [v for v in violations if v["impact"] in SEVERE]
        if found:
            severe[path] = found
    assert not severe, f"serious or critical accessibility violations: {severe}"


@pytest.mark.parametrize(("path", "status"), [("/", 200), ("/no-such-page/", 404)])
def test_public_page_loads_without_csp_violation(visitor, path, status):
    visitor.visit(path, status)

    assert visitor.page.evaluate("document.documentElement.classList.contains('js')"), (
        "the site's own script (with SRI) must run"
    )
    assert (
        visitor.page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")
        == "640px"
    ), "the site's own stylesheet (with SRI) must apply"


def test_anonymous_account_pages_pass_csp_console_and_axe(visitor, audits):
    audit_pages(visitor, [("/", 200), *ANONYMOUS_PAGES], audits, "anonymous")


def test_signed_in_account_pages_pass_csp_console_and_axe(visitor, audits):
    visitor.sign_in(MEMBER_EMAIL, MEMBER_PASSWORD)
    audit_pages(visitor, MEMBER_PAGES, audits, "member")

    visitor.reauthenticate(MEMBER_PASSWORD)
    audit_pages(visitor, REAUTHENTICATED_PAGES, audits, "member, reauthenticated")


def test_site_sign_in_and_out_work_in_the_browser(visitor):
    visitor.sign_in(MEMBER_EMAIL.upper(), MEMBER_PASSWORD)

    assert visitor.page.url == visitor.router.url("/")
    assert MEMBER_EMAIL in visitor.page.inner_text("header")
    with visitor.page.expect_navigation():
        visitor.page.click("header button[type=submit]")
    visitor.check()
    assert MEMBER_EMAIL not in visitor.page.inner_text("header")


def test_admin_signs_in_with_a_code_and_the_admin_works(visitor, site, audits):
    visitor.visit(f"/{site.admin_path}/")
    assert visitor.page.url.startswith(visitor.router.url("/accounts/login/")), (
        "the admin sends visitors to the site's sign-in"
    )
    visitor.submit({"input[name=login]": ADMIN_EMAIL, "input[name=password]": ADMIN_PASSWORD})
    assert "/accounts/2fa/authenticate/" in visitor.page.url
    audits["/accounts/2fa/authenticate/ (admin)"] = visitor.audit()
    visitor.submit({"input[name=code]": totp_code(site.totp_secret)})

    assert visitor.page.url == visitor.router.url(f"/{site.admin_path}/")
    assert "Site administration" in visitor.page.content()
    cookies = {cookie["name"]: cookie for cookie in visitor.context.cookies()}
    assert cookies["__Host-sessionid"]["secure"] and cookies["__Host-sessionid"]["httpOnly"]
    visitor.visit(f"/{site.admin_path}/users/user/")
    with visitor.page.expect_navigation():
        visitor.page.click(f"#result_list a:text-is('{ADMIN_EMAIL}')")
    visitor.check()
    assert visitor.page.input_value("input[name=email]") == ADMIN_EMAIL
    audit_pages(visitor, ADMIN_PAGES, audits, "admin")


def test_a_passkey_is_registered_and_signs_in_without_a_password(visitor, audits, report):
    """Chromium's virtual authenticator (resident keys, user verification) plays the phone."""
    devtools = visitor.context.new_cdp_session(visitor.page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})  # fmt: skip
    visitor.sign_in(MEMBER_EMAIL, MEMBER_PASSWORD)
    visitor.reauthenticate(MEMBER_PASSWORD)

    visitor.visit("/accounts/2fa/webauthn/add/")
    visitor.page.fill("input[name=name]", "This laptop")
    visitor.page.check("input[name=passwordless]")
    with visitor.page.expect_navigation():
        visitor.page.click("#mfa_webauthn_add")
    visitor.check()
    registered = visitor.page.url
    visitor.visit("/accounts/2fa/webauthn/")
    audits["/accounts/2fa/webauthn/ (member with a passkey)"] = visitor.audit()
    assert "This laptop" in visitor.page.content()
    with visitor.page.expect_navigation():
        visitor.page.click("header button[type=submit]")
    visitor.check()

    visitor.visit("/accounts/login/")
    with visitor.page.expect_navigation():
        visitor.page.click("#passkey_login")
    visitor.check()
    report(f"passkey: registered (then at {registered}), signed in with it alone -> "
           f"{visitor.page.url}, header: {visitor.page.inner_text('header')!r}")  # fmt: skip

    assert visitor.page.url == visitor.router.url("/")
    assert MEMBER_EMAIL in visitor.page.inner_text("header"), "signed in by the passkey alone"


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
