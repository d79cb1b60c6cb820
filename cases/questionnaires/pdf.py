"""The data sheet as a printable PDF: HTML rendered by WeasyPrint (pure: no database access).

WeasyPrint lays text out with the system's Pango and draws it with the fonts fontconfig finds,
so two things must be installed besides the Python package: Pango (Debian ``libpango-1.0-0``,
``libpangoft2-1.0-0``) and a font with Chinese characters (Debian ``fonts-noto-cjk``, whose
"Noto Sans CJK SC" the sheet's stylesheet names). Without either, ``render_pdf`` raises
``PdfUnavailable`` (a message, not a server error, and never a PDF with empty boxes where
the Chinese should be). What is missing is looked up once per process.

The HTML is ours (a template with escaped answers), yet nothing in it may reach outside: the
URL fetcher refuses every scheme, so no file, network or ``data:`` resource is ever read.
"""

import logging
import shutil
import subprocess
from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from portal.errors import PortalError

log = logging.getLogger(__name__)

# The family the sheet's stylesheet asks for first (Debian's fonts-noto-cjk).
CJK_FONT_FAMILY = "Noto Sans CJK SC"


class PdfUnavailable(PortalError):
    """This server cannot make PDFs (WeasyPrint or the system's Pango is missing)."""

    code = "pdf_unavailable"
    status = 503


@cache
def _weasyprint() -> Any:
    """The ``weasyprint`` module, or None when it or the system's Pango cannot be loaded
    (WeasyPrint raises ``OSError`` at import when a shared library is missing).

    Importing WeasyPrint sets Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES`` to
    True (weasyprint/images.py), which would make every later upload check in the process
    accept truncated or damaged images; the sheet loads no image, so the flag is put back."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    return weasyprint


@cache
def pdf_missing() -> str:
    """Why this machine cannot make a data sheet PDF with Chinese text: empty when it can,
    else a sentence naming what to install (used by the tests' skip reason too)."""
    if _weasyprint() is None:
        return (
            "WeasyPrint cannot load Pango: install the Debian packages libpango-1.0-0 and "
            "libpangoft2-1.0-0 (and the locked Python packages)"
        )
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return "fontconfig's fc-list is missing: install the Debian package fontconfig"
    found = subprocess.run(  # noqa: S603 (a fixed local command, no user input)
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False, timeout=30
    ).stdout
    if CJK_FONT_FAMILY not in found:
        return f"no {CJK_FONT_FAMILY} font: install the Debian package fonts-noto-cjk"
    return ""


def render_pdf(html: str) -> bytes:
    """The PDF of ``html`` (a complete document with its own stylesheet, A4). Raises
    ``PdfUnavailable`` when WeasyPrint, Pango or the CJK font is missing. Fetches no
    resource."""
    missing = pdf_missing()
    if missing:
        log.warning("Data sheet PDF unavailable: %s", missing)
        raise PdfUnavailable(
            _(
                "This server cannot make PDF files yet. Open the printable data sheet and use "
                "your browser's print command to save it as a PDF."
            )
        )
    weasyprint = _weasyprint()
    fetcher = weasyprint.URLFetcher(allowed_protocols=frozenset(), fail_on_errors=False)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    return bytes(document.write_pdf())
