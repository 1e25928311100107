"""What belongs to a user: the one place apps declare it, for export and for erasure.

An app whose model holds a user's data registers it once, in its AppConfig.ready():

    from privacy import personal_data

    def ready(self):
        from notes.models import Note
        personal_data.register(Note, owner_field="owner", files=("attachment",))

`owner_field` is the lookup from the model to its owning user (it may cross relations,
"project__owner"); `fields` limits what is exported (default: every concrete field);
`files` names the FileFields whose stored objects belong to the user. Then:

- `export_data(user)` returns the account's fields and every registered object of the
  user, files as short-lived links (S3's signed URLs), ready for json.dumps;
- `erase_user(user)` deletes the account in one transaction: registered rows go with
  it (their foreign keys must cascade from the user), and each stored file is recorded
  in the same transaction and removed from storage by the worker after commit
  (media.deletion, whose `manage.py remove_deleted_media` retries whatever a storage
  outage left behind);
- deleting a registered object any other way (a view, the admin) removes its files the
  same way.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models, transaction

from media import deletion
from privacy import signals

# The account's own fields in an export: never the password hash.
ACCOUNT_FIELDS = ("id", "email", "name", "date_joined", "last_login", "is_staff", "is_active")


class LastSuperuserError(Exception):
    """Erasing this account would leave the site with no superuser."""


@dataclass(frozen=True)
class Entry:
    model: type[models.Model]
    owner_field: str
    fields: tuple[str, ...] | None = None
    files: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


REGISTRY: dict[str, Entry] = {}


def register(
    model: type[models.Model],
    *,
    owner_field: str = "owner",
    fields: tuple[str, ...] | None = None,
    files: tuple[str, ...] = (),
) -> None:
    """Declare that `model`'s rows whose `owner_field` is a user are that user's data."""
    entry = Entry(model, owner_field, fields, tuple(files))
    REGISTRY[entry.label] = entry
    if entry.files:
        deletion.delete_files_with(model, entry.files)


def export_data(user: Any) -> dict[str, Any]:
    """The user's account and every registered object of theirs, as JSON-ready data."""
    return {
        "account": {name: plain(getattr(user, name, None)) for name in ACCOUNT_FIELDS},
        **{
            label: [export_object(entry, item) for item in owned(entry, user)]
            for label, entry in sorted(REGISTRY.items())
        },
    }


def owned(entry: Entry, user: Any) -> models.QuerySet[Any]:
    return entry.model._default_manager.filter(**{entry.owner_field: user}).order_by("pk")


def export_object(entry: Entry, item: models.Model) -> dict[str, Any]:
    names = entry.fields or tuple(f.attname for f in item._meta.concrete_fields)
    data = {name: plain(getattr(item, name)) for name in names if name not in entry.files}
    for name in entry.files:
        stored = getattr(item, name)
        data[name] = {"name": stored.name, "url": file_link(stored)} if stored else None
    return data


def file_link(stored: Any) -> str | None:
    """A short-lived signed link on S3; None where files have no URL of their own."""
    try:
        url: str | None = stored.url
        return url
    except Exception:  # (a storage without URLs: the name is still exported)
        return None


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def is_last_superuser(user: Any) -> bool:
    if not user.is_superuser:
        return False
    others = get_user_model()._default_manager.filter(is_superuser=True, is_active=True)
    return not others.exclude(pk=user.pk).exists()


def erase_user(user: Any) -> int:
    """Delete the account, all it owns and its sessions, in one transaction.

    Returns how many stored files were queued for removal. Raises LastSuperuserError
    (and changes nothing) if the account is the last active superuser.
    """
    with transaction.atomic():
        if is_last_superuser(user):
            raise LastSuperuserError("The last superuser cannot be erased.")
        queued = deletion.pending_count()
        end_sessions(user)
        user_id, address = user.pk, getattr(user, user.get_email_field_name())
        # Cascades to every registered model; their post_delete queues the files.
        user.delete()
        signals.account_erased.send(sender=type(user), user_id=user_id, email=address)
        return deletion.pending_count() - queued


def end_sessions(user: Any) -> None:
    """Delete every database session that belongs to the user (all devices)."""
    user_id = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(pk__in=doomed).delete()
