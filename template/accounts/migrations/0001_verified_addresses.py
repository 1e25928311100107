"""Accounts that existed before django-allauth get a verified, primary EmailAddress.

allauth signs in only through a verified address. Every account made before it came
from an operator (createsuperuser, the admin, a shell): their addresses are the ones
they already signed in with, so they are marked verified, not mailed again.
"""

from django.db import migrations


def verify_existing_addresses(apps, schema_editor):
    User = apps.get_model("users", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.exclude(email="").iterator():
        EmailAddress.objects.get_or_create(
            user=user,
            email=user.email,
            defaults={"verified": True, "primary": not EmailAddress.objects.filter(user=user).exists()},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(verify_existing_addresses, migrations.RunPython.noop, elidable=True),
    ]
