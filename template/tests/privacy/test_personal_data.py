"""Data rights: a user's export holds exactly their data; erasure removes all of it.

Files on S3 are checked against the real S3 API server the suite runs with (moto's, on
127.0.0.1; tests/conftest.py). A storage outage is simulated by making the storage's
delete raise, the one thing that server cannot be made to do on cue.
"""

import json
import logging

import pytest
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from storages.backends.s3 import S3Storage

from media.models import PendingMediaDeletion
from tests import samples
from tests.conftest import (
    PASSWORD,
    enrol_totp,
    run_queued_tasks,
    sign_in_with_code,
    verify_address,
)
from tests.testapp.models import Attachment

pytestmark = pytest.mark.django_db

DATA_URL = "/accounts/data/"


@pytest.fixture
def other(django_user_model):
    return verify_address(
        django_user_model.objects.create_user(email="grace@example.com", password=PASSWORD)
    )


def attachment(owner, name: str = "report.pdf") -> Attachment:
    """A registered object of the user's with a stored file (tests/testapp)."""
    item = Attachment(owner=owner, name=name)
    item.file.save(name, ContentFile(samples.PDF), save=True)
    return item


def signed_in(client, user, reauthenticated: bool = True):
    """A session of `user`; by default one that has just confirmed its password."""
    client.force_login(user)
    if reauthenticated:
        response = client.post("/accounts/reauthenticate/", {"password": PASSWORD}, secure=True)
        assert response.status_code == 302, response
    return client


def export(client):
    return client.post(DATA_URL, {"action": "export"}, secure=True)


def erase(client, confirm: bool = True):
    data = {"action": "delete"}
    if confirm:
        data["confirm"] = "on"
    return client.post(DATA_URL, data, secure=True)


def storage_outage(monkeypatch) -> None:
    """Every delete on the storage fails, as when S3 is unreachable."""

    def outage(self, name):
        raise ConnectionError("S3 is down")

    for storage_class in (S3Storage, FileSystemStorage):
        monkeypatch.setattr(storage_class, "delete", outage)


def test_data_page_needs_login(client):
    response = client.get(DATA_URL, secure=True)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_data_page_is_free_of_inline_code(client, user):
    from tests.conftest import INLINE_CODE

    response = signed_in(client, user).get(DATA_URL, secure=True)
    assert response.status_code == 200
    assert not INLINE_CODE.search(response.content.decode()), "inline code breaks the CSP"


def test_export_holds_exactly_the_users_data(client, user, other, media_root):
    mine = attachment(user, "mine.pdf")
    attachment(other, "theirs.pdf")
    response = export(signed_in(client, user))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "ada@example.com"
    assert [item["id"] for item in data["testapp.attachment"]] == [mine.pk]
    assert "grace@example.com" not in response.content.decode()
    assert "theirs.pdf" not in response.content.decode()


def test_export_never_holds_the_password_hash(client, user):
    response = export(signed_in(client, user))
    assert user.password not in response.content.decode()


def test_export_links_files_with_short_lived_signed_urls(client, user, s3_bucket):
    attachment(user)
    data = json.loads(export(signed_in(client, user)).content)
    url = data["testapp.attachment"][0]["file"]["url"]
    assert url.startswith(s3_bucket.endpoint), url
    assert "Expires=" in url, "a signed link that expires"


def test_export_asks_a_session_to_confirm_who_it_is_first(client, user):
    response = export(signed_in(client, user, reauthenticated=False))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2Fdata%2F"
    assert "Content-Disposition" not in response, "no data on the session alone"


def test_export_goes_on_once_the_password_is_confirmed(client, user):
    asked = export(signed_in(client, user, reauthenticated=False))

    response = client.post(asked["Location"], {"password": PASSWORD}, secure=True)

    assert response.status_code == 200
    assert json.loads(response.content)["account"]["email"] == "ada@example.com"


def test_a_wrong_password_deletes_nothing(client, user, django_user_model):
    asked = erase(signed_in(client, user, reauthenticated=False))

    response = client.post(asked["Location"], {"password": "not-my-password-at-all"}, secure=True)

    assert response.status_code == 200, "the form again, with its error"
    assert django_user_model.objects.filter(pk=user.pk).exists()


def test_an_account_without_a_password_confirms_with_its_passkey(client, user):
    from allauth.mfa.models import Authenticator

    user.set_unusable_password()
    user.save()
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Phone", "credential": {}}
    )

    response = export(signed_in(client, user, reauthenticated=False))

    assert response["Location"].startswith("/accounts/2fa/webauthn/reauthenticate/")


def test_export_holds_allauths_rows_but_never_a_second_factors_secret(client, user):
    secret = enrol_totp(user)

    data = json.loads(export(signed_in(client, user)).content)

    assert [row["email"] for row in data["account.emailaddress"]] == ["ada@example.com"]
    assert {row["type"] for row in data["mfa.authenticator"]} == {"totp", "recovery_codes"}
    assert [row["ip"] for row in data["usersessions.usersession"]] == ["127.0.0.1"]
    assert secret not in json.dumps(data)


def test_deletion_refuses_without_confirmation(client, user, django_user_model):
    response = erase(signed_in(client, user), confirm=False)
    assert response.status_code == 400
    assert django_user_model.objects.filter(pk=user.pk).exists()


