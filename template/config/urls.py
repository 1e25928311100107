"""URL routes. The admin's path comes from settings (DJANGO_ADMIN_URL_PATH)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from config import project
from core import views
from core.csp_reports import csp_report
from users import views as account_views

# A denied permission is logged as a security event before the 403 page.
handler403 = "core.views.permission_denied"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("csp-report/", csp_report, name="csp-report"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    # POST only (Django refuses GET), so no link or image on another site can log you out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Data rights: export everything as JSON, or delete the account (docs: Data rights).
    path("accounts/data/", account_views.AccountDataView.as_view(), name="account_data"),
    path(
        "accounts/deleted/",
        TemplateView.as_view(template_name="registration/account_deleted.html"),
        name="account_deleted",
    ),
    # The example upload feature (docs: Private media on S3, "Removing the example").
    path("documents/", include("documents.urls")),
    path(f"{settings.ADMIN_URL_PATH}/", admin.site.urls),
]

if project.API:
    # The REST API (api/), rendered only when the project was created with it.
    urlpatterns.append(path("api/", include("api.urls")))
