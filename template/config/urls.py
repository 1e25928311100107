"""URL routes. The admin's path comes from settings (DJANGO_ADMIN_URL_PATH)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(f"{settings.ADMIN_URL_PATH}/", admin.site.urls),
]
