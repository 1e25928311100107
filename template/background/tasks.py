"""The tasks the project queues. Keep each one short and safe to run twice.

A task runs at least once: the worker that ran it may die after the work was done but
before the row says so, and the next worker then runs it again (background/queue.py).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import mailers
from django.tasks import task
from django.utils import timezone

from background.sealing import SealedEmail

logger = logging.getLogger("background")


@task
def send_email(sealed: str, *, mailer: str = "direct", attempt: int = 1) -> str:
    """Send one queued message with `mailer`; on a network or SMTP error, try again later.

    A failed attempt queues the next one after the next delay of
    BACKGROUND_EMAIL_RETRY_DELAYS (seconds) and ends normally, so a passing outage at
    the provider is a warning, not an error; after the last delay the task gives up,
    logs an error and fails. Every attempt sends the same message (same Message-ID),
    so a receiving server can recognise a repeat.
    """
    message = SealedEmail(sealed)
    try:
        mailers[mailer].send_messages([message])
    except OSError as error:  # smtplib's errors, refused connections, timeouts
        delays = settings.BACKGROUND_EMAIL_RETRY_DELAYS
        backend = send_email.get_backend()
        # The class and SMTP code (451 busy, 535 bad credentials...), never the text,
        # which may quote an address.
        reason = f"{type(error).__name__}:{getattr(error, 'smtp_code', '-')}"
        if attempt > len(delays) or not backend.supports_defer:
            logger.error(
                "event=email_gave_up attempts=%d recipients=%d error=%s",
                attempt, len(message.to), reason,
            )  # fmt: skip
            raise
        delay = delays[attempt - 1]
        retry = send_email.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            sealed, mailer=mailer, attempt=attempt + 1
        )
        logger.warning(
            "event=email_retry_scheduled attempt=%d next_in=%ds next_task_id=%s error=%s",
            attempt, delay, retry.id, reason,
        )  # fmt: skip
        return f"attempt {attempt} failed ({reason}); retry {retry.id} in {delay} s"
    return f"sent on attempt {attempt}"
