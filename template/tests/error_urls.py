"""The project's URLconf plus one view that fails, to show the 500 page (tests only)."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def broken_view(request):
    raise RuntimeError("SECRET-DETAIL: this must never reach the response")


urlpatterns = [path("broken/", broken_view), *project_urlpatterns]
