"""Checks of uploaded files by their content: ``checks`` (type sniffing, refusals; the web
request's ``screen_upload`` and the all-in-one ``check_upload``), ``pipeline`` (the worker's
``process_upload``), ``images`` and ``pdfs``. Pure helpers: no database writes."""

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
    name_for_type,
    screen_upload,
)
from cases.uploads.images import MAX_IMAGE_PIXELS
from cases.uploads.pipeline import ProcessedFile, process_upload
from cases.uploads.types import TYPE_EXTENSIONS, TYPE_LABELS

__all__ = [
    "ARCHIVE_TYPES",
    "HEIF_TYPES",
    "IMAGE_TYPES",
    "MAX_FILENAME_CHARS",
    "MAX_IMAGE_PIXELS",
    "OFFICE_MARKERS",
    "TYPE_EXTENSIONS",
    "TYPE_LABELS",
    "CheckedFile",
    "ProcessedFile",
    "accepted_labels",
    "check_upload",
    "clean_display_filename",
    "name_for_type",
    "process_upload",
    "screen_upload",
]
