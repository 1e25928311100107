"""Files for the upload tests, made here from scratch: good ones of every allowed type and
each kind of bad file an attacker sends. Uploads are posted as raw multipart bodies, so
file names reach Django exactly as a hostile client would send them.
"""

import io
import struct
import zlib

from django.conf import settings
from PIL import Image, PngImagePlugin


def image(image_format: str, size: tuple[int, int] = (8, 8), **save_options) -> bytes:
    """A small, valid image in one of Pillow's formats (PNG, JPEG, GIF, WEBP)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, image_format, **save_options)
    return buffer.getvalue()


PNG = image("PNG")
JPEG = image("JPEG")
GIF = image("GIF")
WEBP = image("WEBP")
# The smallest useful PDF: a catalogue with no pages.
PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
HTML = b"<!doctype html><html><body><script>fetch('/steal?c='+document.cookie)</script>"
SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.domain)</script></svg>"
)
# A valid PNG whose text chunk is a web page: Pillow verifies it, and a browser that
# ever sniffed it as HTML would run the script.
_info = PngImagePlugin.PngInfo()
_info.add_text("Comment", "<html><script>alert(document.domain)</script></html>")
POLYGLOT_PNG = image("PNG", pnginfo=_info)
# Windows executable header.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header announcing a huge image (a decompression bomb) with no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def oversized_pdf() -> bytes:
    """A real PDF one byte over the upload cap."""
    return PDF + b"%" * (settings.UPLOAD_MAX_SIZE + 1 - len(PDF))


# Each bad upload: (name sent by the client, content, what the form says). Django keeps
# only the last path component of a name and drops control characters before any code
# of ours sees it; those rows show what is left of such a name is refused too.
BAD_UPLOADS = {
    "html-named-png": ("photo.png", HTML, "The file's content is not a PNG image"),
    "svg-named-png": ("logo.png", SVG_WITH_SCRIPT, "The file's content is not a PNG image"),
    "truncated-png": ("photo.png", PNG[: len(PNG) // 2], "content is not a PNG image"),
    "pdf-content-named-png": ("scan.png", PDF, "content is not a PNG image"),
    "png-content-named-pdf": ("scan.pdf", PNG, "content is not a PDF document"),
    "oversized": ("big.pdf", oversized_pdf, "The file is larger than 10.0\xa0MB"),
    "svg-with-script": ("logo.svg", SVG_WITH_SCRIPT, "SVG and HTML files can run scripts"),
    "html-page": ("page.html", HTML, "SVG and HTML files can run scripts"),
    "polyglot-png-html": ("photo.png", POLYGLOT_PNG, "contains HTML or script markup"),
    "double-extension": ("photo.php.png", PNG, "more than one extension (.php inside it)"),
    "nul-byte-in-name": ("photo.html\x00.png", PNG, "more than one extension (.html inside it)"),
    "path-to-a-script": ("../../static/js/site.js", b"alert(1)", "Files ending .js are not"),
    "executable": ("setup.exe", EXE, "Files ending .exe are not accepted"),
    "no-extension": ("README", PDF, "The file name needs an extension"),
    "decompression-bomb": ("huge.png", png_claiming(30_000, 30_000), "too many pixels"),
}


def content_of(entry) -> bytes:
    return entry() if callable(entry) else entry


def multipart(filename: str, content: bytes, content_type: str = "application/octet-stream"):
    """A multipart/form-data body with one file field, the name sent byte for byte."""
    boundary = "parapet-test-boundary-7c1e"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client, path: str, filename: str, content: bytes, content_type: str = "application/pdf"):
    """POST one file to the upload form at `path`, as a browser's form would."""
    body, body_type = multipart(filename, content, content_type)
    return client.post(path, data=body, content_type=body_type, secure=True)
