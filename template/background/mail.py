"""Every email leaves the request through the task queue.

`QueuedEmailBackend` is the default mailer (MAILERS["default"]), so every sender uses
it without knowing: Django's password reset, any library's mail, `send_mail()`. For
each message it seals the finished MIME message and its envelope (from, every
recipient) and enqueues `background.tasks.send_email` in the current database
transaction: a request that rolls back sends nothing, and the request never waits
for the mail server. The worker opens the message and hands it, byte for byte, to
the mailer named by OPTIONS["deliver_with"] (SMTP in production).

Sealed means encrypted and authenticated (Fernet, with a key derived from SECRET_KEY;
SECRET_KEY_FALLBACKS still open messages sealed before a rotation): a queued message
holds a password-reset link and addresses, and neither may be read from the task
table by anyone who can see it (a database dump, a dataclip, the admin's task list).
"""

import base64
import email
import email.policy
import json
import logging
from collections.abc import Sequence
from email.message import Message

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.mail import EmailMessage, InvalidMailer
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.crypto import salted_hmac

logger = logging.getLogger("background")

SEAL_SALT = "background.mail.sealed-message"


def _sealer() -> MultiFernet:
    """Encrypts with SECRET_KEY's derived key; opens with it or any fallback's."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(salted_hmac(SEAL_SALT, "", secret=key,
                                                        algorithm="sha256").digest()))
            for key in keys
        ]
    )  # fmt: skip


def seal(message: EmailMessage) -> str:
    """The finished MIME message (headers, Message-ID, parts) and its envelope, sealed."""
    payload = {
        "from": message.from_email,
        "recipients": message.recipients(),
        "mime": base64.b64encode(message.message().as_bytes()).decode(),
    }
    return _sealer().encrypt(json.dumps(payload).encode()).decode()


class SealedEmail(EmailMessage):
    """A sealed message opened again: sends exactly the MIME message that was queued.

    `to` holds the whole envelope (Bcc included); the headers are the original ones.
    """

    def __init__(self, sealed: str) -> None:
        payload = json.loads(_sealer().decrypt(sealed.encode()))
        super().__init__(from_email=payload["from"], to=payload["recipients"])
        self.mime = base64.b64decode(payload["mime"])

    def message(self, *, policy: email.policy.Policy = email.policy.default) -> Message:
        return email.message_from_bytes(self.mime, policy=policy)


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
