from django.apps import AppConfig


class UsersConfig(AppConfig):
    """Accounts: a custom User model whose login is the email address."""

    name = "users"
