"""Delete expired sessions and lockout records; schedule it daily (Heroku Scheduler).

    python manage.py purge_expired

Expired rows are harmless (Django ignores expired sessions, django-axes ignores
failures older than the cool-off, the sessions page skips sessions that ended) but
they pile up, and each holds an address or an IP: deleting them keeps the tables
small and personal data short-lived.
"""

from allauth.usersessions.models import UserSession
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Delete expired sessions and login-failure records older than the lockout cool-off."

    def handle(self, *args: object, **options: object) -> None:
        call_command("clearsessions")
        # The sessions page's rows (device, IP) of sessions that no longer exist.
        ended, _ = UserSession.objects.exclude(
            session_key__in=Session.objects.values("session_key")
        ).delete()
        threshold = timezone.now() - get_cool_off()
        deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=threshold).delete()
        self.stdout.write(
            f"Deleted expired sessions ({ended} from the sessions page) and {deleted} "
            "expired lockout records."
        )
