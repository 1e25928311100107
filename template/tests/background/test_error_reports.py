"""Error reports reach ADMINS: queued like all mail, straight to SMTP when the database is down.

Django's mail_admins handler (LOGGING) mails every unhandled exception through
MAILERS["errors"] (background.mail.ErrorReportBackend). The queue is in the database,
so a report about the database being unreachable cannot be queued: it is sent at once,
at most one a minute per process.
"""

import socket

import pytest
from django.core import mail
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from background.sealing import SealedEmail
from tests.conftest import manage, production_env, run_queued_tasks, wait_for

ADMIN = "ops@example.com"


@pytest.fixture
def error_mailers(settings):
    """The project's mailers as settings.py has them, "direct" filling mail.outbox."""
    settings.ADMINS = [ADMIN]
    settings.MAILERS = {
        "default": {
            "BACKEND": "background.mail.QueuedEmailBackend",
            "OPTIONS": {"deliver_with": "direct"},
        },
        "direct": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
        "errors": {
            "BACKEND": "background.mail.ErrorReportBackend",
            "OPTIONS": {"queue_with": "default", "fallback": "direct"},
        },
    }


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.error_urls")
def test_a_server_error_queues_a_report_that_the_worker_mails_to_the_admins(error_mailers):
    response = Client(raise_request_exception=False).get("/broken/", secure=True)

    assert response.status_code == 500
    assert mail.outbox == [], "the report must leave through the queue, not inside the request"
    queued = [SealedEmail(row.args_kwargs["args"][0]) for row in DBTaskResult.objects.all()]
    assert [message.to for message in queued] == [[ADMIN]], "one report, queued for ADMINS"
    run_queued_tasks()
    (report,) = mail.outbox
    assert report.to == [ADMIN]
    assert "Internal Server Error: /broken/" in report.message()["Subject"]
    assert "SECRET-DETAIL" in report.message().as_string(), "the report carries the traceback"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Two failing requests in a process whose database cannot be reached: the first report
# goes straight to SMTP, the second (within the minute) only to the log.
# (Unhashed static names: the manifest exists only after collectstatic.)
TWO_ERRORS_WITHOUT_A_DATABASE = """
from django.conf import settings
from django.test import Client
settings.ROOT_URLCONF = "tests.error_urls"
# The pool gives up on the unreachable database after half a second, not production's
# 10 s (DATABASES' "pool" options): each failing request asks for a connection more than once.
settings.DATABASES["default"]["OPTIONS"]["pool"]["timeout"] = 0.5
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
client = Client(raise_request_exception=False, headers={"host": settings.ALLOWED_HOSTS[0]})
print(*(client.get("/database/", secure=True).status_code for _ in range(2)))
"""


def test_with_the_database_down_a_500_is_mailed_straight_to_the_admins(smtp_server):
    env = production_env(
        DATABASE_URL=f"postgres://app:password@127.0.0.1:{closed_port()}/app",
        EMAIL_URL=smtp_server.url,
        DJANGO_ADMINS=ADMIN,
    )

    result = manage("shell", "--verbosity=0", "-c", TWO_ERRORS_WITHOUT_A_DATABASE, env=env)

    assert result.stdout.split() == ["500", "500"], result.stdout + result.stderr
    wait_for(lambda: smtp_server.received, what="the error report")
    (report,) = smtp_server.received
    assert report.rcpt_tos == [ADMIN]
    assert b"Internal Server Error: /database/" in report.content
    assert b"OperationalError" in report.content, "the report says what failed"
    assert "event=error_report_sent_directly reason=OperationalError" in result.stderr
    assert "event=error_report_dropped reason=OperationalError" in result.stderr, (
        "a second report within the minute must be dropped, not mailed"
    )
