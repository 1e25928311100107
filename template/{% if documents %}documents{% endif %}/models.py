"""Each user's private documents: the example feature built on media.uploads and media.storage.

Files are checked by content (media.uploads.UploadValidator), stored under random names
in the private bucket, listed and downloaded only by their owner. To remove the
feature, follow "Removing the example" in the guide's page on private media.
"""

from django.conf import settings
from django.db import models

from media.uploads import RandomName, UploadValidator, content_headers

# What users may upload here: content-checked types, shown inline only if images.
DOCUMENT_TYPES = ("pdf", "png", "jpeg", "gif", "webp")


class Document(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents"
    )
    # Stored as documents/<random>.<checked extension>; the client's name never reaches
    # the storage.
    file = models.FileField(
        upload_to=RandomName("documents"),
        validators=[UploadValidator(DOCUMENT_TYPES)],
        max_length=255,
    )
    # The name it was uploaded with: shown to its owner (escaped), never used as a path.
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-uploaded_at", "-pk")
        # Reaches beyond one's own documents; given through a role (documents/roles.py).
        permissions = (("audit_document", "Can list every user's documents, never open them"),)

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """Shown inline (a preview) rather than downloaded, by its checked type."""
        return content_headers(self.file.name or "")[1].startswith("inline")
