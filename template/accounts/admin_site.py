"""The admin site: open only to staff whose session completed two-factor authentication.

Settings install this site as `admin.site` (accounts.apps.AdminConfig), so every
ModelAdmin registered with `admin.site` is behind it. There is no admin login form:
its login URL sends visitors to the site's sign-in (django-allauth), which asks staff
for their second factor, and back. A staff session that signed in without one (it
set its authenticator up afterwards) confirms it first (allauth's reauthentication
with the authenticator). Staff without any authenticator never get this far: the
StaffMFAMiddleware sends them to set one up.
"""

from typing import Any

from allauth.account.adapter import get_adapter
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from accounts.mfa import session_completed_mfa
from accounts.middleware import mark_admin_opened


def second_factor_url(request: HttpRequest) -> str:
    """Where this user confirms a second factor: their code form, or their passkey."""
    methods = get_adapter(request).get_reauthentication_methods(request.user)
    second_factors = [m for m in methods if str(m["id"]).startswith("mfa_reauthenticate")]
    return str(second_factors[0]["url"]) if second_factors else reverse("mfa_index")


class MFAAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and session_completed_mfa(request)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        mark_admin_opened(request)
        return super().each_context(request)

    @method_decorator(never_cache)
    @login_not_required
    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Public, as Django's admin login is: not a form, but where anyone asking for the
        admin is sent to prove who they are (the site's sign-in, then a second factor)."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            target = reverse("account_login")
        elif not (user.is_active and user.is_staff):
            raise PermissionDenied("The admin is for staff.")
        elif not session_completed_mfa(request):
            target = second_factor_url(request)
        else:
            target = next_url
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(f"{target}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
