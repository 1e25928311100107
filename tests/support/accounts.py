"""Visitors of a deployed site's account pages, and the attacks an outsider runs on them.

`Visitor` is a browser without JavaScript behind one client IP: it keeps its cookies,
reads each form's CSRF token and field names from the page, and sends everything
through the router (`Site.request`). The attack functions return what the attacker
saw, status by status, for the tests in tests/deploy/ to judge and report.
"""

import base64
import email
import email.policy
import hashlib
import hmac
import html
import json
import re
import struct
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import urlencode, urlsplit

from tests.support.deployments import HOST, Response, Site
from tests.support.smtp import SMTPServer

WRONG_PASSWORD = "not-the-password-0"  # noqa: S105 (what attackers send)
# A client that does not say where it is: the address the router sees by default.
LOOPBACK = "127.0.0.1"


def form_fields(page: bytes) -> list[str]:
    """The names of a page's form inputs, in document order."""
    return [name.decode() for name in re.findall(rb'<input[^>]*\sname="([^"]+)"', page)]


@dataclass
class Visitor:
    """One browser (its cookies) on one client IP, talking to the site through the router."""

    site: Site
    client_ip: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        sent = {"Origin": f"https://{HOST}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = self.site.request(
            path, method=method, body=body, headers=sent, source=self.client_ip or LOOPBACK
        )
        self.keep_cookies(response)
        return response

    def keep_cookies(self, response: Response) -> None:
        for cookie in response.headers.get_all("Set-Cookie", []):
            pair, *attributes = (part.strip() for part in cookie.split(";"))
            name, _, value = pair.partition("=")
            expired = any(a.lower() in {"max-age=0", "max-age=-1"} for a in attributes)
            if expired or value in {"", '""'}:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def get(self, path: str) -> Response:
        return self.request(path)

    def post(self, path: str, data: dict[str, str]) -> Response:
        """A form post to `path`, with the CSRF token of the last page that carried one."""
        body = urlencode({"csrfmiddlewaretoken": self.csrf_token(), **data}).encode()
        return self.request(
            path,
            method="POST",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def post_json(self, path: str, data: object, **headers: str) -> Response:
        body = json.dumps(data).encode()
        return self.request(
            path, method="POST", body=body, headers={"Content-Type": "application/json", **headers}
        )

    def csrf_token(self) -> str:
        """What a page's forms carry: the CSRF cookie's own value is accepted as the token."""
        for name, value in self.cookies.items():
            if name.endswith("csrftoken"):
                return value
        self.get("/accounts/login/")
        return next(value for name, value in self.cookies.items() if name.endswith("csrftoken"))

    def submit(self, path: str, values: dict[str, str], action: str | None = None) -> Response:
        """Load the form at `path` and post it: values are given by the form's own names."""
        page = self.get(path)
        assert page.status == 200, f"GET {path}: {page.status}\n{page.body[-1500:]!r}"
        return self.post(action or path, values)

    def follow(self, response: Response, limit: int = 5) -> Response:
        """Follow redirects on this site, as a browser does."""
        for _ in range(limit):
            if response.status not in {301, 302, 303}:
                return response
            location = urlsplit(response.headers["Location"])
            response = self.get(location.path + (f"?{location.query}" if location.query else ""))
        return response

    def signed_in_as(self) -> str | None:
        """The address the header shows for this browser, or None when signed out."""
        page = self.get("/")
        found = re.search(rb'<span class="signed-in-as">([^<]+)</span>', page.body)
        return html.unescape(found.group(1).decode()) if found else None


def login_field(page: bytes) -> str:
    """The login form's address field: allauth's "login", Django's "username" before it."""
    names = form_fields(page)
    return "login" if "login" in names else "username"


def log_in(visitor: Visitor, address: str, password: str) -> Response:
    """One password login attempt, as the login page asks for it."""
    page = visitor.get("/accounts/login/")
    return visitor.post("/accounts/login/", {login_field(page.body): address, "password": password})


def credential_stuffing(site: Site, accounts: list[str], client_ip: str) -> list[Response]:
    """One IP, one wrong password for each of many accounts: what it gets back."""
    attacker = Visitor(site, client_ip=client_ip)
    return [log_in(attacker, address, WRONG_PASSWORD) for address in accounts]


def password_spraying(site: Site, address: str, client_ips: list[str]) -> list[Response]:
    """One account, a wrong password from each of many IPs: what they get back."""
    return [
        log_in(Visitor(site, client_ip=client_ip), address, f"{WRONG_PASSWORD}-{number}")
        for number, client_ip in enumerate(client_ips)
    ]


def reset_requests(site: Site, address: str, times: int, client_ip: str) -> list[Response]:
    """One IP asking for a password-reset mail to one address, again and again."""
    attacker = Visitor(site, client_ip=client_ip)
    attacker.get("/accounts/password/reset/")
    return [attacker.post("/accounts/password/reset/", {"email": address}) for _ in range(times)]


def statuses(responses: list[Response]) -> list[int]:
    return [response.status for response in responses]


# What an HTML form on another site can make a visitor's browser post, without CORS:
# its three encodings.
FORM_ENCODINGS = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


def token_login_as_a_form(
    site: Site, address: str, password: str, encoding: str, client_ip: str | None = None
) -> Response:
    """The API's token login posted as a cross-site form in `encoding` would post it."""
    content_type = encoding
    if encoding == "multipart/form-data":
        boundary = "----cross-site-form"
        content_type = f"{encoding}; boundary={boundary}"
        body = (
            "".join(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                for name, value in (("email", address), ("password", password))
            ).encode()
            + f"--{boundary}--\r\n".encode()
        )
    elif encoding == "text/plain":
        body = f"email={address}\r\npassword={password}\r\n".encode()
    else:
        body = urlencode({"email": address, "password": password}).encode()
    return site.request(
        "/api/auth/login/",
        method="POST",
        body=body,
        source=client_ip or LOOPBACK,
        headers={"Content-Type": content_type, "Origin": "https://evil.example"},
    )


def token_login(site: Site, address: str, password: str, client_ip: str | None = None) -> Response:
    """The API's token login as its clients send it: JSON."""
    return site.request(
        "/api/auth/login/",
        method="POST",
        source=client_ip or LOOPBACK,
        body=json.dumps({"email": address, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )


def token_for(site: Site, address: str, password: str) -> str:
    response = token_login(site, address, password)
    assert response.status == 200, response.body
    token: str = json.loads(response.body)["token"]
    return token


def with_token(site: Site, token: str) -> int:
    """The status of the API's "who am I" for this token."""
    return site.request("/api/me/", headers={"Authorization": f"Token {token}"}).status


def mails_to(smtp_server: SMTPServer, address: str) -> list[EmailMessage]:
    messages = []
    for envelope in list(smtp_server.received):
        if address in envelope.rcpt_tos:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            messages.append(message)
    return messages


def wait_for_mails(
    smtp_server: SMTPServer, address: str, count: int, timeout: float = 30
) -> list[EmailMessage]:
    """The mails to `address`, once at least `count` of them came (fails after `timeout`)."""
    deadline = time.monotonic() + timeout
    while len(found := mails_to(smtp_server, address)) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} mails to {address} came"
        time.sleep(0.1)
    return found


def settled_mails(smtp_server: SMTPServer, address: str, quiet: float = 3) -> list[EmailMessage]:
    """Every mail to `address` once none has come for `quiet` seconds (the queue is idle)."""
    count, since = -1, time.monotonic()
    while time.monotonic() - since < quiet:
        current = len(mails_to(smtp_server, address))
        if current != count:
            count, since = current, time.monotonic()
        time.sleep(0.2)
    return mails_to(smtp_server, address)


def body_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, "the mail has a plain-text part"
    return str(part.get_content())


def link_in(message: EmailMessage, pattern: str) -> str:
    """The path of the first link to this site in the mail whose path matches `pattern`."""
    found = re.search(rf"https://{HOST}(?::\d+)?({pattern})", body_text(message))
    assert found, f"no link matching {pattern} in:\n{body_text(message)}"
    return found.group(1)


def totp_code(secret: str, step: int = 30) -> str:
    """The code an authenticator app shows now for this base32 secret (RFC 6238)."""
    counter = struct.pack(">Q", int(time.time()) // step)
    digest = hmac.new(base64.b32decode(secret), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
