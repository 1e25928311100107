from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    """Work that leaves the request: the task queue's mailer, worker, recovery and checks."""

    name = "background"

    def ready(self) -> None:
        # Registers the deploy checks (background.E001, E002).
        from background import checks  # noqa: F401
