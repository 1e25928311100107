"""Enrol an authenticator app for a staff user: the admin asks for its codes.

    heroku run python manage.py enrol_totp admin@example.com

prints the secret to type into an authenticator app ("enter a setup key") and the
otpauth:// link that carries it. The output is the secret: run it in your own
terminal, never in a logged job such as Heroku Scheduler. --replace removes the
user's existing devices first (a lost phone).
"""

from base64 import b32encode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.log import security_event
from users.models import normalize_email


class Command(BaseCommand):
    help = "Create a TOTP device for a staff user and print the secret to enrol it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The staff user's email address.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the user's existing TOTP devices first (lost or new phone).",
        )

    def handle(self, *args: object, email: str, replace: bool, **options: object) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(email=normalize_email(email))
        except user_model.DoesNotExist:
            raise CommandError(
                f"No user has the address {email!r}. Create one first: "
                "python manage.py createsuperuser"
            ) from None
        if not user.is_staff:
            raise CommandError(
                f"{user.email} is not staff; only staff use the admin. Set is_staff first."
            )
        existing = TOTPDevice.objects.filter(user=user)
        if existing.exists() and not replace:
            raise CommandError(
                f"{user.email} already has a TOTP device. Use --replace to delete it and "
                "enrol a new one."
            )
        with transaction.atomic():
            existing.delete()
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        security_event("second_factor_enrolled", None, user_id=user.pk, replaced=replace)

        self.stdout.write(
            f"Enrolled a TOTP device for {user.email}. In an authenticator app, choose\n"
            "'enter a setup key' and type the secret below (or open the link on the phone),\n"
            "then log in to the admin with the 6-digit code it shows. Keep both private.\n\n"
            f"  secret: {b32encode(device.bin_key).decode()}\n"
            f"  link:   {device.config_url}\n"
        )
