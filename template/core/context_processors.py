"""Template context shared by every page."""

from django.http import HttpRequest

from config import project


def project_name(request: HttpRequest) -> dict[str, str]:
    """The project's name for page titles; Django's autoescaping makes any text safe."""
    return {"project_name": project.PROJECT_NAME}
