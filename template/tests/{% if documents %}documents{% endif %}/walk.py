"""What the URL walk (tests/walk.py) needs of the documents app: a real document, with
its file in storage, so its owner's download succeeds and everyone else's is a 404."""

from django.core.files.base import ContentFile

from documents.models import Document
from tests import samples


def document(owner) -> Document:
    return Document.objects.create(
        owner=owner,
        name="walk.pdf",
        size=len(samples.PDF),
        file=ContentFile(samples.PDF, "walk.pdf"),
    )


FACTORIES = {"documents.Document": document}
