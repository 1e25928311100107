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
"""

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, InvalidMailer
from django.core.mail.backends.base import BaseEmailBackend

from background.sealing import seal

logger = logging.getLogger("background")


class QueuedEmailBackend(BaseEmailBackend):
    """Enqueues each message for the worker; returns as soon as the rows are written."""

    def __init__(
        self, *, deliver_with: str = "direct", fail_silently: bool = False, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)
        mailers = getattr(settings, "MAILERS", {})
        if deliver_with not in mailers or deliver_with == self.alias:
            raise InvalidMailer(
                f"OPTIONS['deliver_with'] must name another entry of MAILERS "
                f"(got {deliver_with!r}).",
                alias=self.alias,
            )
        self.deliver_with = deliver_with
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
