"""Sealed messages: a finished email, encrypted and authenticated for the task table.

A queued message holds a password-reset link and addresses, and neither may be read
from the task table by anyone who can see it (a database dump, a dataclip, the admin's
task list). `seal()` encrypts the finished MIME message and its envelope with Fernet,
under a key derived from SECRET_KEY; `SealedEmail` opens it again in the worker, with
that key or any of SECRET_KEY_FALLBACKS (messages sealed before a rotation).
"""

import base64
import email
import email.policy
import json
from email.message import EmailMessage as MIMEMessage
from typing import cast

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.crypto import salted_hmac

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

    def message(self, *, policy: email.policy.Policy | None = None) -> MIMEMessage:
        parsed = email.message_from_bytes(self.mime, policy=policy or email.policy.default)
        return cast(MIMEMessage, parsed)  # the default policy parses into EmailMessage
