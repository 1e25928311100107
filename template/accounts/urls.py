"""The account pages, under /accounts/ (config/urls.py): django-allauth's, two changed."""

from allauth import urls as allauth_urls
from django.urls import URLPattern, URLResolver, include, path

from accounts.views import SessionsView, SignupView

# allauth's routes these views replace: taken out, so no route is dead behind another.
REPLACED = {"account_signup", "usersessions_list"}


def without(
    entries: list[URLPattern | URLResolver], names: set[str]
) -> list[URLPattern | URLResolver]:
    """The URL patterns, includes followed, less those named in `names`."""
    kept: list[URLPattern | URLResolver] = []
    for entry in entries:
        if isinstance(entry, URLResolver):
            entry = URLResolver(entry.pattern, without(entry.url_patterns, names),
                                entry.default_kwargs, entry.app_name, entry.namespace)  # fmt: skip
        elif isinstance(entry, URLPattern) and entry.name in names:
            continue
        kept.append(entry)
    return kept


urlpatterns = [
    # Sign-up answers in a fixed time, and ending sessions asks to reauthenticate.
    path("signup/", SignupView.as_view(), name="account_signup"),
    path("sessions/", SessionsView.as_view(), name="usersessions_list"),
    # Sign-up, sign-in (password, passkey, emailed code), verification, passwords,
    # email change, reauthentication, two-factor (TOTP, recovery codes, passkeys).
    path("", include(without(allauth_urls.urlpatterns, REPLACED))),
]
