"""The passport reader (issue 13): find and read the machine-readable zone (MRZ) of a passport
bio-data page, ICAO Doc 9303 part 4 (TD3: two lines of 44 characters in OCR-B).

PassportEye (``passporteye``) finds the zone on the page and reads it with Tesseract
(Debian's ``tesseract-ocr`` with its English model); the ``mrz`` package parses the two lines
and verifies the check digits (document number, birth date, expiry date, personal number and
the composite digit). Tesseract's English model often reads a long run of the filler ``<`` as
``K``, so the zone is read at three scales: the second line (protected by check digits) is
taken from the reading whose digits verify best, the names (no check digit) by majority.

Runs in the Celery worker (a whole bitmap and a subprocess); pure: no database, no storage.
A PDF's first page is rendered by pypdfium2, without a form environment, as for previews.
"""

import datetime as dt
import io
import shutil
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from PIL import Image, ImageOps

from cases.uploads.images import _open
from cases.uploads.types import IMAGE_TYPES

# Longest side (pixels) the page is reduced to before the search: a passport page scanned at
# 300 dpi is about 1500 x 1050; more only slows the search down.
MRZ_MAX_SIDE = 2000
_PDF_DPI = 200
# Scales at which the zone is read again (the first reading is PassportEye's own).
_EXTRA_SCALES = (0.5, 0.75, 1.25, 1.5)
TD3_LENGTH = 44
# Check digits verified by ``mrz`` (the names in our result: theirs).
CHECKS = {
    "document_number": "document_number_hash",
    "birth_date": "birth_date_hash",
    "expiry_date": "expiry_date_hash",
    "personal_number": "optional_data_hash",
    "composite": "final_hash",
}
# A zone counts as read when at least this many of the four main check digits verify; fewer
# is text that only looks like a zone (a blurred page, a photo of something else).
_MAIN_CHECKS = ("document_number", "birth_date", "expiry_date", "composite")
MIN_VALID_CHECKS = 2
# ICAO codes that are not ISO 3166-1 alpha-3 (Doc 9303 part 3, section 5).
_ICAO_ALPHA2 = {"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB"}


def tesseract_available() -> bool:
    """Whether the ``tesseract`` program is installed (Debian package ``tesseract-ocr``)."""
    return shutil.which("tesseract") is not None


@dataclass(frozen=True)
class MrzFields:
    """What a TD3 zone says. Text as printed in the zone (capital letters, ``<`` removed);
    ``nationality`` / ``issuing_state`` the 3-letter code read and ``nationality_alpha2`` its
    ISO 3166-1 alpha-2 code ("" if unknown); dates ``None`` when not a real date; ``sex``
    ``"F"``, ``"M"`` or ``"X"`` (unspecified); ``checks`` maps each of ``CHECKS`` to whether
    its check digit verifies; ``lines`` the two lines as read."""

    surname: str
    given_names: str
    document_number: str
    nationality: str
    nationality_alpha2: str
    issuing_state: str
    birth_date: dt.date | None
    sex: str
    expiry_date: dt.date | None
    checks: dict[str, bool]
    lines: tuple[str, str]

    @property
    def checks_ok(self) -> bool:
        return all(self.checks.values())


@dataclass(frozen=True)
class MrzResult:
    """``fields`` when a zone was read, else ``None`` with ``reason``: ``"no_zone"`` (nothing
    like a zone on the page) or ``"unreadable"`` (a zone whose check digits do not verify
    enough to trust, e.g. a blurred page)."""

    fields: MrzFields | None
    reason: str = ""
    attempts: list[str] = field(default_factory=list)


def _page_image(stream: IO[bytes], content_type: str) -> Image.Image:
    """The page (a PDF's first) as a greyscale image, longest side at most ``MRZ_MAX_SIDE``."""
    stream.seek(0)
    if content_type == "application/pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(stream.read())
        try:
            page = pdf[0]
            width, height = page.get_size()  # points (1/72 inch)
            scale = min(_PDF_DPI / 72, MRZ_MAX_SIDE / max(width, height, 1))
            bitmap = page.render(scale=scale, may_draw_forms=False)
            img = bitmap.to_pil().convert("L")
            bitmap.close()
            page.close()
            return img
        finally:
            pdf.close()
    if content_type not in IMAGE_TYPES:
        raise ValueError(f"no MRZ reading for {content_type}")
    with _open(stream) as img:
        if content_type == "image/jpeg":
            img.draft("L", (MRZ_MAX_SIDE, MRZ_MAX_SIDE))
        img.load()
        shown = ImageOps.exif_transpose(img)
        shown.thumbnail((MRZ_MAX_SIDE, MRZ_MAX_SIDE))
        return shown.convert("L")


def _td3_lines(text: str) -> tuple[str, str] | None:
    """The two 44-character lines of ``text`` (OCR output) after PassportEye's clean-up (spaces
    removed, letters and digits swapped where the format allows only one), or ``None``."""
    from passporteye.mrz.text import MRZOCRCleaner

    lines = [ln for ln in MRZOCRCleaner.apply(text) if len(ln) >= 30]
    if len(lines) < 2:
        return None
    first, second = lines[-2], lines[-1]
    if not first.startswith("P"):
        return None
    first = (first + "<" * TD3_LENGTH)[:TD3_LENGTH]
    second = (second + "<" * TD3_LENGTH)[:TD3_LENGTH]
    return first, second


