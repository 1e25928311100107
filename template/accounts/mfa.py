"""Two-factor facts the admin and the staff rule rely on (django-allauth's mfa app).

An authenticator is a TOTP app or a passkey (WebAuthn); recovery codes back them up
but are not one on their own. allauth records in the session how it was signed in
(get_authentication_records): a session "completed MFA" when one of those records is
a second factor, at login or at a reauthentication since.
"""

from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

AUTHENTICATOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def needs_mfa(user: Any) -> bool:
    """Staff and superusers must have an authenticator: they hold the admin's keys."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def has_authenticator(user: Any) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=AUTHENTICATOR_TYPES).exists()


def session_completed_mfa(request: HttpRequest) -> bool:
    """This session proved a second factor (a code, a passkey) for its user."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)
