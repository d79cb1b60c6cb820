"""Previews of uploaded documents (issue 10): PNG page images made on the server, so that
nothing of the file itself reaches a browser.

PDFs are rendered by PDFium (pypdfium2, maintained by the PDFium/Chromium project's bindings)
without a form environment: ``init_forms`` is never called, so form fields' scripts and any
document JavaScript never run (the PDFium in pypdfium2's wheels is built without V8 in any
case), and only the page content and annotation appearances are drawn. Images are decoded and
re-encoded as PNG at preview size. Runs in the Celery worker (whole bitmaps); pure: no
database, no storage.
"""

import io
from typing import IO

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from cases.uploads.images import _open
from cases.uploads.types import IMAGE_TYPES

# At most this many pages of a PDF get a preview (the rest: download the file).
PREVIEW_MAX_PAGES = 20
# Longest side of a preview image in pixels: an A4 page at 150 dpi is 1240 x 1754.
PREVIEW_MAX_SIDE = 1754
_PDF_DPI = 150


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _pdf_pages(stream: IO[bytes]) -> list[bytes]:
    stream.seek(0)
    pdf = pdfium.PdfDocument(stream.read())
    try:
        pages = []
        for index in range(min(len(pdf), PREVIEW_MAX_PAGES)):
            page = pdf[index]
            width, height = page.get_size()  # points (1/72 inch)
            scale = min(_PDF_DPI / 72, PREVIEW_MAX_SIDE / max(width, height, 1))
            bitmap = page.render(scale=scale, may_draw_forms=False)
            pages.append(_png(bitmap.to_pil().convert("RGB")))
            bitmap.close()
            page.close()
        return pages
    finally:
        pdf.close()


def _image_page(stream: IO[bytes], content_type: str) -> bytes:
    with _open(stream) as img:
        if content_type == "image/jpeg":
            img.draft("RGB", (PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE))
        img.load()
        shown = ImageOps.exif_transpose(img)
        shown.thumbnail((PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE))
        mode = "RGBA" if "A" in shown.getbands() else "RGB"
        # A new image of the pixels only: no EXIF, XMP, ICC or text chunks go along.
        clean = Image.new(mode, shown.size)
        clean.paste(shown.convert(mode))
        return _png(clean)


def render_preview(*, stream: IO[bytes], content_type: str) -> list[bytes]:
    """PNG images (bytes, one per page, at most ``PREVIEW_MAX_PAGES``, longest side at most
    ``PREVIEW_MAX_SIDE`` pixels) of a stored, checked document. Raises ``ValueError`` for a
    type without previews; PDFium raises ``pypdfium2.PdfiumError`` on a file it cannot open."""
    if content_type == "application/pdf":
        return _pdf_pages(stream)
    if content_type in IMAGE_TYPES:
        return [_image_page(stream, content_type)]
    raise ValueError(f"no preview for {content_type}")
