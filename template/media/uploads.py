"""Upload checks: a file is accepted for what its content is, never for what it claims.

    from media.uploads import RandomName, UploadValidator

    class Invoice(models.Model):
        file = models.FileField(
            upload_to=RandomName("invoices"),
            validators=[UploadValidator(allowed_types=["pdf", "png", "jpeg"])],
            max_length=255,
        )

`UploadValidator` refuses a file, with a message for the form, unless

- its name is a plain file name (no path separators or control characters) with one
  extension: `photo.png`, never `photo.php.png`;
- it is no larger than `settings.UPLOAD_MAX_SIZE` (or the validator's own lower cap);
- its extension names an allowed type and its content is that type: Pillow opens and
  verifies images, and puremagic recognises other types by their magic bytes;
- it holds no HTML or script markup anywhere: a polyglot (a valid image that is also a
  web page) is refused;
- a PDF carries no JavaScript and no action a viewer runs by itself (media.pdf), unless
  the project sets UPLOAD_ALLOW_ACTIVE_PDF.

An accepted image is then re-encoded from its pixels (`reencode_image`): EXIF (GPS
position, camera serial numbers, dates), XMP, comments and PNG text chunks are gone,
and the orientation a camera recorded is applied to the pixels before its tag goes.
The validator writes the clean image over the upload, so only it is ever stored.

SVG and HTML run scripts when a browser opens them, so they are refused unless a field
opts in with `allow_markup=True`; they are then served as attachments.

`RandomName` stores each upload under a random name with the checked type's extension,
so the client's name never reaches the storage. `content_headers(name)` gives the
Content-Type and Content-Disposition to serve a stored file with, read from that
extension: inline for images, attachment for everything else. `UploadSizeCapHandler`
stops an oversized upload from filling memory or disk before the validator runs.
"""

import io
import logging
import re
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

from media.pdf import UnreadablePDF, active_content

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileType:
    """A type of file recognised from its content."""

    label: str  # in messages: "The file's content is not a PNG image"
    mime: str
    extensions: tuple[str, ...]  # the first one ends stored names
    image_format: str | None = None  # Pillow's name; images are served inline
    markup: bool = False  # can carry scripts: refused unless a field opts in

    @property
    def extension(self) -> str:
        return self.extensions[0]


# Every type the checks can recognise. Add one here (its MIME type as puremagic reports
# it) before a field's allow-list can name it.
KNOWN_TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF document", "application/pdf", ("pdf",)),
    "png": FileType("PNG image", "image/png", ("png",), image_format="PNG"),
    "jpeg": FileType("JPEG image", "image/jpeg", ("jpg", "jpeg"), image_format="JPEG"),
    "gif": FileType("GIF image", "image/gif", ("gif",), image_format="GIF"),
    "webp": FileType("WebP image", "image/webp", ("webp",), image_format="WEBP"),
    "svg": FileType("SVG image", "image/svg+xml", ("svg",), markup=True),
    "html": FileType("HTML page", "text/html", ("html", "htm"), markup=True),
}
DEFAULT_ALLOWED_TYPES = ("pdf", "png", "jpeg", "gif", "webp")

# Extensions that must not hide inside a name (photo.php.png, invoice.pdf.exe): some
# servers and desktops act on any of them.
EXECUTABLE_EXTENSIONS = frozenset(
    "asp aspx bat cgi cmd com dll exe hta htm html jar js jsp mjs msi phar php php3 php4 "  # noqa: SIM905
    "php5 phtml pl ps1 py rb scr sh shtml svg vbs xhtml xml".split()
)
KNOWN_EXTENSIONS = frozenset(ext for kind in KNOWN_TYPES.values() for ext in kind.extensions)

# Path separators, NUL and other control characters.
UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")
# Markup a browser would run if it ever rendered the file as a page. Long enough that
# compressed image data does not match it by chance.
MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|svg[\s/>]|!doctype\s+html)|<\?php|javascript:",
    re.IGNORECASE,
)


def file_type_for(extension: str, allowed: Iterable[str] = KNOWN_TYPES) -> FileType | None:
    """The allowed type an extension names (without its dot, any case), or None."""
    extension = extension.lower()
    for name in allowed:
        if extension in KNOWN_TYPES[name].extensions:
            return KNOWN_TYPES[name]
    return None


def describe(allowed: Iterable[str]) -> str:
    labels = [KNOWN_TYPES[name].label for name in allowed]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def image_format(data: bytes) -> str | None:
    """Pillow's format name for an image that opens and verifies, else None.

    Raises ValidationError for a decompression bomb (more pixels than Pillow's
    MAX_IMAGE_PIXELS), which would exhaust memory when anything decodes it.
    """
    # Imported when a file arrives: workers that never see an upload skip ~10 MB.
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found = image.format
                image.verify()  # chunk checksums, truncation: without decoding pixels
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        raise ValidationError("The image has too many pixels.", code="too_many_pixels") from bomb
    except Exception:  # any failure to parse hostile input means "not this image"
        return None
    return found


