"""The task queue, on the database backend: mail off the request, retries, recovery.

The worker's own loop runs in this process here (run_queued_tasks); tests/background/test_worker.py
runs the Procfile's worker as a process of its own and kills it.
"""

import logging
import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.checks import check_queue_in_production
from background.queue import recover_abandoned
from background.sealing import SealedEmail, seal
from tests.conftest import manage, production_env, run_queued_tasks

pytestmark = pytest.mark.django_db


def plain_text(message) -> str:
    return message.message().get_body(("plain",)).get_content()


def request_reset(client, email):
    return client.post("/accounts/password/reset/", {"email": email}, secure=True)


# --- Every email through the queue ----------------------------------------------------


def test_production_settings_send_every_mail_through_the_queue_then_smtp():
    """What settings.py configures (the test runner swaps every mailer for locmem)."""
    code = (
        "from django.conf import settings; m = settings.MAILERS; d = m['default']; "
        "print(d['BACKEND'], m[d['OPTIONS']['deliver_with']]['BACKEND'], "
        "settings.TASKS['default']['BACKEND'])"
    )
    result = manage("shell", "--verbosity=0", "-c", code, env=production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "background.mail.QueuedEmailBackend",
        "django.core.mail.backends.smtp.EmailBackend",
        "django_tasks_db.DatabaseBackend",
    ]


def test_password_reset_mail_is_queued_not_sent_during_the_request(client, user, queued_mail):
    response = request_reset(client, "ada@example.com")

    assert response.status_code == 302
    assert mail.outbox == [], "the request must not send mail itself"
    (queued,) = DBTaskResult.objects.all()
    assert (queued.task_path, queued.status) == ("background.tasks.send_email", "READY")


def test_worker_sends_the_queued_reset_mail_with_a_working_link(client, user, queued_mail):
    request_reset(client, "ada@example.com")

    run_queued_tasks()

    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    link = re.search(r"https://testserver(/accounts/password/reset/key/\S+/)", plain_text(message))
    assert link, plain_text(message)
    form = client.get(link.group(1), secure=True, follow=True)
    assert b'name="password1"' in form.content
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_unknown_address_is_told_through_the_queue_too(client, user, queued_mail):
    """The same work for an unknown address (a mail saying so): nothing to time apart."""
    request_reset(client, "nobody@example.com")

    run_queued_tasks()

    assert [message.to for message in mail.outbox] == [["nobody@example.com"]]


def test_mail_from_a_rolled_back_transaction_is_never_sent(queued_mail):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.send_mail("Welcome", "Body", None, ["ada@example.com"])
        raise RuntimeError("the request failed after sending")

    run_queued_tasks()

    assert not DBTaskResult.objects.exists()
    assert mail.outbox == []


def test_queued_message_is_unreadable_in_the_task_table(queued_mail):
    mail.send_mail("Reset your password", "https://example.com/reset/MQ/secret-token/", None,
                   ["ada@example.com"], html_message="<p>html</p>")  # fmt: skip

    stored = str(DBTaskResult.objects.values_list("args_kwargs", flat=True).get())
    for secret in ("ada@example.com", "secret-token", "Reset your password"):
        assert secret not in stored, f"{secret!r} readable in the task table"


def test_message_sent_by_the_worker_is_the_one_queued(queued_mail):
    original = mail.EmailMultiAlternatives(
        "Subject é", "Body", "from@example.com", ["to@example.com"], bcc=["hidden@example.com"]
    )
    original.attach_alternative("<p>Body</p>", "text/html")
    original.send()

    run_queued_tasks()

    (sent,) = mail.outbox
    assert sent.to == ["to@example.com", "hidden@example.com"], "the envelope keeps the Bcc"
    assert "hidden@example.com" not in sent.message().as_string(), "no Bcc header"
    assert sent.message()["Subject"] == "Subject é"
    assert plain_text(sent) == "Body\n"


def test_message_sealed_before_a_key_rotation_still_opens(settings):
    sealed = seal(mail.EmailMessage("Subject", "Body", "a@example.com", ["b@example.com"]))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation-" + "x" * 40

    assert SealedEmail(sealed).to == ["b@example.com"]


# --- Retries with backoff -------------------------------------------------------------


