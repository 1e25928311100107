"""Response headers Django does not set itself."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class CrossOriginResourcePolicyMiddleware:
    """Add Cross-Origin-Resource-Policy to every response, static files included.

    `same-origin` stops other sites from loading our responses as images, scripts or
    fetches (no-cors), which closes cross-origin reads of authenticated content.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CROSS_ORIGIN_RESOURCE_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", self.policy)
        return response


class CrossOriginEmbedderPolicyMiddleware:
    """Add Cross-Origin-Embedder-Policy to every response.

    `credentialless` lets a page load cross-origin resources only without credentials
    (no cookies, no client certificates) unless the page asks for them (`crossorigin`)
    and the other origin consents, so nothing our pages embed can carry a visitor's
    credentials for another site. With COOP `same-origin` the page is cross-origin
    isolated. Signed links to the media bucket carry their authority in the URL and need
    no cookie, so uploaded images still load; `require-corp` would block them, as S3
    sends no Cross-Origin-Resource-Policy.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CROSS_ORIGIN_EMBEDDER_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Embedder-Policy", self.policy)
        return response
