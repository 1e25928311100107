"""Active content in a PDF: JavaScript, and actions a viewer runs without being asked.

`active_content(data)` names what a PDF carries of it, empty for a document that only
shows pages. It reads the file as a PDF viewer finds objects: the objects written out in
the file, and those packed into compressed object streams (`/Type /ObjStm`, where the
names would otherwise hide), with `#xx` escapes in names decoded (`/J#53` is `/JS`).
It does not render or trust the file; a document it cannot read that way is reported
too, never waved through.

What counts as active:

- `/JS`, `/JavaScript`: scripts (document-level, in actions, in form fields);
- `/AA`: additional actions, run when a page opens or closes, a field changes...;
- `/OpenAction` unless it is a plain destination (`[3 0 R /Fit]`, the page and zoom a
  document opens at, which most generators write): an action run on opening;
- `/Launch`: starting another program or file; `/SubmitForm`, `/ImportData`: sending
  or loading data; `/RichMedia`: embedded Flash or video players; `/XFA`: scripted forms.

Links a reader clicks (`/URI`, `/GoTo`) and attached files (`/EmbeddedFile`, as in
e-invoices) are not active content.
"""

import base64
import re
import zlib

ACTIVE_NAMES = frozenset(
    {"JS", "JavaScript", "AA", "Launch", "SubmitForm", "ImportData", "RichMedia", "XFA"}
)
# A name: a slash and the characters up to the next delimiter or white space.
NAME = re.compile(rb"/((?:[^\x00\t\n\f\r ()<>\[\]{}/%])+)")
ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
OBJECT = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
STREAM = re.compile(rb"\bstream\r?\n")
REFERENCE = re.compile(rb"\s*(\d+)\s+(\d+)\s+R\b")
# How much an object stream may inflate to in all: a bound on memory for hostile files.
MAX_INFLATED_BYTES = 64 * 1024 * 1024


class UnreadablePDF(ValueError):
    """The PDF packs objects in a way these checks cannot read (so cannot clear)."""


def active_content(data: bytes) -> list[str]:
    """The kinds of active content in a PDF, sorted; empty when there are none."""
    found: set[str] = set()
    for text in [data, *_object_streams(data)]:
        for match in NAME.finditer(text):
            name = _decoded(match.group(1))
            opens_an_action = name == "OpenAction" and not _opens_a_destination(
                data, text, match.end()
            )
            if name in ACTIVE_NAMES or opens_an_action:
                found.add(name)
    return sorted(found)


def _decoded(raw: bytes) -> str:
    return ESCAPE.sub(lambda hexa: bytes.fromhex(hexa.group(1).decode()), raw).decode("latin-1")


def _names(text: bytes) -> list[str]:
    return [_decoded(match.group(1)) for match in NAME.finditer(text)]


def _opens_a_destination(data: bytes, text: bytes, position: int) -> bool:
    """Whether the value after /OpenAction is a destination array (directly or by reference)."""
    rest = text[position:].lstrip()
    if rest.startswith(b"["):
        return True
    reference = REFERENCE.match(text, position)
    if reference is None:
        return False
    number, generation = reference.groups()
    target = re.search(rb"(?<!\d)" + number + rb"\s+" + generation + rb"\s+obj\b\s*", data)
    return target is not None and data[target.end() : target.end() + 1] == b"["


def _object_streams(data: bytes) -> list[bytes]:
    """The inflated content of every object stream in the file."""
    streams = []
    inflated = 0
    for stream in STREAM.finditer(data):
        window = data[max(0, stream.start() - 4096) : stream.start()]
        objects = list(OBJECT.finditer(window))
        if not objects:
            continue
        dictionary = window[objects[-1].end() :]
        names = _names(dictionary)
        if b"endobj" in dictionary or "ObjStm" not in names:
            continue
        end = data.find(b"endstream", stream.end())
        content = data[stream.end() : end if end != -1 else len(data)]
        content = _decode_filters(content, _filters(names))
        inflated += len(content)
        if inflated > MAX_INFLATED_BYTES:
            raise UnreadablePDF("object streams inflate past the limit")
        streams.append(content)
    return streams


def _filters(names: list[str]) -> list[str]:
    """The filter names that follow /Filter in a stream's dictionary, in order."""
    if "Filter" not in names:
        return []
    following = names[names.index("Filter") + 1 :]
    known = ("FlateDecode", "Fl", "ASCIIHexDecode", "AHx", "ASCII85Decode", "A85")
    filters = []
    for name in following:
        if name not in known and not name.endswith("Decode"):
            break
        filters.append(name)
    return filters


def _decode_filters(content: bytes, filters: list[str]) -> bytes:
    for name in filters:
        try:
            if name in {"FlateDecode", "Fl"}:
                inflater = zlib.decompressobj()
                content = inflater.decompress(content, MAX_INFLATED_BYTES + 1)
            elif name in {"ASCIIHexDecode", "AHx"}:
                digits = re.sub(rb"\s", b"", content).split(b">")[0]
                content = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
            elif name in {"ASCII85Decode", "A85"}:
                content = base64.a85decode(content.strip().removesuffix(b"~>"), adobe=False)
            else:
                raise UnreadablePDF(f"object stream with the {name} filter")
        except (zlib.error, ValueError) as error:
            raise UnreadablePDF(f"object stream that does not decode ({name})") from error
    return content
