"""The Procfile's worker as a process of its own, stopped and killed as Heroku does.

Heroku restarts every dyno daily: SIGTERM, then SIGKILL 30 s later. Crashes and
memory limits kill a worker outright. These tests run the worker command from the
Procfile against this test database (a file on SQLite, so the worker shares it) and
an SMTP server on 127.0.0.1, and show what becomes of the mail it was sending.
"""

import signal
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import wait_for

HEROKU_STOP_GRACE = 30  # seconds between SIGTERM and SIGKILL

# Slow: each test starts worker processes (`pytest -m "not slow"` leaves them out).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def queue_mail(subject: str = "Reset your password") -> DBTaskResult[Any, Any]:
    mail.send_mail(subject, "Body", None, ["ada@example.com"])
    return DBTaskResult.objects.latest("enqueued_at")


def status(result: DBTaskResult[Any, Any]) -> str:
    result.refresh_from_db()
    return str(result.status)


def subjects(smtp_server) -> list[str]:
    return [envelope.content.split(b"Subject: ")[1].split(b"\r\n")[0].decode()
            for envelope in smtp_server.received]  # fmt: skip


def test_worker_killed_mid_send_leaves_the_mail_to_the_next_worker(
    queued_mail, smtp_server, start_worker, settings
):
    smtp_server.delay = 30  # the provider hangs: the worker is mid-send when it dies
    first = start_worker(smtp_server.url)
    result = queue_mail()
    wait_for(lambda: smtp_server.attempts == 1, what="the worker to start sending")

    first.stop(signal.SIGKILL)

    assert status(result) == TaskResultStatus.RUNNING, "a killed worker cannot tidy up"
    # Time passes: three time limits, after which no live worker can still hold it.
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - timedelta(seconds=3 * settings.BACKGROUND_TASK_TIME_LIMIT + 1)
    )
    smtp_server.delay = 0
    second = start_worker(smtp_server.url)
    wait_for(lambda: status(result) == TaskResultStatus.SUCCESSFUL, what="the second worker")

    assert subjects(smtp_server) == ["Reset your password"]
    assert len(result.worker_ids) == 2, "run by the killed worker, then by the next"
    assert f"event=task_requeued task_id={result.pk}" in second.output()


def test_sigterm_mid_send_lets_the_worker_finish_within_heroku_s_grace(
    queued_mail, smtp_server, start_worker
):
    smtp_server.delay = 1.5
    worker = start_worker(smtp_server.url)
    result = queue_mail()
    wait_for(lambda: smtp_server.attempts == 1, what="the worker to start sending")

    seconds = worker.stop(signal.SIGTERM, grace=HEROKU_STOP_GRACE)

    assert worker.process.returncode == 0, worker.output()
    assert seconds < HEROKU_STOP_GRACE, f"took {seconds:.1f} s: Heroku would SIGKILL"
    assert status(result) == TaskResultStatus.SUCCESSFUL
    assert subjects(smtp_server) == ["Reset your password"]


def test_mail_queued_with_no_worker_fails_the_queue_check_until_a_worker_sends_it(
    queued_mail, smtp_server, start_worker
):
    start_worker(smtp_server.url).stop(signal.SIGTERM)  # a restart: the old worker is gone
    result = queue_mail()
    # Six minutes pass with no worker.
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=6))
    with pytest.raises(CommandError, match="no worker is taking tasks"):
        call_command("check_queue")

    start_worker(smtp_server.url)
    wait_for(lambda: status(result) == TaskResultStatus.SUCCESSFUL, what="the new worker")

    assert subjects(smtp_server) == ["Reset your password"]
    call_command("check_queue")
