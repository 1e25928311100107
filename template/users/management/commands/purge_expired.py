"""Delete expired sessions, lockout records and rate-limit counters; schedule it daily
(Heroku Scheduler).

    python manage.py purge_expired

Expired rows are harmless (Django ignores expired sessions, django-axes ignores
failures older than the cool-off, the sessions page skips sessions that ended, an
expired counter counts nothing) but they pile up, and each holds an address or an IP:
deleting them keeps the tables small and personal data short-lived.
"""

from allauth.usersessions.models import UserSession
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from security.cache import counters


class Command(BaseCommand):
    help = (
        "Delete expired sessions, login-failure records older than the lockout cool-off "
        "and expired rate-limit counters."
    )

    def handle(self, *args: object, **options: object) -> None:
        call_command("clearsessions")
        # The sessions page's rows (device, IP) of sessions that no longer exist.
        ended, _ = UserSession.objects.exclude(
            session_key__in=Session.objects.values("session_key")
        ).delete()
        threshold = timezone.now() - get_cool_off()
        deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=threshold).delete()
        expired_counters = counters.delete_expired()
        self.stdout.write(
            f"Deleted expired sessions ({ended} from the sessions page), {deleted} expired "
            f"lockout records and {expired_counters} expired rate-limit counters."
        )
