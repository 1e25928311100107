"""The queue's health: how long due work has waited, and tasks a dead worker left behind.

Both read django-tasks-db's table (the database backend); with another backend they
report nothing.

A task is known to be abandoned when it has been RUNNING for longer than three times
BACKGROUND_TASK_TIME_LIMIT: the worker ends every task at that limit (background's
db_worker), so no live worker can still be running it. The limit is below Heroku's
30 s stop grace, so a dyno restart never leaves a RUNNING row; only a worker killed
outright (out of memory, a crash, `heroku ps:kill`) does. An abandoned task is put
back in the queue, or marked failed once it has been started MAX_RUNS times (a task
that kills its worker every time must not kill every worker), with a log line either
way.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Min
from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger("background")

# Runs of one task (first run included) before an abandoned task is failed.
MAX_RUNS = 3


class WorkerDied(Exception):
    """Recorded on a task whose worker died during each of its MAX_RUNS runs."""


def uses_database_queue() -> bool:
    return isinstance(task_backends["default"], DatabaseBackend)


def longest_wait(now: datetime | None = None) -> timedelta | None:
    """How long the longest-waiting due task has waited; None if none waits."""
    if not uses_database_queue():
        return None
    now = now or timezone.now()
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    # Due since it was queued (no run_after), or since its run_after passed (a retry).
    times = [
        ready.filter(run_after=get_date_max()).aggregate(since=Min("enqueued_at"))["since"],
        ready.filter(run_after__lte=now).aggregate(since=Min("run_after"))["since"],
    ]
    since = min((time for time in times if time is not None), default=None)
    return None if since is None else now - since


def stalled(now: datetime | None = None) -> bool:
    """True, with an error line in the log, when due work waits too long: no worker runs."""
    waited = longest_wait(now)
    if waited is None or waited <= timedelta(seconds=settings.BACKGROUND_QUEUE_MAX_AGE):
        return False
    logger.error(
        "event=queue_stalled waited=%ds hint=%s",
        waited.total_seconds(),
        "no worker is taking tasks: heroku ps:scale worker=1",
    )
    return True


def abandoned(now: datetime | None = None) -> models.QuerySet[DBTaskResult[Any, Any]]:
    """Tasks left RUNNING by a dead worker (see the module's docstring)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=3 * settings.BACKGROUND_TASK_TIME_LIMIT)
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)


def recover_abandoned(now: datetime | None = None) -> tuple[int, int]:
    """Requeue (or fail) tasks left RUNNING by a dead worker; (requeued, failed)."""
    now = now or timezone.now()
    requeued = failed = 0
    with transaction.atomic():
        for result in abandoned(now).select_for_update(skip_locked=True):
            runs = len(result.worker_ids)
            if runs < MAX_RUNS:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued += 1
                logger.warning(
                    "event=task_requeued task_id=%s task=%s runs=%d reason=worker_died",
                    result.id, result.task_path, runs,
                )  # fmt: skip
            else:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = f"{__name__}.{WorkerDied.__qualname__}"
                result.traceback = f"Its worker died during each of {runs} runs."
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                failed += 1
                logger.error(
                    "event=task_abandoned task_id=%s task=%s runs=%d reason=worker_died",
                    result.id, result.task_path, runs,
                )  # fmt: skip
    return requeued, failed
