"""Fail when queued work waits too long, or a dead worker's task is not recovered.

    python manage.py check_queue

Exits 1 with an error when the longest-waiting due task has waited more than
BACKGROUND_QUEUE_MAX_AGE seconds or a task is left RUNNING by a dead worker: in both
cases no worker is taking tasks. Exits 0 with the queue's size otherwise.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from background.queue import abandoned, longest_wait, stalled

HINT = "no worker is taking tasks. Start one: heroku ps:scale worker=1"


class Command(BaseCommand):
    help = "Exit 1 when due tasks wait longer than BACKGROUND_QUEUE_MAX_AGE (no worker)."

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        if stalled(now) and (stalled_for := longest_wait(now)) is not None:
            raise CommandError(f"Tasks have waited {stalled_for.total_seconds():.0f} s: {HINT}")
        if left := abandoned(now).count():
            raise CommandError(f"{left} task(s) left RUNNING by a dead worker: {HINT}")
        waited = longest_wait(now)
        self.stdout.write(
            "Queue OK: nothing waiting."
            if waited is None
            else f"Queue OK: the longest-waiting task has waited {waited.total_seconds():.0f} s."
        )
