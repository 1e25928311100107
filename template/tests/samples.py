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


def pdf(*objects: bytes, catalog: bytes = b"") -> bytes:
    """A minimal PDF: a catalogue (with `catalog` inside its dictionary), no pages, and
    `objects` numbered from 3 on."""
    body = b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R " + catalog + b">> endobj\n"
    body += b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    for number, content in enumerate(objects, 3):
        body += b"%d 0 obj " % number + content + b" endobj\n"
    return body + b"trailer <</Root 1 0 R>>\n%%EOF\n"


def object_stream(*objects: bytes) -> bytes:
    """A compressed object stream (PDF 1.5) holding `objects`, numbered from 10 on."""
    offsets, packed = [], b""
    for content in objects:
        offsets.append(len(packed))
        packed += content + b"\n"
    header = b" ".join(b"%d %d" % (10 + n, offset) for n, offset in enumerate(offsets)) + b"\n"
    data = zlib.compress(header + packed)
    return (
        (
            b"<</Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d>>\nstream\n"
            % (len(objects), len(header), len(data))
        )
        + data
        + b"\nendstream"
    )


ALERT = b"<</S /JavaScript /JS (app.alert(document.title))>>"
# PDFs that attack whoever opens them: a script run on opening, the same with its names
# spelled in #xx escapes, a script packed in a compressed object stream, a program
# launched when the first page opens.
PDF_OPENING_A_SCRIPT = pdf(catalog=b"/OpenAction " + ALERT)
PDF_WITH_ESCAPED_NAMES = pdf(catalog=b"/OpenAction <</S /J#61vaScript /J#53 (app.alert(1))>>")
PDF_WITH_A_PACKED_SCRIPT = pdf(object_stream(b"<</Type /Action>>", ALERT))
PDF_LAUNCHING_A_PROGRAM = pdf(b"<</Type /Page /AA <</O <</S /Launch /F (calc.exe)>>>>>>")
# What most generators write: open at the first page, fitted to the window.
PDF_OPENING_AT_A_PAGE = pdf(b"<</Type /Page>>", catalog=b"/OpenAction [3 0 R /Fit]")
PDF_OPENING_AT_A_REFERENCED_PAGE = pdf(b"[3 0 R /Fit]", catalog=b"/OpenAction 3 0 R")


def jpeg_with_location(size: tuple[int, int] = (16, 8)) -> bytes:
    """A photo as a phone writes it: GPS position, camera make, model and serial number,
    and orientation 6 (the pixels are stored on their side: rotate 90° clockwise)."""
    picture = Image.new("RGB", size, (200, 40, 40))
    picture.paste((20, 20, 220), (0, 0, 4, 4))  # a blue corner, to see where it ends up
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "PhoneMaker", "Phone 12", 6
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-0042-SECRET"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


# A PNG whose compressed text chunks (zTXt, iTXt) hold a web page: compressed, the
# markup check cannot see it.
_packed = PngImagePlugin.PngInfo()
_packed.add_text("Comment", "<html><script>alert(document.domain)</script></html>", zip=True)
_packed.add_itxt("Description", "<svg onload=alert(1)>", zip=True)
PNG_WITH_PACKED_HTML = image("PNG", pnginfo=_packed)

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
    "pdf-opening-a-script": ("form.pdf", PDF_OPENING_A_SCRIPT, "(/JS, /JavaScript, /OpenAction)"),
    "pdf-with-escaped-names": ("form.pdf", PDF_WITH_ESCAPED_NAMES, "(/JS, /JavaScript"),
    "pdf-with-a-packed-script": ("form.pdf", PDF_WITH_A_PACKED_SCRIPT, "(/JS, /JavaScript)"),
    "pdf-launching-a-program": ("form.pdf", PDF_LAUNCHING_A_PROGRAM, "(/AA, /Launch)"),
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
