"""Where uploads go: a private S3 bucket, a development machine's disk, or nowhere.

config/settings.py chooses STORAGES["default"]:

- `PrivateMediaStorage` (django-storages' S3 backend) when AWS_STORAGE_BUCKET_NAME is
  set. Each object is written with the Content-Type and Content-Disposition of its
  checked type (media.uploads.content_headers) as object metadata, so S3 serves it as
  what it is: the type a client claimed is never stored.
- Django's FileSystemStorage under MEDIA_ROOT in development.
- `NoMediaStorage` in production without a bucket. A dyno's disk is wiped at every
  restart and is not shared with other dynos, so files saved there would vanish:
  uploads are refused with a form error instead (media.uploads.UploadValidator).
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import Storage
from storages.backends.s3 import S3Storage

from media.uploads import content_headers

NO_BUCKET = (
    "Uploads are switched off: production has no media bucket. Set AWS_STORAGE_BUCKET_NAME "
    "and its credentials (README, 'Uploads and private media'); a dyno's own disk is wiped "
    "at every restart."
)


class PrivateMediaStorage(S3Storage):  # type: ignore[misc]  # django-storages is untyped
    """S3 storage whose objects carry headers from their checked type, not the client's."""

    def get_object_parameters(self, name: str) -> dict[str, object]:
        content_type, disposition = content_headers(name)
        return {
            **super().get_object_parameters(name),
            "ContentType": content_type,
            "ContentDisposition": disposition,
        }


class NoMediaStorage(Storage):
    """Production without a bucket: saving fails loudly, nothing is ever stored."""

    # Read by media.uploads.UploadValidator, which refuses uploads with a form error.
    accepts_uploads = False

    def _save(self, name: str | None, content: File[bytes]) -> str:
        raise ImproperlyConfigured(NO_BUCKET)

    def _open(self, name: str, mode: str = "rb") -> File[bytes]:
        raise FileNotFoundError(name)

    def exists(self, name: str) -> bool:
        return False

    def url(self, name: str | None) -> str:
        raise ImproperlyConfigured(NO_BUCKET)
