"""The site-wide pages: security.txt and the favicon."""

from datetime import UTC, datetime, timedelta

import pytest

from config import project

pytestmark = pytest.mark.django_db


def test_security_txt_names_the_contact_and_a_future_expiry(client):
    response = client.get("/.well-known/security.txt", secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == f"mailto:{project.SECURITY_CONTACT_EMAIL}"
    expires = datetime.fromisoformat(fields["Expires"])
    now = datetime.now(UTC)
    assert now < expires < now + timedelta(days=365), "RFC 9116: less than a year ahead"


def test_favicon_ico_points_at_the_site_icon(client):
    response = client.get("/favicon.ico", secure=True)

    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")


def test_an_app_adds_header_links_for_signed_in_users(client, user, monkeypatch):
    from django.apps import apps

    # Any installed app may list links on its AppConfig; privacy stands in for yours.
    privacy = apps.get_app_config("privacy")
    monkeypatch.setattr(privacy, "header_links", (("Export", "account_data"),), raising=False)
    client.force_login(user)

    page = client.get("/", secure=True).content.decode()

    assert '<a href="/accounts/data/">Export</a>' in page


def test_header_links_are_for_signed_in_users_only(client, monkeypatch):
    from django.apps import apps

    privacy = apps.get_app_config("privacy")
    monkeypatch.setattr(privacy, "header_links", (("Export", "account_data"),), raising=False)

    assert "Export" not in client.get("/", secure=True).content.decode()
