"""Security events: one structured line each, on the "security" logger.

A line is logfmt, the key=value format of Heroku's own router logs, and always starts
with the same four keys:

    event=login_failed user_id=42 ip=203.0.113.7 request_id=5a1c... email=a***@example.com

`user_id` is the account concerned and `ip` the client (security.client_ip), `-` when
unknown; `request_id` is Heroku's X-Request-Id, which the router's and gunicorn's log
lines carry too. A line never holds a password, token, session key or full email
address: addresses are masked to their first character and domain.

The receivers below log what Django and django-axes signal (logins, failures,
lockouts, logouts); the apps log what only they know (sign-ups, password and email
changes, second factors, throttled attempts, denied permissions) by calling
`security_event()`.
"""

import json
import logging
import re
from typing import Any

from allauth.account.authentication import get_authentication_records
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from security.client_ip import client_ip

logger = logging.getLogger("security")

# Values made only of these characters are written bare; anything else is quoted and
# escaped, so no value can break the line or forge another key.
BARE_VALUE = re.compile(r"[A-Za-z0-9._:@*/+=-]+")
# Heroku's router keeps a client's X-Request-Id of 20-200 such characters, else makes one.
REQUEST_ID = re.compile(r"[A-Za-z0-9+/=_.-]{1,200}")
MAX_VALUE_LENGTH = 200


def security_event(
    event: str,
    request: HttpRequest | None,
    *,
    user_id: object = None,
    level: int = logging.INFO,
    **fields: object,
) -> None:
    """Log one security event as a single logfmt line."""
    values: dict[str, Any] = {
        "event": event,
        "user_id": user_id,
        "ip": client_ip(request) if request is not None else None,
        "request_id": request_id(request) if request is not None else None,
        **fields,
    }
    logger.log(level, " ".join(f"{key}={format_value(value)}" for key, value in values.items()))


def request_id(request: HttpRequest) -> str | None:
    """Heroku's request id, or None when the header is missing or malformed."""
    value = request.headers.get("x-request-id", "")
    return value if REQUEST_ID.fullmatch(value) else None


def normalize(address: str) -> str:
    """The address as the User model stores it (its normalize_username), so
    'ADA@example.com ' is logged and looked up as the account it belongs to."""
    return get_user_model().normalize_username(address)


def mask_email(address: str) -> str:
    """'ada@example.com' -> 'a***@example.com': enough to spot a pattern, not a person."""
    local, at, domain = normalize(address).rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def format_value(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)[:MAX_VALUE_LENGTH]
    return text if BARE_VALUE.fullmatch(text) else json.dumps(text)


def account_id(email: str | None) -> int | None:
    """The id of the account an address belongs to, for the log only (never shown)."""
    if not email:
        return None
    user_model = get_user_model()
    accounts = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: normalize(email)})
    return accounts.values_list("pk", flat=True).first()


@receiver(user_logged_in, dispatch_uid="security_log_login_succeeded")
def log_login_succeeded(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
    # How the session signed in, as django-allauth recorded it: "password+mfa" for a
    # password and a second factor, "mfa" for a passkey alone, "code" for a mailed code.
    records = get_authentication_records(request, user) if request is not None else []
    methods = "+".join(dict.fromkeys(str(record.get("method")) for record in records))
    second_factor = any(record.get("method") == "mfa" for record in records)
    security_event("login_succeeded", request, user_id=user.pk, methods=methods,
                   second_factor=second_factor)  # fmt: skip


@receiver(user_login_failed, dispatch_uid="security_log_login_failed")
def log_login_failed(
    sender: object,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "")
    security_event(
        "login_failed",
        request,
        user_id=account_id(email),
        email=mask_email(email),
        level=logging.WARNING,
    )


@receiver(user_locked_out, dispatch_uid="security_log_lockout")
def log_lockout(
    sender: object, request: HttpRequest, username: str | None = None, **kwargs: object
) -> None:
    security_event(
        "lockout",
        request,
        user_id=account_id(username),
        email=mask_email(username or ""),
        level=logging.WARNING,
    )


@receiver(user_logged_out, dispatch_uid="security_log_logout")
def log_logout(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
    security_event("logout", request, user_id=getattr(user, "pk", None))
