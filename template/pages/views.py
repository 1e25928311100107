"""Views for site-wide pages."""

import logging
from datetime import UTC, datetime, timedelta

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.http import require_safe

from config import project
from security.log import security_event

# RFC 9116 asks for an Expires date less than a year ahead; computing it when served
# keeps the file valid without anyone remembering to renew it.
SECURITY_TXT_LIFETIME = timedelta(days=180)


@login_not_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The front page: public, it is where visitors arrive and find the way to sign in."""
    return render(request, "pages/home.html")


@login_not_required
@require_safe
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico for pages without an icon link (the admin): no 404 in every console.

    Public: browsers fetch it for every page, the login page included.
    """
    return HttpResponseRedirect(static("favicon.svg"))


@login_not_required
@require_safe
def security_txt(request: HttpRequest) -> HttpResponse:
    """/.well-known/security.txt: where to report a vulnerability (RFC 9116).

    Public: it is written for researchers who have no account.
    """
    expires = datetime.now(UTC).replace(microsecond=0) + SECURITY_TXT_LIFETIME
    lines = [
        f"Contact: mailto:{project.SECURITY_CONTACT_EMAIL}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: en",
        f"Canonical: {request.build_absolute_uri()}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: log the refusal as a security event, then Django's own 403 page."""
    user = getattr(request, "user", None)
    security_event(
        "permission_denied",
        request,
        user_id=user.pk if user is not None and user.is_authenticated else None,
        path=request.path,
        level=logging.WARNING,
    )
    return defaults.permission_denied(request, exception)
