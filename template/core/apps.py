from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    """Site-wide pieces: pages, the client-IP helper, security logging, view mixins."""

    name = "core"
    default = True

    def ready(self) -> None:
        # Connects the receivers that log logins, failures, lockouts and logouts.
        from core import security_log  # noqa: F401


class SecondFactorAdminConfig(admin_apps.AdminConfig):
    """The admin, whose default site asks staff for a TOTP code after the password."""

    default = False  # installed by its full path in INSTALLED_APPS, not as "core"
    default_site = "core.admin_site.SecondFactorAdminSite"
