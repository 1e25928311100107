"""Remove stored files whose rows were deleted; schedule it hourly (Heroku Scheduler).

    python manage.py remove_deleted_media

Files are normally removed by a task (media.deletion.remove_deleted_files) that the
worker runs right after the deleting transaction commits; this retries any that a
storage outage, or a process that died before queueing that task, left recorded. It
exits non-zero while some still fail, so the Scheduler's log shows it.
"""

from django.core.management.base import BaseCommand, CommandError

from media.deletion import remove_pending


class Command(BaseCommand):
    help = "Remove queued files of deleted rows from storage; keep failures for the next run."

    def handle(self, *args: object, **options: object) -> None:
        removed, failed = remove_pending()
        self.stdout.write(f"Removed {removed} deleted files; {failed} still pending.")
        if failed:
            raise CommandError(f"{failed} files could not be removed; they stay queued.")
