from typing import ClassVar

from django.conf import settings
from django.db import models

from media.uploads import RandomName, UploadValidator


class Attachment(models.Model):
    """A user's file, checked and stored as any app of the project would store one."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    file = models.FileField(
        upload_to=RandomName("attachments"), validators=[UploadValidator()], max_length=255
    )
    name = models.CharField(max_length=255, blank=True)

    # Declared: the type checker reads config.settings, whose apps do not include this one.
    objects: ClassVar[models.Manager["Attachment"]] = models.Manager()

    def __str__(self) -> str:
        return self.name
