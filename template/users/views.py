"""The account pages: Django's auth views, with security events logged.

Django already does the hard parts: the session key changes at login, `next` must stay
on this site, logout takes POST only, and a password change or reset invalidates every
other session of the user (sessions carry a hash of the password). These subclasses add
the log lines; users/urls.py maps the URLs.
"""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from config import project
from security.log import mask_email, security_event


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_changed", self.request, user_id=form.user.pk)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Public, for whoever cannot sign in; the same page follows whether or not the
    address has an account.

    The log says which account (if any) it was for; the visitor is never told.
    """

    email_template_name = "registration/password_reset_email.txt"
    extra_email_context = {"site_name": project.PROJECT_NAME}  # noqa: RUF012 (Django's API)

    def form_valid(self, form) -> HttpResponse:
        email = form.cleaned_data["email"]
        accounts = [user.pk for user in form.get_users(email)]
        response = super().form_valid(form)
        security_event(
            "password_reset_requested",
            self.request,
            user_id=accounts[0] if accounts else None,
            email=mask_email(email),
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Public: the link in the reset mail is the proof, for someone who cannot sign in."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_reset_completed", self.request, user_id=form.user.pk)
        return response
