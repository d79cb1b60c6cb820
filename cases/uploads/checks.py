"""Validation of uploaded files by their content, not their name or the browser's claim.

The type is sniffed from the file's magic bytes (the ``filetype`` library), then the file is
checked by the library for that format (pypdf for PDF, Pillow for images) so that corrupt,
truncated or password-protected files are refused before anything is stored. Markup (SVG,
HTML, XML), Office files and archives are refused whatever a checklist accepts; a file that is
also a ZIP archive (a polyglot) is refused.

``screen_upload`` is what a web request runs: checks whose memory is bounded by bytes, not
pixels (issue 18). Images then need the worker (``cases.uploads.pipeline.process_upload``:
decode check, HEIC/HEIF to JPEG, location removal). ``check_upload`` runs both, in process."""

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cases.uploads.images import _check_image_header
from cases.uploads.pdfs import _check_pdf
from cases.uploads.pipeline import process_upload
from cases.uploads.types import HEIF_TYPES, IMAGE_TYPES, TYPE_EXTENSIONS, TYPE_LABELS
from portal.errors import InvalidInput
from portal.text import listed

# Human names of the MIME types a checklist item may accept.


# Refused everywhere, whatever a checklist item says: archives and Office documents (macros).
ARCHIVE_TYPES = frozenset(
    {
        "application/zip",
        "application/gzip",
        "application/x-bzip2",
        "application/x-lzip",
        "application/x-xz",
        "application/x-tar",
        "application/x-rar-compressed",
        "application/vnd.rar",
        "application/x-7z-compressed",
        "application/x-compress",
        "application/zstd",
        "application/x-unix-archive",
        "application/vnd.ms-cab-compressed",
        "application/epub+zip",
    }
)
# Programs and scripts by content (filetype's names): refused with their own message.
PROGRAM_TYPES = frozenset(
    {"application/x-msdownload", "application/x-executable", "application/x-sh"}
)


OFFICE_MARKERS = ("msword", "ms-excel", "ms-powerpoint", "officedocument", "opendocument")


_MARKUP_MARKERS = (b"<svg", b"<html", b"<!doctype", b"<script", b"<?xml", b"<body", b"<iframe")


# Legacy Office (.doc, .xls, .ppt) compound files.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


MAX_FILENAME_CHARS = 255


_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class CheckedFile:
    """What validation learned: sniffed MIME type, size in bytes, SHA-256 hex, display name,
    ``stream``: the bytes to store (the upload itself, or its JPEG conversion or GPS-free
    copy), at position 0; size and hash describe ``stream``. ``needs_processing``: images
    still need the worker's step (``pipeline.process_upload``) before they may be reviewed."""

    content_type: str
    size_bytes: int
    sha256: str
    display_name: str
    stream: IO[bytes]
    needs_processing: bool = False


def accepted_labels(accepted_types: list[str]) -> str:
    """``["application/pdf", "image/jpeg"]`` -> ``"PDF or JPEG"`` for messages and help text."""
    labels = [TYPE_LABELS.get(t, t) for t in accepted_types]
    if len(labels) <= 1:
        return "".join(labels)
    return _("%(head)s or %(last)s") % {"head": listed(labels[:-1]), "last": labels[-1]}


def clean_display_filename(name: str) -> str:
    """Keep a filename for display: any script is kept; paths, control and bidi characters go.

    The result is at most 255 characters and never empty. It is never used as a storage key.
    """
    # A NUL ends the name (``x.pdf\0.exe`` is ``x.pdf``), as C-based tools would read it.
    name = name.split("\x00", 1)[0]
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        ch
        for ch in name
        if unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BIDI_CONTROLS
    )
    name = name.strip().strip(".").strip()
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME_CHARS - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_FILENAME_CHARS]
    return name or "document"


# Extensions that name a type (ours, and what people send by mistake): a name ending in one of
# these that is not the content's gets the content's instead; any other ending is kept and the
# content's extension added ("report v1.2" -> "report v1.2.pdf").
_TYPE_NAMING_EXTENSIONS = frozenset(
    {ext for exts in TYPE_EXTENSIONS.values() for ext in exts}
    | {"doc", "docx", "odt", "rtf", "txt", "gif", "bmp", "tif", "tiff", "webp", "avif", "svg"}
)


def name_for_type(display_name: str, content_type: str) -> str:
    """``display_name`` with the extension of ``content_type`` (the sniffed MIME type): kept
    when it already has one of the type's extensions (any case: ``photo.JPEG``), replaced when
    it ends in another type's (``passport.pdf`` that is a JPEG -> ``passport.jpg``), added
    otherwise. At most ``MAX_FILENAME_CHARS`` characters; an unknown type keeps the name."""
    extensions = TYPE_EXTENSIONS.get(content_type)
    if not extensions:
        return display_name
    stem, dot, ext = display_name.rpartition(".")
    if dot and ext.lower() in extensions:
        return display_name
    if not (dot and stem and ext.lower() in _TYPE_NAMING_EXTENSIONS):
        stem = display_name
    suffix = "." + extensions[0]
    return stem[: MAX_FILENAME_CHARS - len(suffix)] + suffix


def _describe_unaccepted(kind: filetype.Type | None) -> str:
    if kind is None:
        return _("a file type we could not recognise")
    return _("a %(ext)s file (%(mime)s)") % {"ext": kind.extension.upper(), "mime": kind.mime}


