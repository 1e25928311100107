"""The queue of stored files waiting to be removed (media.deletion)."""

from django.db import models


class PendingMediaDeletion(models.Model):
    """A file in the default storage whose row is gone: removed by a task, retried later.

    Rows are written in the same transaction that deletes the owning row, so a crash or
    a storage outage can delay a file's removal but never forget it
    (`manage.py remove_deleted_media`, scheduled on Heroku Scheduler).
    """

    name = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "pending media deletion"

    def __str__(self) -> str:
        return self.name
