"""The allauth views this project changes: sign-up answers in a fixed time, and ending
sessions asks who you are first."""

import time

from allauth.account.decorators import reauthentication_required
from allauth.account.views import SignupView as AllauthSignupView
from allauth.usersessions.views import ListUserSessionsView
from django.conf import settings
from django.forms import Form
from django.http import HttpResponse
from django.utils.decorators import method_decorator


class SignupView(AllauthSignupView):
    """Public: how a visitor gets an account. A sign-up that passed the form answers no
    sooner than SIGNUP_MIN_RESPONSE_SECONDS.

    A new address creates an account (its password hashed, its rows written, its
    verification mail queued); a taken one mails its owner instead. The form hashes the
    password either way (accounts.forms), and the rest of the difference, a few database
    writes, disappears under the floor: both answer after the same time.
    """

    def form_valid(self, form: Form) -> HttpResponse:
        started = time.monotonic()
        response = super().form_valid(form)
        remaining = settings.SIGNUP_MIN_RESPONSE_SECONDS - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        return response


@method_decorator(reauthentication_required, name="post")
class SessionsView(ListUserSessionsView):
    """Your sessions (device, IP, last seen); ending the others needs a fresh proof, so a
    stolen session cannot sign its owner out everywhere and keep the account to itself."""
