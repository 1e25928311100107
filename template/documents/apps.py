from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """The example upload feature: each user's private documents (docs: Private media)."""

    name = "documents"

    def ready(self) -> None:
        # Connects the receiver that deletes a document's file with its row.
        from documents import models  # noqa: F401
