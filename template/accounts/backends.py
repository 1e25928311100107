"""The password check every login path goes through, with its failure budgets.

settings.AUTHENTICATION_BACKENDS puts django-axes first (an address and IP locked out
are refused before anything else) and this backend second: it spends the attempt
from its budgets (accounts.budgets), checks the password as django-allauth does (in
the same time whether or not the address has an account) and gives the attempt back
when the password was right. Site login, reauthentication, the admin (which signs in
through the site's login) and the API's token login all call authenticate(), so none
of them escapes the budgets.
"""

import logging
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from accounts import budgets, devices
from accounts.throttled import too_many_attempts
from security.client_ip import client_ip
from security.log import mask_email, security_event
from users.models import normalize_email


def attempt_subjects(request: HttpRequest, address: str) -> list[tuple[str, str]]:
    """The budgets an attempt spends from: its browser's, or its network's and account's."""
    device = devices.known_device(request, address)
    if device is not None:
        return [("device", device)]
    return [("network", budgets.network(client_ip(request))), ("account", address)]


class BudgetedAuthenticationBackend(AuthenticationBackend):
    def authenticate(
        self, request: HttpRequest | None, **credentials: Any
    ) -> AbstractBaseUser | None:
        address = credentials.get("email") or credentials.get("username")
        if request is None or not address or not credentials.get("password"):
            return super().authenticate(request, **credentials)
        address = normalize_email(address)
        attempt = budgets.spend(attempt_subjects(request, address))
        if attempt.wait:
            # Refused before the password is checked: no failure signal, so django-axes
            # counts nothing either, and the attempt costs its sender only the wait.
            security_event(
                "login_throttled",
                request,
                email=mask_email(address),
                retry_after=attempt.wait,
                level=logging.WARNING,
            )
            raise ImmediateHttpResponse(too_many_attempts(request, attempt.wait))
        user = super().authenticate(request, **credentials)
        if user is not None:
            attempt.refund()
        return user
