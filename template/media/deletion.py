"""The deletion queue: stored files of deleted rows, removed by the worker, retried later.

    from media import deletion

    deletion.delete_files_with(Invoice, ("file",))

After that, deleting an Invoice any way at all (a view, the admin, a cascade from its
owner) records each of its stored files in PendingMediaDeletion in the same
transaction; once that transaction commits, a task (`remove_deleted_files`) removes
them from the default storage in the worker, so no request waits on the storage. A
crash or a storage outage can delay a removal but never forget it: `manage.py
remove_deleted_media` (hourly on Heroku Scheduler) retries what is still recorded.
privacy.personal_data calls this for every model registered with files.
"""

import logging

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.tasks import task

from media.models import PendingMediaDeletion

logger = logging.getLogger(__name__)

# The FileFields whose stored files go with a deleted row, by model label.
FILE_FIELDS: dict[str, tuple[str, ...]] = {}


def delete_files_with(model: type[models.Model], fields: tuple[str, ...]) -> None:
    """Remove the files in these FileFields of `model` whenever one of its rows is deleted."""
    label = model._meta.label_lower
    FILE_FIELDS[label] = tuple(fields)
    post_delete.connect(queue_files, sender=model, dispatch_uid=f"media_deletion_{label}")


def queue_files(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
    """Record the deleted row's files in this transaction; queue their removal once it commits.

    Queued after the commit, not inside the transaction, so the task finds the records
    whatever the task backend (a Redis queue would not roll back with the database).
    """
    fields = FILE_FIELDS[sender._meta.label_lower]
    names = [getattr(instance, name).name for name in fields if getattr(instance, name)]
    for name in names:
        PendingMediaDeletion.objects.get_or_create(name=name)
    if names:
        transaction.on_commit(lambda: remove_deleted_files.enqueue(names))


@task
def remove_deleted_files(names: list[str]) -> str:
    """In the worker: remove these recorded files; failures stay recorded for the command."""
    removed, failed = remove_pending(names)
    return f"removed {removed}, {failed} left for remove_deleted_media"


def pending_count() -> int:
    """How many files wait in the queue."""
    return PendingMediaDeletion.objects.count()


def remove_pending(names: list[str] | None = None) -> tuple[int, int]:
    """Try to remove queued files from storage; returns (removed, still pending).

    A failure is logged and kept in the queue for `manage.py remove_deleted_media`.
    """
    pending = PendingMediaDeletion.objects.order_by("created_at")
    if names is not None:
        pending = pending.filter(name__in=names)
    removed = failed = 0
    for item in pending:
        try:
            default_storage.delete(item.name)
        except Exception as error:  # (any storage failure: retry later)
            failed += 1
            item.attempts += 1
            item.last_error = f"{type(error).__name__}: {error}"[:500]
            item.save(update_fields=["attempts", "last_error"])
            logger.warning("Could not remove a deleted file (will retry): %s", type(error).__name__)
        else:
            removed += 1
            item.delete()
    return removed, failed
