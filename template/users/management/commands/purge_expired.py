"""Delete expired sessions and lockout records; schedule it daily (Heroku Scheduler).

    python manage.py purge_expired

Expired rows are harmless (Django ignores expired sessions, django-axes ignores
failures older than the cool-off) but they pile up, and each holds an address or an
IP: deleting them keeps the tables small and personal data short-lived.
"""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Delete expired sessions and login-failure records older than the lockout cool-off."

    def handle(self, *args: object, **options: object) -> None:
        call_command("clearsessions")
        threshold = timezone.now() - get_cool_off()
        deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=threshold).delete()
        self.stdout.write(f"Deleted expired sessions and {deleted} expired lockout records.")
