from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces: the home page, security.txt and the shared cache table."""

    name = "core"
