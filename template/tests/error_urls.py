"""The project's URLconf plus views that fail, to show the 500 page (tests only)."""

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def broken_view(request):
    raise RuntimeError("SECRET-DETAIL: this must never reach the response")


def database_view(request):
    """Reads the database: a 500 when it cannot be reached."""
    return HttpResponse(str(get_user_model().objects.count()))


urlpatterns = [
    path("broken/", broken_view),
    path("database/", database_view),
    *project_urlpatterns,
]
