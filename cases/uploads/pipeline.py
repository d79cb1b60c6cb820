"""The worker's half of an upload (issue 18): the steps that need a whole bitmap, run by the
Celery task ``cases.tasks.document_process`` and never in a web request.

``process_upload`` takes the stored bytes of a version that passed ``screen_upload`` and
returns what to keep: HEIC/HEIF become JPEG (orientation applied, no metadata), JPEG and PNG
are decoded to find damaged pixel data (JPEG at 1/8 scale) and lose their location (EXIF GPS
and XMP). Pure: no database, no storage.
"""

from dataclasses import dataclass
from typing import IO

from cases.uploads.images import _decode_check, _heif_to_jpeg, _strip_location
from cases.uploads.types import HEIF_TYPES, IMAGE_TYPES


@dataclass(frozen=True)
class ProcessedFile:
    """The bytes to keep (``stream``, at position 0), their sniffed MIME type and display name;
    ``changed`` is False when ``stream`` is the input itself, unchanged."""

    content_type: str
    display_name: str
    stream: IO[bytes]
    changed: bool


def _jpeg_name(display_name: str) -> str:
    stem = display_name.rsplit(".", 1)[0] if "." in display_name else display_name
    return f"{stem[:251]}.jpg"  # at most 255 characters, as ``clean_display_filename``


def process_upload(*, stream: IO[bytes], content_type: str, display_name: str) -> ProcessedFile:
    """Convert, check and clean one screened upload (see the module docstring). Raises
    ``portal.errors.InvalidInput`` with the same messages as a request-time refusal (damaged
    image, too many pixels); anything else raised is a failure worth a retry."""
    if content_type in HEIF_TYPES:
        converted = _heif_to_jpeg(stream)
        return ProcessedFile("image/jpeg", _jpeg_name(display_name), converted, True)
    if content_type in IMAGE_TYPES:
        _decode_check(stream, content_type)
        cleaned = _strip_location(stream, content_type)
        cleaned.seek(0)
        return ProcessedFile(content_type, display_name, cleaned, cleaned is not stream)
    stream.seek(0)
    return ProcessedFile(content_type, display_name, stream, False)
