"""Remove a user's second factors, for someone who lost both phone and recovery codes.

    heroku run python manage.py remove_mfa admin@example.com

deletes the user's authenticator apps, passkeys and recovery codes and ends their
sessions. Staff are then asked to set up a new authenticator at their next sign-in,
before any admin page opens. Check who is asking first: this undoes their second
factor.
"""

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from security.log import security_event
from users.models import normalize_email


class Command(BaseCommand):
    help = "Delete a user's authenticators (TOTP, passkeys, recovery codes) and end their sessions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user's email address.")

    def handle(self, *args: object, email: str, **options: object) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(email=normalize_email(email))
        except user_model.DoesNotExist:
            raise CommandError(f"No user has the address {email!r}.") from None
        with transaction.atomic():
            removed, _ = Authenticator.objects.filter(user=user).delete()
            sessions = list(UserSession.objects.filter(user=user))
            for session in sessions:
                session.end()
        security_event(
            "second_factor_removed",
            None,
            user_id=user.pk,
            by="remove_mfa",
            authenticators=removed,
            sessions_ended=len(sessions),
        )
        self.stdout.write(
            f"Removed {removed} authenticator(s) of {user.email} and ended "
            f"{len(sessions)} session(s). "
            + (
                "At the next sign-in they must set up a new one before the admin opens."
                if user.is_staff or user.is_superuser
                else ""
            )
        )
