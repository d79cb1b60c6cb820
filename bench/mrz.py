"""Passport reader (issue 13): time to find and read the machine-readable zone of one page.

Draws passport bio-data pages in OCR-B (``tests/mrz_samples.py``: PNG, JPEG and a one-page PDF
scan, about 250 dpi) and reads each ``--runs`` times with ``cases.uploads.mrz.read_mrz_page``,
the worker's own function (PassportEye + Debian's Tesseract + ``mrz``). Prints the median and
slowest wall time per page and whether every check digit verified. Needs ``tesseract-ocr`` and
``fonts-ocr-b`` (Debian); says so and exits 0 without them, so ``make bench`` goes on.

    .venv/bin/python bench/mrz.py            # 3 runs of each page
    .venv/bin/python bench/mrz.py --runs 1
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and its name would hide the
# ``mrz`` package: look in the project root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from cases.uploads.mrz import read_mrz_page, tesseract_available
    from tests.mrz_samples import OCR_B_FONT, Holder, encode, mrz_lines, passport_page

    if not tesseract_available() or not OCR_B_FONT.exists():
        print("skipped: needs Debian's tesseract-ocr and fonts-ocr-b (apt-get install -y ...)")
        return 0
    page = passport_page(mrz_lines(Holder()))
    samples = {
        "PNG 1250x880": (encode(page, "PNG"), "image/png"),
        "JPEG 1250x880": (encode(page, "JPEG"), "image/jpeg"),
        "PDF scan, 1 page": (encode(page, "PDF"), "application/pdf"),
        "PNG, no zone": (encode(passport_page(("", "")), "PNG"), "image/png"),
    }
    print(f"{'page':<18} {'median s':>9} {'max s':>7}  result")
    for name, (data, content_type) in samples.items():
        times = []
        result = None
        for _ in range(args.runs):
            started = time.perf_counter()
            result = read_mrz_page(stream=io.BytesIO(data), content_type=content_type)
            times.append(time.perf_counter() - started)
        assert result is not None
        if result.fields is None:
            verdict = f"not read ({result.reason})"
        else:
            verdict = "read, check digits " + ("all verify" if result.fields.checks_ok else "FAIL")
        print(f"{name:<18} {statistics.median(times):>9.2f} {max(times):>7.2f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
