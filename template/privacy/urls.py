"""Data rights, under /accounts/ (config/urls.py)."""

from django.urls import path

from privacy import views

urlpatterns = [
    # Export everything as JSON, or delete the account (README, "Accounts and the admin").
    path("data/", views.AccountDataView.as_view(), name="account_data"),
    path("deleted/", views.AccountDeletedView.as_view(), name="account_deleted"),
]