@pytest.fixture
def smtp_mail(settings, smtp_server):
    """The queue delivers through SMTP, to the test's SMTP server."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "background.mail.QueuedEmailBackend",
            "OPTIONS": {"deliver_with": "direct"},
        },
        "direct": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        },
    }
    return smtp_server


def make_next_attempt_due() -> DBTaskResult:
    """The waiting retry, made due now, as if its delay had passed."""
    (retry,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    return retry


def test_refused_mail_is_retried_with_backoff_then_given_up_with_an_error_line(
    settings, smtp_mail, caplog
):
    smtp_mail.refusal = "451 4.3.0 Try again later"
    mail.send_mail("Subject", "Body", None, ["ada@example.com"])

    delays = []
    run_queued_tasks()
    for _ in settings.BACKGROUND_EMAIL_RETRY_DELAYS:
        retry = make_next_attempt_due()
        delays.append(round((retry.run_after - retry.enqueued_at).total_seconds()))
        run_queued_tasks()

    assert delays == settings.BACKGROUND_EMAIL_RETRY_DELAYS == [30, 120, 480, 1920]
    assert smtp_mail.attempts == 5
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists(), "bounded"
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1
    gave_up = [r for r in caplog.records if "event=email_gave_up" in r.getMessage()]
    assert [r.levelno for r in gave_up] == [logging.ERROR]
    assert "attempts=5" in gave_up[0].getMessage()


def test_mail_refused_once_is_delivered_by_the_next_attempt(smtp_mail):
    smtp_mail.refusal = "421 4.7.0 Too busy"
    mail.send_mail("Subject", "Body", None, ["ada@example.com"])
    run_queued_tasks()
    smtp_mail.refusal = None

    make_next_attempt_due()
    run_queued_tasks()

    assert [envelope.rcpt_tos for envelope in smtp_mail.received] == [["ada@example.com"]]


# --- Tasks a dead worker left RUNNING -----------------------------------------------


def left_running(minutes_ago: float, runs: int) -> DBTaskResult:
    """A queued mail whose worker claimed it `minutes_ago` and then died."""
    mail.send_mail("Subject", "Body", None, ["ada@example.com"])
    result = DBTaskResult.objects.get()
    result.status = TaskResultStatus.RUNNING
    result.started_at = timezone.now() - timedelta(minutes=minutes_ago)
    result.worker_ids = [f"dead-worker-{n}" for n in range(runs)]
    result.save()
    return result


def test_task_of_a_dead_worker_is_requeued_and_sent(queued_mail, caplog):
    result = left_running(minutes_ago=2, runs=1)

    run_queued_tasks()

    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 1
    assert any("event=task_requeued" in r.getMessage() for r in caplog.records)


def test_task_that_lost_its_worker_three_times_is_failed_with_an_error_line(queued_mail, caplog):
    result = left_running(minutes_ago=2, runs=3)

    assert recover_abandoned() == (0, 1)

    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path == "background.queue.WorkerDied"
    (line,) = [r for r in caplog.records if "event=task_abandoned" in r.getMessage()]
    assert line.levelno == logging.ERROR


def test_task_running_within_its_time_limit_is_left_alone(queued_mail, settings):
    result = left_running(minutes_ago=settings.BACKGROUND_TASK_TIME_LIMIT * 2 / 60, runs=1)

    assert recover_abandoned() == (0, 0)

    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING


@task
def sleep_for(seconds: float) -> None:
    time.sleep(seconds)


def test_worker_interrupts_a_task_at_the_time_limit(settings):
    settings.BACKGROUND_TASK_TIME_LIMIT = 0.5
    started = time.monotonic()
    sleep_for.enqueue(10)

    run_queued_tasks()

    assert time.monotonic() - started < 5
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path.endswith("TaskTimeLimitExceeded")


# --- Noticing a queue that no worker takes from ---------------------------------------


def queue_mail_minutes_ago(minutes: float) -> None:
    mail.send_mail("Subject", "Body", None, ["ada@example.com"])
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=minutes))


def test_queue_check_fails_when_mail_waits_longer_than_the_max_age(queued_mail):
    queue_mail_minutes_ago(6)

    with pytest.raises(CommandError, match="heroku ps:scale worker=1"):
        call_command("check_queue")


def test_queue_check_passes_while_mail_waits_less_than_the_max_age(queued_mail, capsys):
    queue_mail_minutes_ago(1)

    call_command("check_queue")

    assert "Queue OK" in capsys.readouterr().out


def test_mail_queued_behind_stalled_work_logs_an_error_line(queued_mail, caplog):
    queue_mail_minutes_ago(6)

    mail.send_mail("Subject", "Body", None, ["grace@example.com"])

    (line,) = [r for r in caplog.records if "event=queue_stalled" in r.getMessage()]
    assert line.levelno == logging.ERROR


# --- The deploy check -----------------------------------------------------------------


def test_deploy_check_refuses_tasks_run_inside_the_request(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    assert [error.id for error in check_queue_in_production(None)] == ["background.E001"]


def test_deploy_check_refuses_a_console_mailer_behind_the_queue(settings, queued_mail):
    settings.MAILERS["direct"] = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}

    assert [error.id for error in check_queue_in_production(None)] == ["background.E002"]


def test_deploy_check_passes_the_production_queue(settings, queued_mail):
    settings.MAILERS["direct"] = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}

    assert check_queue_in_production(None) == []
