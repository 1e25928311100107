from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """The example upload feature: each user's private documents (docs: Private media)."""

    name = "documents"

    def ready(self) -> None:
        from core import personal_data
        from documents.models import Document

        # A user's documents are theirs: exported with the account, erased with it, and
        # each file removed from storage after the deleting transaction commits.
        personal_data.register(Document, owner_field="owner", files=("file",))
