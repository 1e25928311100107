"""How django-axes sees a login attempt: the normalised address, and the page it shows.

Settings point AXES_USERNAME_CALLABLE and AXES_LOCKOUT_CALLABLE here.
"""

from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from users.models import normalize_email


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The address as the User model stores it, so 'ADA@example.com ' counts as 'ada@...'.

    Without this a changed letter case would start a fresh count and dodge the lockout.
    """
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return normalize_email(username) if username else None


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 Too Many Requests, with a page that says what happened and when to retry.

    The page is the same whether or not the address has an account, so it tells an
    attacker nothing; every refused attempt starts the cool-off again.
    """
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60)
    response = render(
        request, "registration/locked_out.html", {"cool_off_minutes": minutes}, status=429
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
