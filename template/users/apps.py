from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class UsersConfig(AppConfig):
    """Accounts: the email-login User model, its admin, account pages and lockout."""

    name = "users"


class SecondFactorAdminConfig(admin_apps.AdminConfig):
    """The admin, whose default site asks staff for a TOTP code after the password."""

    default = False  # installed by its full path in INSTALLED_APPS, not as "users"
    default_site = "users.admin_site.SecondFactorAdminSite"
