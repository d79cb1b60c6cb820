"""Passport pages the tests and ``bench/mrz.py`` draw themselves: a made-up bio-data page with a
TD3 machine-readable zone in OCR-B, the typeface ICAO Doc 9303 prescribes, from Debian's
``fonts-ocr-b`` package. The zone's text comes from the ``mrz`` package's generator, so its
check digits are right unless a test breaks one on purpose.

No real person's data: the names and numbers are invented.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

OCR_B_FONT = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")  # Debian: fonts-ocr-b


@dataclass(frozen=True)
class Holder:
    surname: str = "GARCIA LOPEZ"
    given_names: str = "MARIA ELENA"
    number: str = "PA7777777"
    country: str = "ESP"
    nationality: str = "ESP"
    birth: str = "900115"
    sex: str = "F"
    expiry: str = "320630"
    personal: str = "ZE184226B"


def mrz_lines(holder: Holder) -> tuple[str, str]:
    """The two TD3 lines of ``holder`` with correct check digits (``mrz`` generator)."""
    from mrz.generator.td3 import TD3CodeGenerator

    code = TD3CodeGenerator(
        "P",
        holder.country,
        holder.surname,
        holder.given_names,
        holder.number,
        holder.nationality,
        holder.birth,
        holder.sex,
        holder.expiry,
        holder.personal,
    )
    first, second = str(code).splitlines()
    return first, second


def break_number_check_digit(lines: tuple[str, str]) -> tuple[str, str]:
    """``lines`` with the document number's check digit (line 2, position 10) made wrong."""
    first, second = lines
    wrong = str((int(second[9]) + 1) % 10)
    return first, second[:9] + wrong + second[10:]


def _text_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",):
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def passport_page(lines: tuple[str, str], *, blur: float = 0.0) -> Image.Image:
    """A 1250 x 880 pixel page (a bio-data page scanned at about 250 dpi): photo box, a
    visual zone, and the MRZ in OCR-B at 36 px (about 2.5 mm a character, as printed)."""
    img = Image.new("RGB", (1250, 880), (236, 230, 214))
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 60, 330, 430), fill=(180, 180, 190))
    draw.text((380, 70), "PASSPORT  ·  SPECIMEN", font=_text_font(34), fill=(30, 30, 80))
    visual = ["Surname", "Given names", "Nationality", "Date of birth", "Date of expiry"]
    for i, label in enumerate(visual):
        draw.text((380, 150 + 55 * i), label, font=_text_font(26), fill=(40, 40, 40))
    mrz_font = ImageFont.truetype(str(OCR_B_FONT), 36)
    for i, line in enumerate(lines):
        draw.text((50, 700 + 60 * i), line, font=mrz_font, fill=(0, 0, 0))
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    return img


def encode(img: Image.Image, fmt: str) -> bytes:
    """``img`` as ``"PNG"``, ``"JPEG"`` (quality 85) or a one-page ``"PDF"`` (the scan at 250
    dpi, as a scanner's PDF holds it)."""
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, format="JPEG", quality=85)
    elif fmt == "PDF":
        img.save(out, format="PDF", resolution=250)
    else:
        img.save(out, format=fmt)
    return out.getvalue()