def _refuse_forbidden(head: bytes, kind: filetype.Type | None, display_name: str) -> None:
    """Refuse markup, Office files, archives and programs whatever the checklist accepts."""
    if kind is None:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if text.startswith(b"<") or any(m in text for m in _MARKUP_MARKERS):
            raise InvalidInput(
                _(
                    "“%(name)s” is a web page, SVG or XML file. These can carry scripts and are "
                    "never accepted. Save the document as PDF, or take a photo (JPEG), and "
                    "upload that."
                )
                % {"name": display_name}
            )
        if head.startswith(_OLE_MAGIC):
            raise InvalidInput(
                _(
                    "“%(name)s” is an Office document. Office files can carry macros and are "
                    "never accepted. Save or print it as PDF and upload the PDF."
                )
                % {"name": display_name}
            )
        if head.startswith(b"MZ"):
            raise InvalidInput(
                _("“%(name)s” is a program, whatever its name says. Upload a PDF or a photo.")
                % {"name": display_name}
            )
        return
    if any(marker in kind.mime for marker in OFFICE_MARKERS):
        raise InvalidInput(
            _(
                "“%(name)s” is an Office document. Office files can carry macros and are never "
                "accepted. Save or print it as PDF and upload the PDF."
            )
            % {"name": display_name}
        )
    if kind.mime in PROGRAM_TYPES:
        raise InvalidInput(
            _("“%(name)s” is a program (%(ext)s), whatever its name says. Upload a PDF or a photo.")
            % {"name": display_name, "ext": kind.extension.upper()}
        )
    if kind.mime in ARCHIVE_TYPES:
        raise InvalidInput(
            _(
                "“%(name)s” is an archive (%(ext)s). Upload each document on its own as PDF or "
                "a photo, not packed in an archive."
            )
            % {"name": display_name, "ext": kind.extension.upper()}
        )


def _is_zip_polyglot(stream: IO[bytes]) -> bool:
    stream.seek(0)
    try:
        return zipfile.is_zipfile(stream)
    finally:
        stream.seek(0)


def screen_upload(
    *, stream: IO[bytes], filename: str, accepted_types: list[str], max_size_bytes: int
) -> CheckedFile:
    """The checks of a web request; return what was learned or raise ``InvalidInput``.

    ``stream`` is a seekable binary file; ``max_size_bytes`` is in bytes. Checks, in order:
    not empty, not over the size limit, not markup / Office / archive / program, sniffed type
    among ``accepted_types`` (MIME types; HEIC/HEIF counts as JPEG and is converted by the
    worker), not also a ZIP archive, then a full parse for PDFs (no encryption, no active
    content) and, for images, the header (at most 60 megapixels) and structure, without
    decoding pixels. Images come back with ``needs_processing``. The display name comes back
    with the extension of the sniffed type (``name_for_type``). Nothing is stored here.
    """
    display_name = clean_display_filename(filename or "")
    wanted = accepted_labels(accepted_types)
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise InvalidInput(
            _("“%(name)s” is empty (0 bytes). Choose the file again and upload it as a %(wanted)s.")
            % {"name": display_name, "wanted": wanted}
        )
    if size > max_size_bytes:
        raise InvalidInput(
            _(
                "“%(name)s” is %(size)s; the limit here is %(limit)s. Scan at a lower resolution "
                "or compress the file and upload it again."
            )
            % {
                "name": display_name,
                "size": filesizeformat(size),
                "limit": filesizeformat(max_size_bytes),
            }
        )
    head = stream.read(8192)
    stream.seek(0)
    kind = filetype.guess(head)
    _refuse_forbidden(head, kind, display_name)
    content_type = kind.mime if kind is not None else ""
    heif = content_type in HEIF_TYPES and "image/jpeg" in accepted_types
    if not heif and content_type not in accepted_types:
        raise InvalidInput(
            _("“%(name)s” is %(found)s, whatever its name says. Upload a %(wanted)s instead.")
            % {"name": display_name, "found": _describe_unaccepted(kind), "wanted": wanted}
        )
    if _is_zip_polyglot(stream):
        raise _polyglot(display_name)
    if content_type == "application/pdf":
        _check_pdf(stream)
    elif heif or content_type in IMAGE_TYPES:
        _check_image_header(stream, content_type)
    # Content wins over the name: the stored file is named for what it is.
    stored_name = name_for_type(display_name, content_type)
    return _described(stream, content_type, stored_name, heif or content_type in IMAGE_TYPES)


def _described(
    stream: IO[bytes], content_type: str, display_name: str, needs_processing: bool
) -> CheckedFile:
    """``stream`` with its size in bytes and SHA-256, read in 1 MB chunks."""
    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return CheckedFile(
        content_type=content_type,
        size_bytes=size,
        sha256=digest.hexdigest(),
        display_name=display_name,
        stream=stream,
        needs_processing=needs_processing,
    )


def check_upload(
    *, stream: IO[bytes], filename: str, accepted_types: list[str], max_size_bytes: int
) -> CheckedFile:
    """``screen_upload`` and then, in this process, the worker's step
    (``pipeline.process_upload``): every check, HEIC/HEIF to JPEG, location removed. For
    scripts and tests; web requests screen and leave the rest to the worker. Raises
    ``InvalidInput``."""
    checked = screen_upload(
        stream=stream,
        filename=filename,
        accepted_types=accepted_types,
        max_size_bytes=max_size_bytes,
    )
    if not checked.needs_processing:
        return checked
    done = process_upload(
        stream=checked.stream,
        content_type=checked.content_type,
        display_name=checked.display_name,
    )
    return _described(done.stream, done.content_type, done.display_name, False)


def _polyglot(display_name: str) -> InvalidInput:
    return InvalidInput(
        _(
            "“%(name)s” is also a ZIP archive (a file with something hidden inside). Export or "
            "scan the document again and upload the new file."
        )
        % {"name": display_name}
    )
