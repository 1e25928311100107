from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    """Signing in, on django-allauth: sign-up, verification, MFA, sessions, throttles."""

    name = "accounts"

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from allauth.core.internal import ratelimit
        from allauth.mfa.models import Authenticator
        from allauth.usersessions.models import UserSession

        from accounts import receivers  # noqa: F401 (connects the signal receivers)
        from security.cache import counters

        # allauth counts its rate limits in django.core.cache.cache, which culls live
        # entries past 300 rows; they belong with the other counters (security.cache).
        # allauth has no setting for it (tests/accounts/test_budgets.py checks it holds).
        ratelimit.cache = counters
        from privacy import personal_data

        # allauth's rows of a user are theirs: exported on request, erased with them.
        # Never an authenticator's secret, only what it is and when it was used.
        personal_data.register(
            EmailAddress, owner_field="user", fields=("email", "verified", "primary")
        )
        personal_data.register(
            Authenticator, owner_field="user", fields=("type", "created_at", "last_used_at")
        )
        personal_data.register(
            UserSession,
            owner_field="user",
            fields=("ip", "user_agent", "created_at", "last_seen_at"),
        )


class AdminConfig(admin_apps.AdminConfig):
    """The admin, whose default site opens only for a session that completed MFA."""

    default = False  # installed by its full path in INSTALLED_APPS, not as "accounts"
    default_site = "accounts.admin_site.MFAAdminSite"