def content_is(file_type: FileType, data: bytes) -> bool:
    """Whether the bytes are a file of this type, judged by content alone."""
    if file_type.image_format:
        return image_format(data) == file_type.image_format
    import puremagic  # imported when a file arrives, like Pillow

    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        return False
    return any(match.mime_type == file_type.mime for match in matches)


def check_upload(
    file: File[Any],
    allowed_types: Iterable[str] = DEFAULT_ALLOWED_TYPES,
    max_size: int | None = None,
) -> FileType:
    """Return the file's checked type, or raise ValidationError saying what is wrong."""
    allowed = tuple(allowed_types)
    name = file.name or ""
    if UNSAFE_NAME.search(name):
        raise ValidationError(
            "The file name may not contain path separators or control characters.",
            code="unsafe_name",
        )
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem.strip("."):
        raise ValidationError(
            f"The file name needs an extension: upload a {describe(allowed)}.",
            code="no_extension",
        )
    hidden = {part.lower() for part in stem.split(".")[1:]} & (
        EXECUTABLE_EXTENSIONS | KNOWN_EXTENSIONS
    )
    if hidden:
        raise ValidationError(
            "The file name has more than one extension (.%(hidden)s inside it); "
            "rename it so that it ends with its only extension.",
            code="double_extension",
            params={"hidden": sorted(hidden)[0]},
        )
    file_type = file_type_for(extension, allowed)
    if file_type is None:
        if (known := file_type_for(extension)) is not None and known.markup:
            raise ValidationError(
                "SVG and HTML files can run scripts in a browser and are not accepted.",
                code="markup_type",
            )
        raise ValidationError(
            "Files ending .%(extension)s are not accepted: upload a %(allowed)s.",
            code="type_not_allowed",
            params={"extension": extension.lower(), "allowed": describe(allowed)},
        )
    cap = min(settings.UPLOAD_MAX_SIZE, max_size or settings.UPLOAD_MAX_SIZE)
    if file.size > cap:
        raise ValidationError(
            "The file is larger than %(cap)s.",
            code="too_large",
            params={"cap": filesizeformat(cap)},
        )
    file.seek(0)
    data = file.read(cap + 1)
    file.seek(0)
    if not content_is(file_type, data):
        raise ValidationError(
            "The file's content is not a %(label)s, as its name says.",
            code="content_mismatch",
            params={"label": file_type.label},
        )
    if not file_type.markup and MARKUP.search(data):
        raise ValidationError(
            "The file contains HTML or script markup, which a browser could run.",
            code="markup_inside",
        )
    if file_type.mime == "application/pdf" and not settings.UPLOAD_ALLOW_ACTIVE_PDF:
        check_pdf(data)
    return file_type


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that carries scripts or actions a viewer runs by itself (media.pdf)."""
    try:
        found = active_content(data)
    except UnreadablePDF as unreadable:
        raise ValidationError(
            "The PDF packs its contents in a way that cannot be checked for scripts.",
            code="pdf_unreadable",
        ) from unreadable
    if found:
        raise ValidationError(
            "The PDF contains JavaScript or actions that run by themselves "
            "(%(found)s); save it again without them, for example by printing it to PDF.",
            code="pdf_active_content",
            params={"found": ", ".join(f"/{name}" for name in found)},
        )


# Options for re-encoding each format: lossless formats stay lossless.
REENCODE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "GIF": {},
    "WEBP": {"quality": 90},
}
# Per-frame details worth keeping; everything else in an image's info is metadata.
KEPT_INFO = ("transparency", "duration", "loop", "background", "disposal")


def reencode_image(data: bytes, image_format: str) -> bytes:
    """The image drawn again from its pixels, with no metadata but its colour profile.

    EXIF orientation is applied first, so the image looks as it did. Animated GIF and
    WebP images keep every frame and their timing. Raises ValidationError when all
    frames together have more pixels than Pillow's MAX_IMAGE_PIXELS.
    """
    from PIL import Image, ImageOps, ImageSequence

    with Image.open(io.BytesIO(data)) as image:
        frames = getattr(image, "n_frames", 1)
        if frames * image.width * image.height > (Image.MAX_IMAGE_PIXELS or float("inf")):
            raise ValidationError("The image has too many pixels.", code="too_many_pixels")
        icc_profile = image.info.get("icc_profile")
        if frames == 1:
            pictures = [ImageOps.exif_transpose(image)]
        else:
            pictures = [frame.copy() for frame in ImageSequence.Iterator(image)]
        for picture in pictures:
            picture.info = {key: picture.info[key] for key in KEPT_INFO if key in picture.info}
        options: dict[str, object] = {**REENCODE_OPTIONS[image_format]}
        if icc_profile:
            options["icc_profile"] = icc_profile
        if "transparency" in pictures[0].info:
            options["transparency"] = pictures[0].info["transparency"]
        if frames > 1:
            options.update(
                save_all=True,
                append_images=pictures[1:],
                duration=[picture.info.get("duration", 100) for picture in pictures],
                loop=image.info.get("loop", 0),
            )
        output = io.BytesIO()
        pictures[0].save(output, image_format, **options)
    return output.getvalue()


def replace_content(file: File[Any], data: bytes) -> None:
    """Write `data` over an upload not yet stored, so the storage saves `data` instead.

    The upload's own file object is rewritten (a temporary file stays the same file),
    whatever wraps it: a model field's FieldFile or the upload itself.
    """
    upload: Any = file.file if hasattr(file, "_committed") else file
    upload.seek(0)
    upload.truncate()
    upload.write(data)
    upload.seek(0)
    upload.size = len(data)


@deconstructible
class UploadValidator:
    """A FileField validator running check_upload with this field's allow-list and cap."""

    def __init__(
        self,
        allowed_types: Iterable[str] = DEFAULT_ALLOWED_TYPES,
        max_size: int | None = None,
        allow_markup: bool = False,
    ) -> None:
        self.allowed_types = tuple(allowed_types)
        unknown = sorted(set(self.allowed_types) - KNOWN_TYPES.keys())
        if unknown:
            raise ImproperlyConfigured(
                f"UploadValidator does not know {unknown}; add them to media.uploads.KNOWN_TYPES."
            )
        markup = sorted(name for name in self.allowed_types if KNOWN_TYPES[name].markup)
        if markup and not allow_markup:
            raise ImproperlyConfigured(
                f"UploadValidator was asked to accept {markup}, which can run scripts in a "
                "browser; pass allow_markup=True to accept them on purpose."
            )
        self.max_size = max_size
        self.allow_markup = allow_markup

    def __call__(self, file: File[Any]) -> None:
        if getattr(file, "_committed", False):
            return  # already stored: it was checked when it arrived
        # A storage that keeps nothing (production without a bucket, media.storage) says
        # so; asking it keeps this module free of the storage backends and boto3.
        if not getattr(default_storage, "accepts_uploads", True):
            logger.warning("upload refused: no media bucket (AWS_STORAGE_BUCKET_NAME) is set")
            raise ValidationError(
                "Uploads are not available on this site at the moment.", code="no_storage"
            )
        file_type = check_upload(file, self.allowed_types, self.max_size)
        if file_type.image_format:
            file.seek(0)
            replace_content(file, reencode_image(file.read(), file_type.image_format))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadValidator) and (
            self.allowed_types,
            self.max_size,
            self.allow_markup,
        ) == (other.allowed_types, other.max_size, other.allow_markup)

    def __hash__(self) -> int:
        return hash((self.allowed_types, self.max_size, self.allow_markup))


