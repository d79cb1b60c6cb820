"""PDF checks of uploads: structure readable by pypdf, not encrypted, no active content
(JavaScript, launch, submit-form, import-data or rendition actions)."""

from typing import IO

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject

from portal.errors import InvalidInput


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
        if _pdf_has_active_content(reader):
            raise InvalidInput(
                _(
                    "This PDF contains scripts, automatic actions or attached files. Print it "
                    "to a new PDF (“Save as PDF” or “Print to PDF”) and upload that file."
                )
            )
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise InvalidInput(
            _(
                "This PDF is damaged and cannot be opened. Export or scan it again and upload "
                "the new file."
            )
        ) from exc


def _pdf_has_active_content(reader: PdfReader) -> bool:
    """True when the document catalog holds JavaScript, embedded files, launch or open actions
    or additional actions (/AA): things a viewer could run. Scans are never like that."""
    root = reader.trailer["/Root"].get_object()
    if "/AA" in root or ("/OpenAction" in root and _is_action(root["/OpenAction"])):
        return True
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        if "/JavaScript" in names or "/EmbeddedFiles" in names:
            return True
    return False


_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition"})


def _is_action(obj: object) -> bool:
    obj = obj.get_object() if hasattr(obj, "get_object") else obj
    return isinstance(obj, DictionaryObject) and str(obj.get("/S", "")) in _ACTIVE_ACTIONS
