"""The User model: email is the login, unique whatever its letter case.

It exists from the first migration because Django cannot swap the user model of a
project that has already migrated.
"""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from users import signals


def normalize_email(email: str) -> str:
    """Lowercase the whole address: one person, one account, one lockout record."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        """Log in with the address in any letter case."""
        return self.get(email=normalize_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        if fields["is_staff"] is not True or fields["is_superuser"] is not True:
            raise ValueError("A superuser needs is_staff=True and is_superuser=True.")
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    # unique=True is what Django's auth checks require of a login field; the Lower()
    # constraint below makes uniqueness hold across letter case as well.
    email = models.EmailField(
        "email address",
        max_length=254,
        unique=True,
        error_messages={"unique": "A user with that email address already exists."},
    )
    name = models.CharField("name", max_length=150, blank=True)
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Designates whether the user can log into the admin site.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Unselect this instead of deleting accounts.",
    )
    date_joined = models.DateTimeField("date joined", default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        # The admin's data-rights actions (users/admin.py): each needs its own permission,
        # which "view user" does not imply; the data holds private files and links.
        permissions = (
            ("export_user_data", "Can export a user's data, their files' links included"),
            ("erase_user_data", "Can erase a user's account and all their data"),
        )
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # Enforced by the database too, so no code path can create a duplicate
            # that differs only in case.
            models.UniqueConstraint(
                Lower("email"),
                name="users_user_email_ci_unique",
                violation_error_message="A user with that email address already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @classmethod
    def normalize_username(cls, username: str) -> str:
        """The login as stored; code outside this app normalises through this hook."""
        return normalize_email(username)

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        # set_password() leaves the new password here until the save (Django's own
        # validators are told of the change the same way, in AbstractBaseUser.save).
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            signals.password_changed.send(sender=type(self), user=self)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email