@deconstructible
class RandomName:
    """A FileField's upload_to: `<folder>/<32 random hex digits>.<extension>`.

    Only the extension survives from the client's name, and only as the canonical
    extension of a known type (the validator has checked it against the content).
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Model | None, filename: str) -> str:
        file_type = file_type_for(PurePosixPath(filename).suffix.lstrip("."))
        extension = f".{file_type.extension}" if file_type else ""
        return f"{self.folder}/{secrets.token_hex(16)}{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and self.folder == other.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def attachment_header(as_attachment: bool, filename: str) -> str:
    """Content-Disposition for `filename`; Django's helper is None only without a name."""
    return content_disposition_header(as_attachment, filename) or "attachment"


def content_headers(name: str) -> tuple[str, str]:
    """Content-Type and Content-Disposition for a stored file, from its extension.

    Images of a known type are shown inline; everything else, SVG and HTML included,
    is an attachment the browser downloads instead of rendering.
    """
    path = PurePosixPath(name)
    file_type = file_type_for(path.suffix.lstrip("."))
    if file_type is None:
        return "application/octet-stream", attachment_header(True, path.name)
    inline = file_type.image_format is not None and not file_type.markup
    return file_type.mime, attachment_header(not inline, path.name)


class UploadSizeCapHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes on at most UPLOAD_MAX_SIZE + 1 bytes per file.

    Django buffers an upload in memory or a temporary file before any validator sees
    it, and DATA_UPLOAD_MAX_MEMORY_SIZE does not count files: without this handler a
    client could fill either. The validator then sees a file one byte over the cap and
    refuses it with a form error.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.passed_on = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = settings.UPLOAD_MAX_SIZE + 1 - self.passed_on
        data = raw_data[: max(room, 0)]
        self.passed_on += len(data)
        return data or None

    def file_complete(self, file_size: int) -> None:
        return None
