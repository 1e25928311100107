from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Data rights: the registry of what belongs to a user, its export and its erasure."""

    name = "privacy"
