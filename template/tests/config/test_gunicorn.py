"""gunicorn as the Procfile runs it (gunicorn.conf.py): Heroku's router in mind."""

import runpy
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.conftest import PROJECT_DIR


@pytest.fixture(scope="module")
def gunicorn_settings() -> dict:
    return runpy.run_path(str(PROJECT_DIR / "gunicorn.conf.py"))


def test_idle_connections_outlast_the_routers_90_seconds(gunicorn_settings):
    assert gunicorn_settings["keepalive"] > 90


def test_only_x_forwarded_proto_is_believed_from_the_router(gunicorn_settings):
    assert gunicorn_settings["secure_scheme_headers"] == {"X-FORWARDED-PROTO": "https"}


def test_no_header_may_set_script_name_or_path_info(gunicorn_settings):
    assert gunicorn_settings["forwarder_headers"] == ""
    assert gunicorn_settings["header_map"] == "drop"


def test_one_client_may_hold_half_of_a_workers_threads(gunicorn_settings):
    assert gunicorn_settings["worker_class"] == "gthread"
    assert gunicorn_settings["threads"] == settings.CLIENT_CONCURRENCY * 2


def test_database_pool_is_smaller_than_the_threads_that_share_it(gunicorn_settings):
    assert gunicorn_settings["threads"] > settings.DB_POOL_SIZE


def test_access_log_goes_through_the_redacting_logger(gunicorn_settings):
    from gunicorn.util import load_class

    from security.access_log import RedactingLogger

    assert load_class(gunicorn_settings["logger_class"]) is RedactingLogger


def test_gunicorn_marks_repeated_forwarded_lines_before_every_request(gunicorn_settings):
    from security.forwarded import LINES

    request = SimpleNamespace(
        headers=[("X-FORWARDED-FOR", "198.51.100.7, 203.0.113.9"), ("X-FORWARDED-FOR", "192.0.2.1")]
    )

    gunicorn_settings["pre_request"](None, request)

    assert (LINES, "2") in request.headers
