"""The example feature on local storage: upload, list and download your own documents.

S3 is covered by test_media_s3.py; here files live in a temporary MEDIA_ROOT, as on a
development machine, and the download view streams them itself.
"""

import html
import re

import pytest

from documents.models import Document
from tests import samples
from tests.conftest import INLINE_CODE, PASSWORD, run_queued_tasks, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user(email="grace@example.com", password=PASSWORD)


@pytest.fixture
def signed_in(client, user, media_root):
    client.force_login(user)
    return client


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/documents/", secure=True)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/documents/"


def test_upload_is_stored_under_a_random_name_and_listed(signed_in, user, media_root):
    response = samples.upload(signed_in, "/documents/", "Quarterly report.pdf", samples.PDF)

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.owner, document.name, document.size) == (
        user,
        "Quarterly report.pdf",
        len(samples.PDF),
    )
    assert re.fullmatch(r"documents/[0-9a-f]{32}\.pdf", document.file.name or "")
    assert stored_files(media_root) == [document.file.name]
    assert "Quarterly report.pdf" in page_text(signed_in.get("/documents/", secure=True))


def test_list_holds_only_the_users_own_documents(signed_in, other, media_root):
    samples.upload(signed_in, "/documents/", "mine.pdf", samples.PDF)
    Document.objects.create(owner=other, name="theirs.pdf", size=1, file="documents/x.pdf")

    text = page_text(signed_in.get("/documents/", secure=True))

    assert "mine.pdf" in text
    assert "theirs.pdf" not in text


def test_download_serves_a_pdf_as_an_attachment_with_its_checked_type(signed_in):
    samples.upload(signed_in, "/documents/", "report.pdf", samples.PDF, content_type="text/html")
    document = Document.objects.get()

    response = signed_in.get(f"/documents/{document.pk}/", secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    stored_name = (document.file.name or "").split("/")[-1]
    assert response["Content-Disposition"] == f'attachment; filename="{stored_name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("max-age=0, no-cache, no-store")
    assert b"".join(response.streaming_content) == samples.PDF


def test_download_shows_an_image_inline_whatever_type_the_client_claimed(signed_in):
    samples.upload(signed_in, "/documents/", "photo.png", samples.PNG, content_type="text/html")
    document = Document.objects.get()

    response = signed_in.get(f"/documents/{document.pk}/", secure=True)

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")


def test_images_are_previewed_from_the_site_itself(signed_in):
    samples.upload(signed_in, "/documents/", "photo.png", samples.PNG)
    document = Document.objects.get()

    page = signed_in.get("/documents/", secure=True).content.decode()

    assert f'<img src="/documents/{document.pk}/"' in page
    assert not INLINE_CODE.search(page), "the page must pass the strict CSP"


def test_another_users_document_is_not_found(signed_in, other, media_root):
    theirs = Document.objects.create(owner=other, name="t.pdf", size=1, file="documents/t.pdf")
    (media_root / "documents").mkdir()
    (media_root / "documents" / "t.pdf").write_bytes(samples.PDF)

    assert signed_in.get(f"/documents/{theirs.pk}/", secure=True).status_code == 404


def test_anonymous_visitor_cannot_download(client, other):
    theirs = Document.objects.create(owner=other, name="t.pdf", size=1, file="documents/t.pdf")

    response = client.get(f"/documents/{theirs.pk}/", secure=True)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("case", list(samples.BAD_UPLOADS))
def test_bad_upload_gets_a_form_error_and_stores_nothing(signed_in, media_root, case):
    name, content, message = samples.BAD_UPLOADS[case]

    response = samples.upload(signed_in, "/documents/", name, samples.content_of(content))

    assert response.status_code == 400
    assert message in page_text(response)
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_name_with_path_separators_never_reaches_the_storage(signed_in, media_root):
    # Django keeps only "photo.png" of this name; the file is then stored by its random
    # name inside documents/ like any other.
    samples.upload(signed_in, "/documents/", "../../../../etc/cron.d/photo.png", samples.PNG)

    document = Document.objects.get()
    assert document.name == "photo.png"
    assert stored_files(media_root) == [document.file.name]
    assert (document.file.name or "").startswith("documents/")


def test_same_name_uploaded_twice_keeps_both_files(signed_in, media_root):
    samples.upload(signed_in, "/documents/", "report.pdf", samples.PDF)
    samples.upload(signed_in, "/documents/", "report.pdf", samples.PDF + b"% second version\n")

    first, second = Document.objects.order_by("pk")
    assert first.file.name != second.file.name
    assert (media_root / first.file.name).read_bytes() == samples.PDF
    assert (media_root / second.file.name).read_bytes().endswith(b"second version\n")


def test_production_without_a_bucket_refuses_uploads(signed_in, settings, media_root):
    no_bucket = {"BACKEND": "media.storage.NoMediaStorage"}
    settings.STORAGES = {**settings.STORAGES, "default": no_bucket}

    response = samples.upload(signed_in, "/documents/", "report.pdf", samples.PDF)

    assert response.status_code == 400
    assert "Uploads are not available on this site" in page_text(response)
    assert not Document.objects.exists()


def test_deleting_a_user_deletes_their_files(
    signed_in, user, media_root, django_capture_on_commit_callbacks
):
    samples.upload(signed_in, "/documents/", "report.pdf", samples.PDF)

    # The worker removes the files once the deleting transaction commits (media.deletion).
    with django_capture_on_commit_callbacks(execute=True):
        user.delete()
    run_queued_tasks()

    assert stored_files(media_root) == []


def test_header_links_to_the_documents_page(signed_in):
    page = signed_in.get("/", secure=True).content.decode()

    assert '<a href="/documents/">Documents</a>' in page


def test_export_holds_the_users_documents(signed_in, user, other):
    from privacy.personal_data import export_data

    samples.upload(signed_in, "/documents/", "mine.pdf", samples.PDF)
    Document.objects.create(owner=other, name="theirs.pdf", size=1, file="documents/x.pdf")

    exported = export_data(user)["documents.document"]

    assert [item["name"] for item in exported] == ["mine.pdf"]