def test_deletion_leaves_no_row_and_no_s3_object_of_the_user(
    client, user, other, s3_bucket, django_user_model, django_capture_on_commit_callbacks
):
    attachment(user, "a.pdf")
    attachment(user, "b.pdf")
    kept = attachment(other, "theirs.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = erase(signed_in(client, user))
    run_queued_tasks()  # the worker removes the files
    assert response.status_code == 302
    assert not django_user_model.objects.filter(pk=user.pk).exists()
    assert list(Attachment.objects.values_list("pk", flat=True)) == [kept.pk]
    assert s3_bucket.object_keys() == [f"media/{kept.file.name}"]
    assert not PendingMediaDeletion.objects.exists()


def test_erasure_request_leaves_the_storage_to_the_worker(
    client, user, s3_bucket, django_capture_on_commit_callbacks
):
    """The request deletes rows and queues a task; no S3 call happens inside it."""
    item = attachment(user)
    s3_bucket.requests.clear()

    with django_capture_on_commit_callbacks(execute=True):
        erase(signed_in(client, user))

    assert not [request for request in s3_bucket.requests if request.method == "DELETE"]
    assert s3_bucket.object_keys() == [f"media/{item.file.name}"]
    assert list(PendingMediaDeletion.objects.values_list("name", flat=True)) == [item.file.name]


def test_deletion_ends_every_session_of_the_user(client, user, other, django_user_model):
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(user)
    bystander = Client()
    bystander.force_login(other)
    erase(signed_in(client, user))
    owners = {s.get_decoded().get("_auth_user_id") for s in Session.objects.all()}
    assert owners == {str(other.pk)}


def test_deletion_tells_the_owner_by_email(client, user):
    from django.core import mail

    erase(signed_in(client, user))

    (notice,) = [message for message in mail.outbox if message.to == ["ada@example.com"]]
    assert "Your account was deleted" in notice.subject


def test_deletion_logs_an_event_without_personal_data(client, user, caplog):
    with caplog.at_level(logging.INFO, logger="security"):
        erase(signed_in(client, user))
    lines = [r.getMessage() for r in caplog.records if "account_deleted" in r.getMessage()]
    assert len(lines) == 1 and f"user_id={user.pk}" in lines[0]
    assert "ada" not in lines[0] and "example.com" not in lines[0]


def test_storage_outage_keeps_the_file_queued_and_the_account_wholly_deleted(
    client, user, s3_bucket, django_user_model, django_capture_on_commit_callbacks, monkeypatch
):
    item = attachment(user)

    storage_outage(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        erase(signed_in(client, user))
    run_queued_tasks()
    assert not django_user_model.objects.filter(pk=user.pk).exists()
    assert not Attachment.objects.exists()
    assert list(PendingMediaDeletion.objects.values_list("name", flat=True)) == [item.file.name]
    assert s3_bucket.object_keys() == [f"media/{item.file.name}"]


def test_retry_command_removes_what_an_outage_left(user, s3_bucket, monkeypatch):
    item = attachment(user)
    PendingMediaDeletion.objects.create(name=str(item.file.name))
    Attachment.objects.filter(pk=item.pk)._raw_delete("default")
    call_command("remove_deleted_media")
    assert s3_bucket.object_keys() == []
    assert not PendingMediaDeletion.objects.exists()


def test_retry_command_fails_and_keeps_the_queue_while_storage_is_down(user, monkeypatch):
    PendingMediaDeletion.objects.create(name="attachments/gone.pdf")

    storage_outage(monkeypatch)
    with pytest.raises(CommandError):
        call_command("remove_deleted_media")
    assert PendingMediaDeletion.objects.get().attempts == 1


def test_failure_inside_the_transaction_deletes_nothing(
    client, user, media_root, django_user_model, monkeypatch
):
    from privacy import personal_data

    attachment(user)

    def broken(user):
        raise RuntimeError("database went away")

    monkeypatch.setattr(personal_data, "end_sessions", broken)
    with pytest.raises(RuntimeError):
        erase(signed_in(client, user))
    assert django_user_model.objects.filter(pk=user.pk).exists()
    assert Attachment.objects.filter(owner=user).count() == 1
    assert not PendingMediaDeletion.objects.exists()


def test_last_superuser_cannot_delete_themselves(client, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@example.com", password=PASSWORD)
    enrol_totp(root)  # staff reach no page without a second factor
    response = erase(signed_in(client, root))
    assert response.status_code == 400
    assert django_user_model.objects.filter(pk=root.pk).exists()


def admin_post(client, staff, admin_url, action: str, user):
    """Run an admin action on the user list, signed in with password and TOTP code."""
    sign_in_with_code(client, staff)
    return client.post(
        admin_url("users/user/"),
        {"action": action, "_selected_action": [user.pk]},
        secure=True,
    )


def test_admin_export_action_downloads_the_users_data(client, staff, user, admin_url):
    response = admin_post(client, staff, admin_url, "export_data", user)
    assert response.status_code == 200
    assert json.loads(response.content)["account"]["email"] == "ada@example.com"


def test_admin_erase_action_deletes_the_account_and_its_files(
    client,
    staff,
    user,
    admin_url,
    media_root,
    django_user_model,
    django_capture_on_commit_callbacks,
):
    item = attachment(user)
    with django_capture_on_commit_callbacks(execute=True):
        admin_post(client, staff, admin_url, "erase_accounts", user)
    run_queued_tasks()
    assert not django_user_model.objects.filter(pk=user.pk).exists()
    assert not (media_root / item.file.name).exists()
