"""Every email leaves the request through the task queue.

`QueuedEmailBackend` is the default mailer (MAILERS["default"]), so every sender uses
it without knowing: Django's password reset, any library's mail, `send_mail()`. For
each message it seals the finished MIME message and its envelope (from, every
recipient) and enqueues `background.tasks.send_email` in the current database
transaction: a request that rolls back sends nothing, and the request never waits
for the mail server. The worker opens the message and hands it, byte for byte, to
the mailer named by OPTIONS["deliver_with"] (SMTP in production).

Sealed means encrypted and authenticated (background/sealing.py): nobody who can read
the task table can read a queued message.

`ErrorReportBackend` carries Django's error reports to ADMINS (LOGGING's mail_admins
handler): through the queue like every message, and straight to SMTP when the queue
cannot take them, which is when the error is the database itself.
"""

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, InvalidMailer, mailers
from django.core.mail.backends.base import BaseEmailBackend

from background.sealing import seal

logger = logging.getLogger("background")


def _other_mailer(alias: str, option: str, name: str) -> str:
    """`name`, when it is an entry of MAILERS other than `alias` (the mailer configured
    with it): a mailer that hands its messages on to itself would loop forever."""
    if name not in getattr(settings, "MAILERS", {}) or name == alias:
        raise InvalidMailer(
            f"OPTIONS[{option!r}] must name another entry of MAILERS (got {name!r}).",
            alias=alias,
        )
    return name


class QueuedEmailBackend(BaseEmailBackend):
    """Enqueues each message for the worker; returns as soon as the rows are written."""

    alias: str  # the MAILERS entry; set by Django 6.1 (django-stubs 6.1.2 lacks it)

    def __init__(
        self, *, deliver_with: str = "direct", fail_silently: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.deliver_with = _other_mailer(self.alias, "deliver_with", deliver_with)
        self.fail_silently = fail_silently

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from background.queue import stalled
        from background.tasks import send_email

        queued = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                send_email.enqueue(seal(message), mailer=self.deliver_with)
            except Exception:
                if not self.fail_silently:
                    raise
                logger.exception("event=email_not_queued")
                continue
            queued += 1
        if queued:
            stalled()  # logs an error when no worker is taking tasks
        return queued


class ErrorReportBackend(BaseEmailBackend):
    """Error reports to ADMINS: queued, or sent at once when the queue is down.

    The queue lives in the database, and the error being reported may be that the
    database is unreachable: then nothing can be queued. Such a report goes straight
    to OPTIONS["fallback"] (SMTP), at most one every OPTIONS["fallback_interval"]
    seconds per process, so an outage that fails every request sends a handful of
    reports, not one per request, and requests do not queue up behind the mail
    server. A report never raises: the request it describes has already failed.
    """

    alias: str  # the MAILERS entry; set by Django 6.1 (django-stubs 6.1.2 lacks it)

    _last_direct = -float("inf")  # time.monotonic() of this process's last direct report
    _lock = threading.Lock()

    def __init__(
        self,
        *,
        queue_with: str = "default",
        fallback: str = "direct",
        fallback_interval: float = 60,
        fail_silently: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.queue_with = _other_mailer(self.alias, "queue_with", queue_with)
        self.fallback = _other_mailer(self.alias, "fallback", fallback)
        self.fallback_interval = fallback_interval

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        try:
            return mailers[self.queue_with].send_messages(email_messages)
        except Exception as error:  # the database (and so the queue) is down, most likely
            reason = type(error).__name__
        if not self._direct_report_due():
            logger.error("event=error_report_dropped reason=%s", reason)
            return 0
        try:
            sent = mailers[self.fallback].send_messages(email_messages)
        except Exception as error:
            logger.error(
                "event=error_report_dropped reason=%s direct=%s", reason, type(error).__name__
            )
            return 0
        logger.warning("event=error_report_sent_directly reason=%s", reason)
        return sent

    def _direct_report_due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - ErrorReportBackend._last_direct < self.fallback_interval:
                return False
            ErrorReportBackend._last_direct = now
            return True
