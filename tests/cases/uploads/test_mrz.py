"""The passport reader's pure part (issue 13): TD3 zones on pages the tests draw in OCR-B
(``tests/mrz_samples.py``), read by PassportEye with Debian's Tesseract, checked by ``mrz``.

Needs Debian's ``tesseract-ocr`` and ``fonts-ocr-b`` (.ci/run installs both); without them these
tests are skipped with the reason in the summary and a warning, never silently passed.
"""

import datetime as dt
import functools
import io
import warnings

import pytest

from cases.uploads.mrz import (
    MrzResult,
    _consensus,
    _date,
    alpha2,
    read_mrz_page,
    tesseract_available,
)
from tests.mrz_samples import (
    OCR_B_FONT,
    Holder,
    break_number_check_digit,
    encode,
    mrz_lines,
    passport_page,
)

MISSING = [
    why
    for ok, why in (
        (tesseract_available(), "tesseract-ocr is missing (apt-get install -y tesseract-ocr)"),
        (OCR_B_FONT.exists(), "the OCR-B font is missing (apt-get install -y fonts-ocr-b)"),
    )
    if not ok
]
if MISSING:
    warnings.warn("PASSPORT READER NOT TESTED: " + "; ".join(MISSING), stacklevel=1)
needs_ocr = pytest.mark.skipif(
    bool(MISSING), reason="PASSPORT READER NOT TESTED: " + "; ".join(MISSING)
)
TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "PDF": "application/pdf"}


@functools.cache
def _read(kind: str, fmt: str) -> MrzResult:
    """Each sample is read once per test run (a reading takes seconds)."""
    lines = mrz_lines(Holder())
    if kind == "bad-check-digit":
        lines = break_number_check_digit(lines)
    page = passport_page(lines, blur=6.0 if kind == "blurred" else 0.0)
    return read_mrz_page(stream=io.BytesIO(encode(page, fmt)), content_type=TYPES[fmt])


@needs_ocr
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "PDF"])
def test_a_clear_page_gives_every_field_with_verified_check_digits(fmt):
    fields = _read("clear", fmt).fields
    assert fields is not None
    assert (fields.surname, fields.given_names) == ("GARCIA LOPEZ", "MARIA ELENA")
    assert fields.document_number == "PA7777777"
    assert (fields.nationality, fields.nationality_alpha2, fields.issuing_state) == (
        "ESP",
        "ES",
        "ESP",
    )
    assert fields.birth_date == dt.date(1990, 1, 15)
    assert fields.expiry_date == dt.date(2032, 6, 30)
    assert fields.sex == "F"
    assert fields.checks_ok, fields.checks


@needs_ocr
def test_a_wrong_check_digit_is_reported_and_the_rest_still_read():
    fields = _read("bad-check-digit", "PNG").fields
    assert fields is not None
    assert fields.checks["document_number"] is False
    assert fields.checks["composite"] is False  # it covers the number's digit too
    assert fields.checks["birth_date"]
    assert fields.checks["expiry_date"]
    assert not fields.checks_ok
    assert fields.birth_date == dt.date(1990, 1, 15)


@needs_ocr
def test_a_blurred_page_is_not_read():
    result = _read("blurred", "PNG")
    assert result.fields is None
    assert result.reason in {"unreadable", "no_zone"}


@needs_ocr
def test_a_page_without_a_zone_says_so():
    from PIL import Image

    blank = encode(Image.new("RGB", (1000, 700), "white"), "PNG")
    result = read_mrz_page(stream=io.BytesIO(blank), content_type="image/png")
    assert (result.fields, result.reason) == (None, "no_zone")


def test_another_type_is_refused():
    with pytest.raises(ValueError, match="no MRZ reading"):
        read_mrz_page(stream=io.BytesIO(b"x"), content_type="text/plain")


def test_extra_k_beside_a_filler_loses_the_vote():
    readings = [("MARIA", "ELENAK"), ("MARIA", "ELENA"), ("MARIA", "XELENAK"), ("MARIA", "ELENAK")]
    assert _consensus(readings) == "MARIA ELENA"
    assert _consensus([("KIM",), ("KIM",), ("KIMK",)]) == "KIM"
    assert _consensus([("GARCIA", "LOPEZ"), ("GARCIA", "LOPEZ"), ("GARCIA", "KLOPEZ", "X")]) == (
        "GARCIA LOPEZ"
    )


def test_zone_dates_and_countries():
    today = dt.date(2026, 12, 1)
    assert _date("851231", birth=True, today=today) == dt.date(1985, 12, 31)
    assert _date("150101", birth=True, today=today) == dt.date(2015, 1, 1)
    assert _date("320630", birth=False, today=today) == dt.date(2032, 6, 30)
    assert _date("991340", birth=False, today=today) is None  # month 13
    assert _date("12<<<<", birth=True, today=today) is None
    assert (alpha2("ESP"), alpha2("D<<"), alpha2("GBN"), alpha2("XXA")) == ("ES", "DE", "GB", "")
