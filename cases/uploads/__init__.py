"""Checks of uploaded files by their content: ``checks`` (type sniffing, refusals, the entry
point ``check_upload``), ``images`` and ``pdfs``. Pure helpers: no database writes."""

from cases.uploads.checks import (
    ARCHIVE_TYPES,
    HEIF_TYPES,
    IMAGE_TYPES,
    MAX_FILENAME_CHARS,
    OFFICE_MARKERS,
    CheckedFile,
    accepted_labels,
    check_upload,
    clean_display_filename,
)
from cases.uploads.images import MAX_IMAGE_PIXELS
from cases.uploads.types import TYPE_LABELS

__all__ = [
    "ARCHIVE_TYPES",
    "HEIF_TYPES",
    "IMAGE_TYPES",
    "MAX_FILENAME_CHARS",
    "MAX_IMAGE_PIXELS",
    "OFFICE_MARKERS",
    "TYPE_LABELS",
    "CheckedFile",
    "accepted_labels",
    "check_upload",
    "clean_display_filename",
]
