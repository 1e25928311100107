"""How django-axes sees a sign-in attempt: the normalised address, and the page it shows.

Settings point AXES_USERNAME_CALLABLE and AXES_LOCKOUT_CALLABLE here.
"""

from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse

from accounts.throttled import too_many_attempts
from users.models import normalize_email


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The address as the User model stores it, so 'ADA@example.com ' counts as 'ada@...'.

    allauth passes it as "email" (the API and Django's own forms as "username"); without
    normalising, a changed letter case would start a fresh count and dodge the lockout.
    """
    credentials = credentials or {}
    username = credentials.get("email") or credentials.get("username")
    if username is None and request is not None:
        username = request.POST.get("login") or request.POST.get("email")
    return normalize_email(username) if username else None


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 Too Many Requests, with the page every refused attempt gets.

    The page is the same whether or not the address has an account, so it tells an
    attacker nothing; every refused attempt starts the cool-off again.
    """
    return too_many_attempts(request, int(get_cool_off(request).total_seconds()))
