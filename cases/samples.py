"""Generated sample files (real PDFs, JPEGs and PNGs that open in any viewer) for demo data and
tests. Pillow draws a labelled page; nothing is downloaded."""

import io

from PIL import Image, ImageDraw


def _page(title: str, lines: list[str], size: tuple[int, int]) -> Image.Image:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 10, size[0] - 10, size[1] - 10), outline=(11, 92, 173), width=4)
    draw.text((40, 40), title, fill=(0, 0, 0), font_size=28)
    for i, line in enumerate(lines):
        draw.text((40, 100 + i * 30), line, fill=(60, 60, 60), font_size=20)
    draw.text(
        (40, size[1] - 60), "SAMPLE - generated demo document", fill=(180, 35, 24), font_size=18
    )
    return img


def sample_pdf(title: str = "Sample document", lines: list[str] | None = None) -> bytes:
    """A one-page A4-proportioned PDF (bytes) showing ``title`` and ``lines``."""
    buf = io.BytesIO()
    _page(title, lines or [], (827, 1169)).save(buf, format="PDF", resolution=100.0)
    return buf.getvalue()


def sample_jpeg(title: str = "Sample photo", size: tuple[int, int] = (420, 560)) -> bytes:
    """A JPEG (bytes) of ``size`` pixels, by default the visa photo size 420x560."""
    buf = io.BytesIO()
    _page(title, [], size).save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def sample_png(title: str = "Sample scan", size: tuple[int, int] = (600, 400)) -> bytes:
    """A PNG (bytes) of ``size`` pixels."""
    buf = io.BytesIO()
    _page(title, [], size).save(buf, format="PNG")
    return buf.getvalue()
