"""The sign-up and reset forms: a taken or unknown address is never told apart.

Sign-up: a taken address answers exactly like a new one, in the same time.

django-allauth already answers a taken address with the same redirect and page, and
mails its owner instead ("you already have an account"). What still differed was
the time: a new account's password is hashed (Argon2, tens of milliseconds) and its
rows written, a taken address skipped both. This form hashes the submitted password
either way; the sign-up view (accounts.views) answers no sooner than a fixed floor,
under which the few rows written disappear. A stopwatch cannot tell the two apart
(the template's deploy tests measure it through the router).
"""

from typing import Any

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from security.log import mask_email, security_event


class SignupForm(AllauthSignupForm):
    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            # The work a new account's set_password() does, thrown away.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's reset form, logged: the log says which account it was for (if any);
    the visitor is never told (the same page and mail timing either way)."""

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        email = super().save(request, **kwargs)
        security_event(
            "password_reset_requested",
            request,
            user_id=self.users[0].pk if self.users else None,
            email=mask_email(email),
        )
        return email
