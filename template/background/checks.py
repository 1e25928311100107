"""Deploy checks: the release phase refuses mail that would not leave off-request.

Django's own mail.E001 looks only at MAILERS["default"], which here is the queue; these
look at what the queue runs on and what it delivers through.
"""

from typing import Any, cast

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks.mail import NON_PRODUCTION_EMAIL_BACKENDS

IN_REQUEST_TASK_BACKENDS = {
    "django.tasks.backends.immediate.ImmediateBackend",
    "django.tasks.backends.dummy.DummyBackend",
}
QUEUED_MAILER = "background.mail.QueuedEmailBackend"


@register(Tags.mail, deploy=True)
def check_queue_in_production(app_configs: object, **kwargs: object) -> list[Error]:
    errors = []
    tasks = cast(dict[str, dict[str, Any]], settings.TASKS)
    mailers = cast(dict[str, dict[str, Any]], settings.MAILERS)
    backend = tasks.get("default", {}).get("BACKEND", "")
    if backend in IN_REQUEST_TASK_BACKENDS:
        errors.append(
            Error(
                f"TASKS['default'] uses {backend}: tasks run inside the request, or never.",
                hint="Unset DJANGO_TASKS_IMMEDIATE: production queues tasks for the worker.",
                id="background.E001",
            )
        )
    default = mailers.get("default", {})
    if default.get("BACKEND") == QUEUED_MAILER:
        alias = default.get("OPTIONS", {}).get("deliver_with", "direct")
        delivery = mailers.get(alias, {}).get("BACKEND", "")
        if delivery in NON_PRODUCTION_EMAIL_BACKENDS:
            errors.append(
                Error(
                    f"The queue delivers mail through MAILERS[{alias!r}], which uses {delivery}.",
                    hint="Use a production-ready mailer there (SMTP from EMAIL_URL).",
                    id="background.E002",
                )
            )
    return errors
