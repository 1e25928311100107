"""The upload checks in media.uploads, on files made by tests/samples.py."""

import io
import re
from typing import cast

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from PIL import Image, PngImagePlugin

from media.uploads import (
    RandomName,
    UploadValidator,
    check_upload,
    content_headers,
)
from tests import samples
from tests.conftest import stored_files

pytestmark = pytest.mark.urls(__name__)


@login_not_required
@csrf_exempt
def uploaded_size(request):
    """What Django kept of an upload by the time a view (and a validator) sees it.

    Public, so the test posts without signing in; this URLconf is the test's alone.
    """
    return HttpResponse(str(request.FILES["file"].size))


urlpatterns = [path("size/", uploaded_size)]


def refusal(name: str, content: bytes, **options) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        check_upload(ContentFile(content, name=name), **options)
    return refused.value


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("report.pdf", samples.PDF, "application/pdf"),
        ("photo.png", samples.PNG, "image/png"),
        ("photo.jpg", samples.JPEG, "image/jpeg"),
        ("photo.jpeg", samples.JPEG, "image/jpeg"),
        ("anim.gif", samples.GIF, "image/gif"),
        ("photo.webp", samples.WEBP, "image/webp"),
        ("SHOUTING.PNG", samples.PNG, "image/png"),
        ("my.holiday.2026.png", samples.PNG, "image/png"),
    ],
)
def test_allowed_type_is_accepted_by_its_content(name, content, mime):
    assert check_upload(ContentFile(content, name=name)).mime == mime


@pytest.mark.parametrize(
    "case", [case for case in samples.BAD_UPLOADS if case not in {"path-to-a-script"}]
)
def test_bad_file_is_refused_with_a_message(case):
    name, content, message = samples.BAD_UPLOADS[case]
    # Django strips control characters from a posted name; here the name is raw.
    name = name.replace("\x00", "")

    error = refusal(name, samples.content_of(content))

    assert message.replace("&#x27;", "'") in error.messages[0], error.messages


@pytest.mark.parametrize(
    "name", ["../../static/js/site.js.png", "..\\evil.png", "dir/photo.png", "photo\x00.png"]
)
def test_name_with_path_separators_or_nul_is_refused(name):
    error = refusal(name, samples.PNG)

    assert error.code == "unsafe_name"


def test_content_read_as_a_different_allowed_type_is_refused():
    error = refusal("photo.png", samples.JPEG)

    assert error.code == "content_mismatch"


def test_a_field_may_set_a_lower_size_cap():
    error = refusal("report.pdf", samples.PDF + b"%" * 100, max_size=len(samples.PDF))

    assert error.code == "too_large"


def test_a_field_may_narrow_the_allowed_types():
    error = refusal("report.pdf", samples.PDF, allowed_types=["png"])

    assert error.messages == ["Files ending .pdf are not accepted: upload a PNG image."]


def test_svg_in_an_allow_list_needs_an_explicit_opt_in():
    with pytest.raises(ImproperlyConfigured, match="allow_markup=True"):
        UploadValidator(allowed_types=["png", "svg"])


def test_opted_in_svg_is_accepted_and_served_as_an_attachment():
    validator = UploadValidator(allowed_types=["svg"], allow_markup=True)
    svg = SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>')

    validator(svg)  # no ValidationError

    assert content_headers("attachments/abc.svg") == (
        "image/svg+xml",
        'attachment; filename="abc.svg"',
    )


def test_unknown_type_in_an_allow_list_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="KNOWN_TYPES"):
        UploadValidator(allowed_types=["docx"])


def test_validator_leaves_the_file_ready_to_be_stored():
    upload = SimpleUploadedFile("report.pdf", samples.PDF)

    UploadValidator()(upload)

    assert upload.read() == samples.PDF


@pytest.mark.parametrize(
    ("client_name", "extension"),
    [("../../My Report.PDF", ".pdf"), ("photo.JPEG", ".jpg"), ("notes.txt", "")],
)
def test_stored_name_is_random_with_only_the_checked_extension(client_name, extension):
    stored = RandomName("attachments")(None, client_name)

    assert re.fullmatch(rf"attachments/[0-9a-f]{{32}}{re.escape(extension)}", stored), stored


