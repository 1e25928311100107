"""Private media on S3: a document goes up and comes back down through the router.

The default answers are deployed once more with a media bucket on moto's S3 API
server (127.0.0.1); a signed-in visitor uploads through the documents page.
"""

import re
import secrets
import struct
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from tests.support.deployments import (
    HOST,
    MEDIA_BUCKET,
    Deployment,
    Response,
    Site,
    create_user,
    csrf_token,
    on_s3,
    set_cookies,
)

pytestmark = pytest.mark.slow


def bucket_keys(deployment: Deployment) -> list[str]:
    listing = "listing = client.list_objects_v2(Bucket=os.environ['AWS_STORAGE_BUCKET_NAME'])\n"
    keys = "print(' '.join(item['Key'] for item in listing.get('Contents', [])))\n"
    return on_s3(deployment, listing + keys).split()


@dataclass
class Visitor:
    """A signed-in browser's cookies and CSRF token, for requests through the router."""

    site: Site
    cookies: dict[str, str]
    csrf_token: str

    def headers(self, **extra: str) -> dict[str, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {"Cookie": cookie, "Origin": f"https://{HOST}", **extra}

    def get(self, path: str) -> Response:
        return self.site.request(path, headers=self.headers())

    def post(self, path: str, body: bytes, content_type: str) -> Response:
        headers = self.headers(**{"Content-Type": content_type})
        return self.site.request(path, method="POST", body=body, headers=headers)

    def upload(self, filename: str, content: bytes) -> Response:
        """The documents page's upload form, loaded and posted as multipart/form-data."""
        self.csrf_token = csrf_token(self.get("/documents/"))
        boundary = secrets.token_hex(16)
        fields = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{self.csrf_token}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        body = fields.encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.post("/documents/", body, f"multipart/form-data; boundary={boundary}")


def sign_in(site: Site, email: str, password: str) -> Visitor:
    """Log in through the login page, as a browser does: CSRF cookie and token first.

    Logging in rotates the CSRF secret: later forms carry a token from their own page.
    """
    form = site.request("/accounts/login/")
    visitor = Visitor(site, set_cookies(form), csrf_token(form))
    credentials = {"csrfmiddlewaretoken": visitor.csrf_token, "login": email,
                   "password": password}  # fmt: skip
    login = visitor.post(
        "/accounts/login/", urlencode(credentials).encode(), "application/x-www-form-urlencoded"
    )
    assert login.status == 302, login.body[-2000:]
    visitor.cookies.update(set_cookies(login))
    return visitor


@pytest.fixture(scope="module")
def media_visitor(media_site) -> Visitor:
    email, password = "uploader@example.com", secrets.token_urlsafe(16)
    create_user(media_site.deployment, email, password)
    return sign_in(media_site, email, password)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


# A valid 1x1 RGB PNG, built here (the template's tests need no imaging library).
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + png_chunk(b"IDAT", zlib.compress(b"\x00\xc8\x28\x28"))
    + png_chunk(b"IEND", b"")
)


def test_upload_through_the_router_lands_private_in_the_bucket(
    media_site, media_visitor, s3_server
):
    response = media_visitor.upload("photo.png", PNG)

    assert response.status == 302, response.body[-2000:]
    (key,) = bucket_keys(media_site.deployment)
    assert re.fullmatch(r"media/documents/[0-9a-f]{32}\.png", key), key
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{s3_server}/{MEDIA_BUCKET}/{key}", timeout=10)  # noqa: S310
    assert anonymous.value.code == 403, "an anonymous read must be refused"


def test_download_through_the_router_is_a_short_lived_signed_link(media_site, media_visitor):
    media_visitor.upload("report.png", PNG)
    listing = media_visitor.get("/documents/").body.decode()
    document_path = re.findall(r'<a href="(/documents/\d+/)">report\.png</a>', listing)[0]

    redirect = media_visitor.get(document_path)
    link = redirect.headers["Location"]
    with urllib.request.urlopen(link, timeout=10) as fetched:  # noqa: S310 (loopback)
        body, content_type = fetched.read(), fetched.headers["Content-Type"]

    assert redirect.status == 302
    assert "X-Amz-Expires=300" in link and "X-Amz-Signature=" in link
    assert (body, content_type) == (PNG, "image/png")


def test_documents_page_allows_images_from_the_bucket_origin(media_visitor, s3_server):
    policy = media_visitor.get("/documents/").headers["Content-Security-Policy"]

    assert f"img-src 'self' data: {s3_server};" in policy


def test_bad_upload_through_the_router_is_a_form_error_and_stores_nothing(
    media_site, media_visitor
):
    before = bucket_keys(media_site.deployment)

    response = media_visitor.upload("photo.png", b"<!doctype html><script>alert(1)</script>")

    assert response.status == 400
    assert b"is not a PNG image" in response.body
    assert bucket_keys(media_site.deployment) == before
