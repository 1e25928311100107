"""The project's URLconf plus one view that fails, to show the 500 page (tests only)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


@login_not_required
def broken_view(request):
    """Public, so an anonymous request reaches the error it raises."""
    raise RuntimeError("SECRET-DETAIL: this must never reach the response")


urlpatterns = [path("broken/", broken_view), *project_urlpatterns]
