"""Uploads on a real S3 API: private objects, signed links that expire, nothing overwritten.

Files go up through the test app's upload form (tests/testapp), as through any app's.

The S3 API server is moto's (started on 127.0.0.1 by the template's tests; see
tests/conftest.py for running one yourself): the only thing that stands in for AWS. It
refuses anonymous reads of private objects as S3 does, but checks neither signatures
nor link expiry and has no Block Public Access, so those are checked on what is sent:
no ACL header on any request, no public grant on any object, and the expiry signed
into each link.
"""

import html
import http.client
import io
import urllib.parse

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from tests import samples
from tests.conftest import run_queued_tasks
from tests.testapp.models import Attachment
from tests.testapp.urls import UPLOAD_PATH

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp.urls")]

PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


@pytest.fixture
def signed_in(client, user, s3_bucket):
    client.force_login(user)
    return client


def uploaded(client, name: str = "report.pdf", content: bytes = samples.PDF, **kwargs):
    response = samples.upload(client, UPLOAD_PATH, name, content, **kwargs)
    assert response.status_code == 302, html.unescape(response.content.decode())[-2000:]
    return Attachment.objects.latest("pk")


def key_of(attachment: Attachment) -> str:
    return f"media/{attachment.file.name}"


def fetch(url: str) -> tuple[int, bytes]:
    """GET a URL on the S3 API server (plain HTTP on loopback), with no credentials."""
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname, url
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def signed_link(attachment: Attachment) -> str:
    """The link a view hands out: the storage's URL, signed for a few minutes."""
    return attachment.file.url


def test_upload_lands_under_the_media_prefix_with_a_random_name(signed_in, s3_bucket):
    attachment = uploaded(signed_in, "Quarterly report.pdf")

    assert s3_bucket.object_keys() == [key_of(attachment)]
    assert key_of(attachment).startswith("media/attachments/")
    assert "Quarterly" not in key_of(attachment)


def test_a_photo_is_stored_without_its_location(signed_in, s3_bucket):
    attachment = uploaded(signed_in, "photo.jpg", samples.jpeg_with_location())

    status, stored = fetch(signed_link(attachment))

    assert status == 200
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}, "GPS and serial stay home"
    assert Image.open(io.BytesIO(stored)).size == (8, 16), "turned upright"


def test_upload_sends_no_acl(signed_in, s3_bucket):
    uploaded(signed_in)

    puts = [request for request in s3_bucket.requests if request.method == "PUT"]
    assert puts, "the upload should have been sent"
    for request in puts:
        assert "x-amz-acl" not in {name.lower() for name in request.headers}, request.headers


def test_uploaded_object_has_no_public_grant(signed_in, s3_bucket):
    attachment = uploaded(signed_in)

    grants = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key=key_of(attachment))
    grantees = {grant["Grantee"].get("URI") for grant in grants["Grants"]}

    assert not grantees & PUBLIC_GROUPS, grants["Grants"]
    assert [grant["Permission"] for grant in grants["Grants"]] == ["FULL_CONTROL"]


def test_anonymous_get_of_an_upload_is_refused(signed_in, s3_bucket):
    attachment = uploaded(signed_in)

    status, _ = fetch(f"{s3_bucket.endpoint}/{s3_bucket.name}/{key_of(attachment)}")

    assert status == 403


def test_signed_link_to_an_upload_works(signed_in):
    attachment = uploaded(signed_in)

    status, body = fetch(signed_link(attachment))

    assert status == 200
    assert body == samples.PDF


def test_signed_link_expires_within_minutes(signed_in):
    link = signed_link(uploaded(signed_in))

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)

    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Signature"][0]
    assert 0 < int(query["X-Amz-Expires"][0]) <= 600, "signed links must expire within minutes"


def test_pdf_is_stored_as_an_attachment_of_its_checked_type(signed_in, s3_bucket):
    attachment = uploaded(signed_in, content_type="text/html")

    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=key_of(attachment))

    assert head["ContentType"] == "application/pdf"
    stored_name = attachment.file.name.split("/")[-1]
    assert head["ContentDisposition"] == f'attachment; filename="{stored_name}"'


def test_image_is_stored_inline_whatever_type_the_client_claimed(signed_in, s3_bucket):
    attachment = uploaded(signed_in, "photo.png", samples.PNG, content_type="text/html")

    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=key_of(attachment))

    assert head["ContentType"] == "image/png"
    assert head["ContentDisposition"].startswith("inline;")


def test_second_upload_with_the_same_name_does_not_overwrite(signed_in, s3_bucket):
    first = uploaded(signed_in, "report.pdf", samples.PDF)
    second = uploaded(signed_in, "report.pdf", samples.PDF + b"% second version\n")

    assert first.file.name != second.file.name
    assert fetch(signed_link(first))[1] == samples.PDF
    assert fetch(signed_link(second))[1].endswith(b"second version\n")


def test_storage_gives_a_taken_name_a_new_one(s3_bucket):
    # Random names already make clashes unlikely; the storage refuses to overwrite too.
    first = default_storage.save("attachments/same.pdf", ContentFile(samples.PDF))
    second = default_storage.save("attachments/same.pdf", ContentFile(b"%PDF-1.4 other"))

    assert first == "attachments/same.pdf"
    assert second != first
    assert default_storage.open(first).read() == samples.PDF


@pytest.mark.parametrize("case", list(samples.BAD_UPLOADS))
def test_bad_upload_gets_a_form_error_and_stores_nothing(signed_in, s3_bucket, case):
    name, content, message = samples.BAD_UPLOADS[case]

    response = samples.upload(signed_in, UPLOAD_PATH, name, samples.content_of(content))

    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not Attachment.objects.exists()
    assert s3_bucket.object_keys() == []
    assert not [request for request in s3_bucket.requests if request.method == "PUT"]


def test_deleting_a_row_deletes_its_object(
    signed_in, s3_bucket, django_capture_on_commit_callbacks
):
    attachment = uploaded(signed_in)

    # Removed by the worker once the deleting transaction commits (media.deletion).
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
    run_queued_tasks()

    assert s3_bucket.object_keys() == []
