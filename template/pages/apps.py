from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Site-wide pages: home, favicon, security.txt, error pages, the header's links."""

    name = "pages"
