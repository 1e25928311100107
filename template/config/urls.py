"""URL routes: each app's own, the optional parts', and the admin at its own path."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import parts

# A denied permission is logged as a security event before the 403 page.
handler403 = "pages.views.permission_denied"
# django-allauth's rate limits answer with the page every refused attempt gets.
handler429 = "accounts.throttled.handler429"

urlpatterns = [
    # Home, favicon, security.txt.
    path("", include("pages.urls")),
    # Where browsers report Content-Security-Policy violations; the health check.
    path("", include("security.urls")),
    # Sign up, sign in and out, passwords, email, two-factor, sessions (django-allauth);
    # "Your data" (export and erasure).
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("privacy.urls")),
    # The optional parts this project was rendered with (config/parts.py).
    *[path(prefix, include(urlconf)) for prefix, urlconf in parts.URLS.items()],
    # The admin, at the path chosen for this project (DJANGO_ADMIN_URL_PATH).
    path(f"{settings.ADMIN_URL_PATH}/", admin.site.urls),
    # --- Your routes: add them below this line; template releases never edit it. ---
]
