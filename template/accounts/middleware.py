"""What every request of a signed-in user passes: idle sessions end, staff set up MFA.

Settings list them after django-allauth's AccountMiddleware and Django's messages:

- IdleSessionMiddleware ends a session left idle for IDLE_SESSION_TIMEOUT, or for
  IDLE_ADMIN_SESSION_TIMEOUT once it opened an admin page (a stolen laptop's admin
  tab stops working soon);
- StaffMFAMiddleware sends staff and superusers without an authenticator to the
  two-factor page until they have set one up: no admin page, no other page;
- DeviceCookieMiddleware writes the device cookie a sign-in asked for
  (accounts.devices).
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from accounts import devices
from accounts.mfa import has_authenticator, needs_mfa
from security.log import security_event

# Session keys: when the session was last seen (seconds, refreshed at most once a
# minute so idle sessions cost no write per request) and whether it opened the admin.
LAST_SEEN = "accounts_last_seen"
ADMIN_OPENED = "accounts_admin_opened"
SEEN_RESOLUTION = 60

# Where staff without an authenticator may still go: setting one up (which asks them
# to confirm who they are first), and out.
MFA_SETUP_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "account_logout",
        "csp-report",
    }
)

Handler = Callable[[HttpRequest], HttpResponse]


class IdleSessionMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, now)
            limit = (
                settings.IDLE_ADMIN_SESSION_TIMEOUT
                if request.session.get(ADMIN_OPENED)
                else settings.IDLE_SESSION_TIMEOUT
            )
            if now - last_seen > limit:
                user_id = request.user.pk
                logout(request)
                security_event(
                    "session_expired_idle", request, user_id=user_id, idle=now - last_seen
                )
            elif LAST_SEEN not in request.session or now - last_seen >= SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


def mark_admin_opened(request: HttpRequest) -> None:
    """From now on this session ends after the admin's shorter idle timeout."""
    if not request.session.get(ADMIN_OPENED):
        request.session[ADMIN_OPENED] = True


def url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class StaffMFAMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            needs_mfa(user)
            and url_name(request) not in MFA_SETUP_URL_NAMES
            and not has_authenticator(user)
        ):
            messages.warning(
                request,
                "Staff accounts need two-factor authentication. Set up an authenticator "
                "app or a passkey to continue.",
                fail_silently=True,
            )
            return HttpResponseRedirect(reverse("mfa_index"))
        return self.get_response(request)


class DeviceCookieMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        devices.set_device_cookie(request, response)
        return response
