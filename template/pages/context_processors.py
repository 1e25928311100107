"""Template context shared by every page."""

from django.apps import apps
from django.http import HttpRequest

from config import project


def project_name(request: HttpRequest) -> dict[str, str]:
    """The project's name for page titles; Django's autoescaping makes any text safe."""
    return {"project_name": project.PROJECT_NAME}


def header_links(request: HttpRequest) -> dict[str, list[tuple[str, str]]]:
    """The links installed apps add to the header for signed-in users.

    An app lists them on its AppConfig as (label, URL name) pairs, e.g.
    `header_links = (("Notes", "notes:list"),)`: templates/base.html shows them, and
    neither base.html nor this module needs to know the app.
    """
    links = [link for app in apps.get_app_configs() for link in getattr(app, "header_links", ())]
    return {"header_links": links}
