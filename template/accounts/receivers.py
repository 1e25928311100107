"""What happens around a sign-in event: security log lines, sessions ended, notices.

Connected in AccountsConfig.ready(). django-allauth sends the security notices itself
(ACCOUNT_EMAIL_NOTIFICATIONS: password changed, set or reset, email changed, an
authenticator or passkey added or removed); the account's erasure is told here.
"""

import logging
from typing import Any

from allauth.account import signals as account_signals
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.mail import EmailMessage
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts import devices
from config import project
from privacy.signals import account_erased
from security.log import mask_email, security_event


@receiver(user_logged_in, dispatch_uid="accounts_remember_device")
def remember_device(
    sender: object, request: HttpRequest | None, user: Any, **kwargs: object
) -> None:
    """Every sign-in (password, passkey, emailed code) makes this browser known to the account."""
    if request is not None and user.email:
        devices.remember_device(request, user.email)


def end_other_sessions(request: HttpRequest | None, user: Any) -> int:
    """End every session of `user` but this request's; how many were ended."""
    current = getattr(getattr(request, "session", None), "session_key", None)
    others = [s for s in UserSession.objects.filter(user_id=user.pk) if s.session_key != current]
    for session in others:
        session.end()
    return len(others)


@receiver(account_signals.password_changed, dispatch_uid="accounts_password_changed")
@receiver(account_signals.password_set, dispatch_uid="accounts_password_set")
def password_changed(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
    """A new password ends every other session at once (the API's tokens die with it,
    users.signals), rather than when each is next used."""
    ended = end_other_sessions(request, user)
    security_event("password_changed", request, user_id=user.pk, sessions_ended=ended)


@receiver(account_signals.password_reset, dispatch_uid="accounts_password_reset")
def password_reset(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
    ended = end_other_sessions(request, user)
    security_event("password_reset_completed", request, user_id=user.pk, sessions_ended=ended)


@receiver(account_signals.user_signed_up, dispatch_uid="accounts_signed_up")
def signed_up(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
    security_event("signed_up", request, user_id=user.pk)


@receiver(account_signals.email_confirmed, dispatch_uid="accounts_email_verified")
def email_verified(
    sender: object, request: HttpRequest, email_address: Any, **kwargs: object
) -> None:
    security_event("email_verified", request, user_id=email_address.user_id)


@receiver(account_signals.email_changed, dispatch_uid="accounts_email_changed")
def email_changed(
    sender: object, request: HttpRequest, user: Any, to_email_address: Any, **kwargs: object
) -> None:
    security_event(
        "email_changed", request, user_id=user.pk, email=mask_email(to_email_address.email)
    )


@receiver(mfa_signals.authenticator_added, dispatch_uid="accounts_mfa_added")
def authenticator_added(
    sender: object, request: HttpRequest, user: Any, authenticator: Any, **kwargs: object
) -> None:
    security_event("second_factor_added", request, user_id=user.pk, type=authenticator.type)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="accounts_mfa_removed")
def authenticator_removed(
    sender: object, request: HttpRequest, user: Any, authenticator: Any, **kwargs: object
) -> None:
    security_event(
        "second_factor_removed",
        request,
        user_id=user.pk,
        type=authenticator.type,
        level=logging.WARNING,
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="accounts_mfa_failed")
def second_factor_failed(
    sender: object, request: HttpRequest, user: Any, authenticator: Any, **kwargs: object
) -> None:
    security_event(
        "second_factor_failed",
        request,
        user_id=user.pk,
        type=authenticator.type,
        level=logging.WARNING,
    )


@receiver(account_erased, dispatch_uid="accounts_erased_notice")
def account_deleted_notice(sender: object, user_id: object, email: str, **kwargs: object) -> None:
    """The last security notice: the account is gone (whoever erased it)."""
    if not email:
        return
    context = {"project_name": project.PROJECT_NAME, "email": email}
    # Rendered here rather than by allauth, whose mails need a request: the admin and
    # `manage.py shell` erase accounts too.
    subject = " ".join(
        render_to_string("account/email/account_deleted_subject.txt", context).split()
    )
    body = render_to_string("account/email/account_deleted_message.txt", context)
    EmailMessage(subject, body, to=[email]).send()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_operator_superuser")
def verify_operator_superuser(
    sender: object, instance: Any, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """A superuser made as one (`createsuperuser`, a shell) signs in at once.

    Only an operator can make one: sign-up never does, and the admin adds users before
    it raises them. The operator typed the address on the server, so it counts as
    verified (the data migration treats accounts from before allauth the same way).
    """
    if created and not raw and instance.is_superuser and instance.email:
        EmailAddress.objects.get_or_create(
            user=instance, email=instance.email, defaults={"verified": True, "primary": True}
        )
