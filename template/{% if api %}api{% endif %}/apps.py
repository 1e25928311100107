from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API: Django REST Framework, locked down by default (api/settings.py)."""

    name = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from users.signals import password_changed

        password_changed.connect(revoke_tokens, dispatch_uid="api_revoke_tokens")


def revoke_tokens(sender: object, user: object, **kwargs: object) -> None:
    """A new password, however it was set, ends every API token of the user."""
    from knox.models import AuthToken

    AuthToken.objects.filter(user=user).delete()
