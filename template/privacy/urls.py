"""Data rights, under /accounts/ (config/urls.py)."""

from django.urls import path
from django.views.generic import TemplateView

from privacy import views

urlpatterns = [
    # Export everything as JSON, or delete the account (README, "Accounts and the admin").
    path("data/", views.AccountDataView.as_view(), name="account_data"),
    path(
        "deleted/",
        TemplateView.as_view(template_name="privacy/account_deleted.html"),
        name="account_deleted",
    ),
]