def test_stored_names_never_repeat():
    names = {RandomName("attachments")(None, "photo.png") for _ in range(100)}

    assert len(names) == 100


@pytest.mark.parametrize(
    ("stored", "headers"),
    [
        ("attachments/a1.png", ("image/png", 'inline; filename="a1.png"')),
        ("attachments/a1.jpg", ("image/jpeg", 'inline; filename="a1.jpg"')),
        ("attachments/a1.pdf", ("application/pdf", 'attachment; filename="a1.pdf"')),
        ("attachments/a1.html", ("text/html", 'attachment; filename="a1.html"')),
        ("attachments/a1", ("application/octet-stream", 'attachment; filename="a1"')),
    ],
)
def test_headers_come_from_the_stored_extension(stored, headers):
    assert content_headers(stored) == headers


def test_upload_handler_stops_buffering_one_byte_past_the_cap(client, settings):
    settings.UPLOAD_MAX_SIZE = 1000
    body, body_type = samples.multipart("big.pdf", b"%" * 50_000)

    response = client.post("/size/", data=body, content_type=body_type, secure=True)

    assert response.content == b"1001"


# --- Accepted images are drawn again without metadata; active PDFs are refused ---------


def validated(name: str, content: bytes) -> bytes:
    """What the validator leaves in an upload for the storage to save."""
    upload = SimpleUploadedFile(name, content)
    UploadValidator()(upload)
    assert upload.size == len(upload.read()), "the upload's size must be the new content's"
    upload.seek(0)
    return upload.read()


def test_a_photo_loses_its_location_and_serial_number_but_keeps_its_orientation():
    photo = samples.jpeg_with_location(size=(16, 8))
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825), "the sample has GPS tags"

    clean = Image.open(io.BytesIO(validated("photo.jpg", photo)))

    assert dict(clean.getexif()) == {}, "no EXIF at all: no GPS, camera, serial or orientation"
    assert b"SERIAL-0042" not in validated("photo.jpg", photo)
    assert clean.size == (8, 16), "orientation 6 is applied to the pixels (turned upright)"
    red, _, blue = cast(tuple[int, int, int], clean.getpixel((7, 0)))
    assert blue > 150 > red, "the blue corner turned with the picture, to the top right"


def png(data: bytes) -> PngImagePlugin.PngImageFile:
    image = Image.open(io.BytesIO(data))
    assert isinstance(image, PngImagePlugin.PngImageFile), image.format
    return image


def test_html_in_compressed_png_text_chunks_is_removed():
    page = samples.PNG_WITH_PACKED_HTML
    assert png(page).text, "the sample carries text chunks"

    clean = validated("photo.png", page)

    assert png(clean).text == {}
    assert not {b"tEXt", b"zTXt", b"iTXt"} & {clean[i : i + 4] for i in range(len(clean))}


@pytest.mark.parametrize(("name", "fmt"), [("anim.gif", "GIF"), ("anim.webp", "WEBP")])
def test_an_animated_image_keeps_every_frame(name, fmt):
    frames = [Image.new("RGB", (8, 8), (40 * n, 0, 0)) for n in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=80, loop=0)

    clean = Image.open(io.BytesIO(validated(name, buffer.getvalue())))

    assert getattr(clean, "n_frames", 1) == 3


@pytest.mark.django_db
@pytest.mark.urls("tests.testapp.urls")
def test_the_stored_file_is_the_clean_one(client, user, media_root):
    client.force_login(user)

    response = samples.upload(client, "/attachments/", "photo.jpg", samples.jpeg_with_location())

    assert response.status_code == 302, response.content
    (stored,) = stored_files(media_root)
    assert dict(Image.open(media_root / stored).getexif()) == {}


@pytest.mark.parametrize(
    "content", [samples.PDF_OPENING_AT_A_PAGE, samples.PDF_OPENING_AT_A_REFERENCED_PAGE]
)
def test_a_pdf_that_opens_at_a_page_is_accepted(content):
    assert check_upload(ContentFile(content, name="report.pdf")).mime == "application/pdf"


def test_a_pdf_with_scripts_is_accepted_when_the_project_opts_in(settings):
    settings.UPLOAD_ALLOW_ACTIVE_PDF = True

    assert check_upload(ContentFile(samples.PDF_OPENING_A_SCRIPT, name="form.pdf"))
