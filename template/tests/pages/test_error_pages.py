"""Error pages are the project's own and leak nothing."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_404_page_is_custom_and_plain(client):
    response = client.get("/no/such/page/", secure=True)

    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"no/such/page" not in response.content


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_500_page_leaks_no_detail():
    client = Client(raise_request_exception=False)

    response = client.get("/broken/", secure=True)

    assert response.status_code == 500
    assert b"Server error" in response.content
    assert b"SECRET-DETAIL" not in response.content
    assert b"Traceback" not in response.content


def test_400_page_for_a_bad_host_names_nothing(client):
    response = client.get("/", secure=True, headers={"host": "evil.example"})

    assert response.status_code == 400
    assert b"Bad request" in response.content
    assert b"evil.example" not in response.content


def test_csrf_failure_page_is_custom_and_csp_clean():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {}, secure=True)

    assert response.status_code == 403
    assert b"The form could not be verified" in response.content
    assert b"<style" not in response.content
