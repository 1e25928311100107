from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """The example upload feature: each user's private documents (README, "Documents")."""

    name = "documents"
    # In the header of every page for signed-in users (pages.context_processors).
    header_links = (("Documents", "documents:list"),)

    def ready(self) -> None:
        from documents.models import Document
        from privacy import personal_data

        # A user's documents are theirs: exported with the account, erased with it, and
        # each file removed from storage after the deleting transaction commits.
        personal_data.register(Document, owner_field="owner", files=("file",))
