"""URL routes. The admin's path comes from settings (DJANGO_ADMIN_URL_PATH)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from core import views
from core.csp_reports import csp_report

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("csp-report/", csp_report, name="csp-report"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(f"{settings.ADMIN_URL_PATH}/", admin.site.urls),
]
