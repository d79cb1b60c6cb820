"""Validation of uploaded files by their content, not their name or the browser's claim.

The type is sniffed from the file's magic bytes (the ``filetype`` library), then the file is
parsed by the library for that format (pypdf for PDF, Pillow for images) so that corrupt,
truncated or password-protected files are refused before anything is stored.
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import IO

import filetype
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from portal.errors import InvalidInput

# Human names of the MIME types a checklist item may accept.
TYPE_LABELS: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
# A decompression bomb guard: images above this many pixels are refused before decoding.
MAX_IMAGE_PIXELS = 60_000_000
MAX_FILENAME_CHARS = 255
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class CheckedFile:
    """What validation learned: sniffed MIME type, size in bytes, SHA-256 hex, display name."""

    content_type: str
    size_bytes: int
    sha256: str
    display_name: str


def accepted_labels(accepted_types: list[str]) -> str:
    """``["application/pdf", "image/jpeg"]`` -> ``"PDF or JPEG"`` for messages and help text."""
    labels = [TYPE_LABELS.get(t, t) for t in accepted_types]
    if len(labels) <= 1:
        return "".join(labels)
    return _("%(head)s or %(last)s") % {"head": ", ".join(labels[:-1]), "last": labels[-1]}


def clean_display_filename(name: str) -> str:
    """Keep a filename for display: any script is kept; paths, control and bidi characters go.

    The result is at most 255 characters and never empty. It is never used as a storage key.
    """
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


def _describe_unaccepted(kind: filetype.Type | None) -> str:
    if kind is None:
        return _("a file type we could not recognise")
    return _("a %(ext)s file (%(mime)s)") % {"ext": kind.extension.upper(), "mime": kind.mime}


def _check_pdf(stream: IO[bytes]) -> None:
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise InvalidInput(
                _(
                    "This PDF is password-protected. Save or print it again without a password "
                    "and upload the new file."
                )
            )
        if len(reader.pages) < 1:
            raise InvalidInput(_("This PDF has no pages. Export it again and upload the new file."))
        reader.pages[0].mediabox  # noqa: B018 - parses the first page object
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise InvalidInput(
            _(
                "This PDF is damaged and cannot be opened. Export or scan it again and upload "
                "the new file."
            )
        ) from exc


def _check_image(stream: IO[bytes], content_type: str) -> None:
    label = TYPE_LABELS[content_type]
    damaged = _(
        "This %(label)s image is damaged or incomplete. Take the photo or scan again and upload "
        "the new file."
    ) % {"label": label}
    try:
        with Image.open(stream) as img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise InvalidInput(
                    _(
                        "This image is %(w)s × %(h)s pixels, more than %(mp)s megapixels. Resize "
                        "it (a scan at 300 dpi is enough) and upload it again."
                    )
                    % {"w": width, "h": height, "mp": MAX_IMAGE_PIXELS // 1_000_000}
                )
            img.verify()
        stream.seek(0)
        with Image.open(stream) as img:
            img.load()
    except InvalidInput:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses images far above its own limit before we can read the size.
        raise InvalidInput(
            _(
                "This image has more than %(mp)s megapixels. Resize it (a scan at 300 dpi is "
                "enough) and upload it again."
            )
            % {"mp": MAX_IMAGE_PIXELS // 1_000_000}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(damaged) from exc


def check_upload(
    *, stream: IO[bytes], filename: str, accepted_types: list[str], max_size_bytes: int
) -> CheckedFile:
    """Validate an uploaded file; return what was learned or raise ``InvalidInput``.

    ``stream`` is a seekable binary file; ``max_size_bytes`` is in bytes. Checks, in order:
    not empty, not over the size limit, sniffed type among ``accepted_types`` (MIME types),
    then a full parse for PDFs and images. The stream is left at position 0.
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
    content_type = kind.mime if kind is not None else ""
    if content_type not in accepted_types:
        raise InvalidInput(
            _("“%(name)s” is %(found)s, whatever its name says. Upload a %(wanted)s instead.")
            % {"name": display_name, "found": _describe_unaccepted(kind), "wanted": wanted}
        )
    if content_type == "application/pdf":
        _check_pdf(stream)
    elif content_type in IMAGE_TYPES:
        _check_image(stream, content_type)
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(
        content_type=content_type,
        size_bytes=size,
        sha256=digest.hexdigest(),
        display_name=display_name,
    )
