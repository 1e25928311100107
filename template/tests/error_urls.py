"""The project's URLconf plus views that fail, to show the 500 page (tests only)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


@login_not_required
def broken_view(request):
    """Public, so an anonymous request reaches the error it raises."""
    raise RuntimeError("SECRET-DETAIL: this must never reach the response")


@login_not_required
def database_view(request):
    """Reads the database: a 500 when it cannot be reached. Public, as broken_view."""
    return HttpResponse(str(get_user_model().objects.count()))


urlpatterns = [
    path("broken/", broken_view),
    path("database/", database_view),
    *project_urlpatterns,
]
