"""Device cookies: a browser that signed in to an account before is known to it.

After every successful sign-in (password, passkey or emailed code) the browser gets a
signed cookie naming the account (by a keyed hash of its address, never the address)
and a random id of its own. A password attempt for that account from that browser is
counted against the browser's own failure budget only, and django-axes does not lock
it out: the owner keeps getting in from their usual browser while strangers use up
the account's and their networks' budgets (OWASP's "device cookies"). The cookie
proves nothing by itself, the password still does; a stolen one buys its thief the
browser's small budget and nothing more.
"""

import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from users.models import normalize_email

SALT = "accounts.devices"


def account_tag(address: str) -> str:
    """The account as the cookie names it: a keyed hash of the normalised address."""
    return salted_hmac(SALT, normalize_email(address), algorithm="sha256").hexdigest()[:32]


def known_device(request: HttpRequest | None, address: str | None) -> str | None:
    """The id of this browser if it signed in to `address`'s account before, else None."""
    if request is None or not address:
        return None
    value = request.COOKIES.get(settings.DEVICE_COOKIE_NAME)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=SALT, max_age=settings.DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("account") != account_tag(address):
        return None
    device = data.get("device")
    return device if isinstance(device, str) else None


def remember_device(request: HttpRequest, address: str) -> None:
    """Mark the response to this request to (re)issue the cookie for `address`."""
    request._device_cookie_account = address  # type: ignore[attr-defined]


def set_device_cookie(request: HttpRequest, response: HttpResponse) -> None:
    address = getattr(request, "_device_cookie_account", None)
    if not address:
        return
    device = known_device(request, address) or secrets.token_urlsafe(16)
    value = signing.dumps({"account": account_tag(address), "device": device}, salt=SALT)
    response.set_cookie(
        settings.DEVICE_COOKIE_NAME,
        value,
        max_age=settings.DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def is_known_device(request: HttpRequest | None, credentials: dict[str, Any] | None) -> bool:
    """AXES_WHITELIST_CALLABLE: the owner's browser is not locked out by strangers."""
    address = (credentials or {}).get("email") or (credentials or {}).get("username")
    return known_device(request, address) is not None