def _checks(lines: tuple[str, str]) -> dict[str, bool] | None:
    """Which check digits of ``lines`` verify, by the ``mrz`` package; ``None`` if it refuses
    the lines outright."""
    from mrz.checker.td3 import TD3CodeChecker

    try:
        checker = TD3CodeChecker("\n".join(lines), check_expiry=False)
    except Exception:  # the library raises its own errors for malformed lines
        return None
    return {ours: bool(getattr(checker, theirs)) for ours, theirs in CHECKS.items()}


def _names(first: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Surname and given names of line 1 as words: ``SURNAME<<GIVEN<NAMES<<<...``; whatever
    follows the given names' closing ``<<`` is filler (often misread as ``K``) and dropped."""
    field_ = first[5:TD3_LENGTH]
    surname, _sep, rest = field_.partition("<<")
    given = rest.split("<<", 1)[0]
    return tuple(surname.replace("<", " ").split()), tuple(given.replace("<", " ").split())


def _consensus(variants: list[tuple[str, ...]]) -> str:
    """One name part from several readings. Readings with the most common number of words
    are kept; for each word the variant contained in most readings' words wins (Tesseract's
    usual mistake is an extra ``K`` or ``X`` beside a filler: ``ELENA`` is inside ``ELENAK``
    and ``XELENA``), then the most frequent, then the longer."""
    if not variants:
        return ""
    count = Counter(len(v) for v in variants).most_common(1)[0][0]
    kept = [v for v in variants if len(v) == count]
    words = []
    for i in range(count):
        seen = [v[i] for v in kept]
        frequency = Counter(seen)
        words.append(
            max(
                frequency,
                key=lambda w: (sum(w in other for other in seen), frequency[w], len(w)),
            )
        )
    return " ".join(words)


def _date(text: str, *, birth: bool, today: dt.date) -> dt.date | None:
    """``YYMMDD`` as a date: a birth date is never in the future (so ``85`` is 1985), an expiry
    date is in this century."""
    if len(text) != 6 or not text.isdigit():
        return None
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    year = 2000 + yy
    if birth and year > today.year:
        year -= 100
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


def alpha2(code: str) -> str:
    """The ISO 3166-1 alpha-2 code of an ICAO nationality code (``"ESP"`` -> ``"ES"``,
    ``"D"`` -> ``"DE"``); ``""`` when unknown (e.g. ``"XXA"``, stateless)."""
    from django_countries import countries

    code = code.strip("<")
    if code in _ICAO_ALPHA2:
        return _ICAO_ALPHA2[code]
    return countries.alpha2(code) or "" if len(code) == 3 else ""


def _fields(lines: tuple[str, str], checks: dict[str, bool], names: tuple[str, str]) -> MrzFields:
    """The ``MrzFields`` of the chosen line 2 (``lines[1]``) and the agreed ``names``."""
    first, second = lines
    today = dt.datetime.now(dt.UTC).date()
    sex = second[20]
    return MrzFields(
        surname=names[0],
        given_names=names[1],
        document_number=second[0:9].replace("<", ""),
        nationality=second[10:13].replace("<", ""),
        nationality_alpha2=alpha2(second[10:13]),
        issuing_state=first[2:5].replace("<", ""),
        birth_date=_date(second[13:19], birth=True, today=today),
        sex=sex if sex in ("F", "M") else "X",
        expiry_date=_date(second[21:27], birth=False, today=today),
        checks=checks,
        lines=lines,
    )


def _ocr_texts(png: bytes) -> list[str]:
    """The OCR text of the zone at PassportEye's own scale and at ``_EXTRA_SCALES``; an empty
    list when PassportEye finds no zone."""
    from passporteye import read_mrz
    from passporteye.util.ocr import ocr
    from skimage.transform import rescale

    with warnings.catch_warnings():
        # scikit-image deprecations inside PassportEye (pinned versions; nothing to act on).
        warnings.simplefilter("ignore", FutureWarning)
        found = read_mrz(io.BytesIO(png), save_roi=True)
        if found is None:
            return []
        texts = [str(found.aux.get("raw_text", ""))]
        roi: Any = found.aux.get("roi")
        if roi is not None:
            for scale in _EXTRA_SCALES:
                texts.append(ocr(rescale(roi, scale, anti_aliasing=True)))
    return texts


def read_mrz_page(*, stream: IO[bytes], content_type: str) -> MrzResult:
    """Find and read the TD3 zone of a passport page (PDF: its first page; JPEG or PNG).
    Returns an ``MrzResult``; raises ``ValueError`` for another type, and lets Tesseract's
    and PDFium's errors propagate (the caller records them as a failed reading)."""
    image = _page_image(stream, content_type)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    texts = _ocr_texts(buffer.getvalue())
    if not texts:
        return MrzResult(None, "no_zone")
    readings = []
    for text in texts:
        lines = _td3_lines(text)
        checks = _checks(lines) if lines else None
        if lines and checks is not None:
            readings.append((lines, checks))
    if not readings:
        return MrzResult(None, "unreadable", texts)
    # Line 2 from the reading with most verified digits (the first, PassportEye's, on a tie).
    best_lines, best_checks = max(readings, key=lambda r: sum(r[1][name] for name in _MAIN_CHECKS))
    if sum(best_checks[name] for name in _MAIN_CHECKS) < MIN_VALID_CHECKS:
        return MrzResult(None, "unreadable", texts)
    parts = [_names(lines[0]) for lines, _ in readings]
    names = (_consensus([p[0] for p in parts]), _consensus([p[1] for p in parts]))
    return MrzResult(_fields(best_lines, best_checks, names), "", texts)
