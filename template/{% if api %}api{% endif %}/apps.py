from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API: Django REST Framework, locked down by default (api/settings.py)."""

    name = "api"
    default_auto_field = "django.db.models.BigAutoField"
