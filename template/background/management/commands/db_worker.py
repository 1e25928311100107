"""The task worker: django-tasks-db's, with a time limit per task and recovery.

    python manage.py db_worker --no-reload --queue-name '*'    (the Procfile's worker)

This command takes the place of django-tasks-db's own `db_worker` (background comes
before django_tasks_db in INSTALLED_APPS) and accepts the same options. It adds:

- a time limit: a task still running after BACKGROUND_TASK_TIME_LIMIT seconds is
  interrupted with TaskTimeLimitExceeded (a TimeoutError, so the email task retries
  it later). The limit is below Heroku's 30 s grace between SIGTERM and SIGKILL, so
  at a dyno restart the worker always finishes its current task and exits cleanly;
- recovery: at start-up and every RECOVERY_INTERVAL seconds after, tasks that a dead
  worker left RUNNING are requeued or failed, with a log line (background/queue.py).
"""

import logging
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from background.queue import recover_abandoned

logger = logging.getLogger("background")

RECOVERY_INTERVAL = 30  # seconds


class TaskTimeLimitExceeded(TimeoutError):
    """A task ran past BACKGROUND_TASK_TIME_LIMIT."""


def interrupt_task(signum: int, frame: FrameType | None) -> None:
    raise TaskTimeLimitExceeded(
        f"the task ran longer than BACKGROUND_TASK_TIME_LIMIT "
        f"({settings.BACKGROUND_TASK_TIME_LIMIT} s)"
    )


def recover() -> None:
    """One recovery pass; a database that is away or busy is tried again next time."""
    try:
        recover_abandoned()
    except DatabaseError as error:
        logger.warning("event=recovery_skipped error=%s", type(error).__name__)


class Worker(db_worker.Worker):
    def run(self) -> None:
        recover()
        if not self.batch:
            threading.Thread(target=self.keep_recovering, name="recovery", daemon=True).start()
        super().run()

    def keep_recovering(self) -> None:
        """The recovery thread: its own database connection, closed after each pass."""
        while self.running:
            time.sleep(RECOVERY_INTERVAL)
            try:
                recover()
            finally:
                connection.close()

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        if threading.current_thread() is not threading.main_thread():
            # Only under --reload (development), which runs the worker in a thread of
            # its own: signals reach the main thread only, so there is no time limit.
            super().run_task(db_task_result)
            return
        previous = signal.signal(signal.SIGALRM, interrupt_task)
        signal.setitimer(signal.ITIMER_REAL, settings.BACKGROUND_TASK_TIME_LIMIT)
        try:
            super().run_task(db_task_result)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class Command(db_worker.Command):
    help = "Run the task worker (time limit per task, recovery of abandoned tasks)."

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        exclude_queues: str,
        reload: bool,
        batch: bool,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            batch=batch,
            interval=options["interval"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        if reload and not batch:
            # Development only: restart on code changes (the reloader's child runs tasks).
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
