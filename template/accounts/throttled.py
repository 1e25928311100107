"""The answer to a refused sign-in attempt: 429 Too Many Requests, with Retry-After.

One page for every refusal (a spent failure budget, a django-axes lockout, allauth's
own rate limits), the same whether or not the address has an account. API clients,
which send JSON, get JSON.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or (
        request.accepts("application/json") and not request.accepts("text/html")
    )


def too_many_attempts(request: HttpRequest, retry_after: int | None) -> HttpResponse:
    """429; Retry-After says when to try again, when that is known."""
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {"detail": "Too many attempts.", "retry_after": retry_after}, status=429
        )
    else:
        minutes = -(-retry_after // 60) if retry_after else None
        response = render(
            request,
            "accounts/too_many_attempts.html",
            {"retry_after": retry_after, "retry_minutes": minutes},
            status=429,
        )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def handler429(request: HttpRequest) -> HttpResponse:
    """allauth's rate limits (config.urls.handler429): it does not say how long they last."""
    return too_many_attempts(request, None)
