from django.apps import AppConfig


class MediaConfig(AppConfig):
    """Uploaded files: private storage, upload checks, and the queue of files to delete."""

    name = "media"
