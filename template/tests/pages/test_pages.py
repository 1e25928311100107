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
