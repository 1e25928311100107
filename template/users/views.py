"""The account pages: Django's auth views, with security events logged.

Django already does the hard parts: the session key changes at login, `next` must stay
on this site, logout takes POST only, and a password change or reset invalidates every
other session of the user (sessions carry a hash of the password). These subclasses add
the log lines; config/urls.py maps the URLs.
"""

import json

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from config import project
from core import personal_data
from core.mixins import LoginRequiredMixin
from core.security_log import mask_email, security_event
from users.forms import AccountDeleteForm, PasswordConfirmForm


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_changed", self.request, user_id=form.user.pk)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """The same page follows whether or not the address has an account.

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
    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_reset_completed", self.request, user_id=form.user.pk)
        return response


@method_decorator(never_cache, name="dispatch")
class AccountDataView(LoginRequiredMixin, TemplateView):
    """The user's data rights: download everything as JSON, or delete the account.

    Both need the password again (a stolen session alone cannot take the data or
    destroy the account); core.personal_data says what is exported and erased.
    """

    template_name = "registration/account_data.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("export_form", PasswordConfirmForm(request=self.request))
        kwargs.setdefault("delete_form", AccountDeleteForm(request=self.request))
        kwargs["last_superuser"] = personal_data.is_last_superuser(self.request.user)
        return super().get_context_data(**kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.POST.get("action") == "export":
            return self.export(request)
        if request.POST.get("action") == "delete":
            return self.delete(request)
        return HttpResponseBadRequest("Unknown action.")

    def export(self, request: HttpRequest) -> HttpResponse:
        form = PasswordConfirmForm(request.POST, request=request)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(export_form=form), status=400)
        security_event("data_exported", request, user_id=request.user.pk)
        return export_response(request.user)

    def delete(self, request: HttpRequest) -> HttpResponse:
        form = AccountDeleteForm(request.POST, request=request)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(delete_form=form), status=400)
        user_id = request.user.pk
        try:
            files = personal_data.erase_user(request.user)
        except personal_data.LastSuperuserError:
            form.add_error(None, "You are the last superuser: make another one first.")
            return self.render_to_response(self.get_context_data(delete_form=form), status=400)
        security_event("account_deleted", request, user_id=user_id, files=files, by="self")
        logout(request)
        return redirect("account_deleted")


def export_response(user) -> HttpResponse:
    """One JSON file, downloaded, never cached."""
    response = HttpResponse(
        json.dumps(personal_data.export_data(user), indent=2),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="account-{user.pk}-data.json"'
    response["Cache-Control"] = "no-store"
    return response
