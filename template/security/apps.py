from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """The lowest layer: client IP, security log, headers, CSP reports, SRI, view access.

    It imports nothing of the project's other apps; they all build on it.
    """

    name = "security"

    def ready(self) -> None:
        # Connects the receivers that log logins, failures, lockouts and logouts.
        from security import log  # noqa: F401
