from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """A model that belongs to a user and holds a file, for the tests alone.

    The media, privacy and security tests need one; the project's apps have none they
    could rely on (the example app is optional), so tests/settings.py installs
    this app for the suite only. It is never deployed.
    """

    name = "tests.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from privacy import personal_data
        from tests.testapp.models import Attachment

        personal_data.register(Attachment, owner_field="owner", files=("file",))
