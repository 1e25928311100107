"""The API's errors: DRF's JSON answers, with refusals logged as the site logs them."""

import logging

from rest_framework import exceptions
from rest_framework.views import exception_handler

from security.log import security_event


def handler(exc, context):
    """DRF's own handler; a 403 is first logged as a `permission_denied` security event.

    Pages log theirs in the 403 handler (pages.views.permission_denied), which DRF's
    answers never reach.
    """
    if isinstance(exc, exceptions.PermissionDenied):
        request = context["request"]
        user = request.user
        security_event(
            "permission_denied",
            request._request,
            user_id=user.pk if user.is_authenticated else None,
            path=request.path,
            level=logging.WARNING,
        )
    return exception_handler(exc, context)
