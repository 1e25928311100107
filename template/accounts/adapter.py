"""How django-allauth fits this project (ACCOUNT_ADAPTER and MFA_ADAPTER in settings)."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.mfa import AUTHENTICATOR_TYPES, needs_mfa
from config import project
from security.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The one client IP of the project (security.client_ip), for allauth's rate
        limits, sessions list and notices: a forged X-Forwarded-For entry moves none."""
        address = client_ip(request)
        if address is None:
            raise PermissionDenied("No client address.")
        return address

    def get_reauthentication_methods(self, user: Any) -> list[dict[str, Any]]:
        """The password first, then a second factor (a passkey for accounts without a
        password), and a code by email last: the strongest proof the account has."""
        methods = super().get_reauthentication_methods(user)
        return sorted(methods, key=lambda method: method["id"] == "reauthenticate_by_code")

    def format_email_subject(self, subject: str) -> str:
        return f"[{project.PROJECT_NAME}] {subject}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Password attempts spend the project's failure budgets (accounts.backends),
        not allauth's per-address limit, which anyone could spend to lock an owner out."""


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return project.PROJECT_NAME

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        """Passkeys are for this host (allauth's choice) and carry the project's name."""
        entity = super().get_public_key_credential_rp_entity()
        return {**entity, "name": project.PROJECT_NAME}

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff keep at least one authenticator: the admin needs it."""
        user = authenticator.user
        if not needs_mfa(user) or authenticator.type not in AUTHENTICATOR_TYPES:
            return True
        others = Authenticator.objects.filter(user_id=user.pk, type__in=AUTHENTICATOR_TYPES)
        return others.exclude(pk=authenticator.pk).exists()
