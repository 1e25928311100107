"""The "Your data" page: download everything as JSON, or delete the account."""

import json
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from privacy import personal_data
from privacy.forms import AccountDeleteForm
from security.log import security_event
from security.mixins import LoginRequiredMixin


@method_decorator(never_cache, name="dispatch")
@method_decorator(reauthentication_required, name="post")
class AccountDataView(LoginRequiredMixin, TemplateView):
    """The user's data rights: download everything as JSON, or delete the account.

    Both need a fresh proof of who you are, not just the session: django-allauth's
    reauthentication (the password, or a passkey or authenticator code for accounts
    without one) within the last few minutes, after which the request goes on as sent.
    A stolen session alone cannot take the data or destroy the account;
    privacy.personal_data says what is exported and erased.
    """

    template_name = "privacy/account_data.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("delete_form", AccountDeleteForm())
        kwargs["last_superuser"] = personal_data.is_last_superuser(self.request.user)
        return super().get_context_data(**kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("action") == "export":
            return self.export(request)
        if request.POST.get("action") == "delete":
            return self.delete(request)
        return HttpResponseBadRequest("Unknown action.")

    def export(self, request: HttpRequest) -> HttpResponse:
        security_event("data_exported", request, user_id=request.user.pk)
        return export_response(request.user)

    def delete(self, request: HttpRequest) -> HttpResponse:
        form = AccountDeleteForm(request.POST)
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


def export_response(user: Any) -> HttpResponse:
    """One JSON file, downloaded, never cached."""
    response = HttpResponse(
        json.dumps(personal_data.export_data(user), indent=2),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="account-{user.pk}-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(login_not_required, name="dispatch")
class AccountDeletedView(TemplateView):
    """The page after an erasure. Public: its visitor has just been signed out for good."""

    template_name = "privacy/account_deleted.html"
