"""Benchmark: cost of upload validation (issue 6) and of CSV escaping.

Prints the median milliseconds per file for each kind of upload check, including HEIC to JPEG
conversion, GPS stripping and refusals (pixel flood, ZIP polyglot), and rows per second of the
escaped CSV writer used by every export. No database needed.
"""

import contextlib
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from PIL import Image  # noqa: E402

from cases.samples import sample_jpeg, sample_pdf  # noqa: E402
from cases.uploads import check_upload  # noqa: E402
from portal.audit import csv_rows  # noqa: E402
from portal.errors import InvalidInput  # noqa: E402
from tests.security.corpus import pixel_flood_png, polyglot_jpeg_zip  # noqa: E402

ALL = ["application/pdf", "image/jpeg", "image/png"]
LIMIT = 30 * 1024 * 1024


def photo(fmt: str, size: tuple[int, int], gps: bool) -> bytes:
    img = Image.effect_noise(size, 60).convert("RGB")
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    buf = io.BytesIO()
    img.save(buf, format=fmt, exif=exif.tobytes(), **({"quality": 85} if fmt == "JPEG" else {}))
    return buf.getvalue()


def timed(data: bytes, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        with contextlib.suppress(InvalidInput):
            check_upload(
                stream=io.BytesIO(data), filename="f", accepted_types=ALL, max_size_bytes=LIMIT
            )
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    cases = [
        ("PDF, 1 page", sample_pdf("Bench", ["line"] * 20), 20),
        ("JPEG 420x560, no GPS", sample_jpeg("Bench"), 20),
        ("JPEG 4000x3000 (12 MP) with GPS, stripped", photo("JPEG", (4000, 3000), True), 5),
        ("HEIC 4000x3000 (12 MP) -> JPEG", photo("HEIF", (4000, 3000), False), 3),
        ("refused: pixel-flood PNG 100 MP", pixel_flood_png(), 20),
        ("refused: JPEG+ZIP polyglot", polyglot_jpeg_zip(), 20),
    ]
    print(f"{'upload check':48} {'size':>10} {'median ms':>10}")
    for label, data, runs in cases:
        print(f"{label:48} {len(data):>10,} {timed(data, runs):>10.1f}")
    rows = [
        ["2026-11-29T10:00:00+00:00", "=cmd", "192.0.2.1", "update", "cases.case", "42"]
    ] * 100_000
    start = time.perf_counter()
    size = sum(len(chunk) for chunk in csv_rows(["a", "b", "c", "d", "e", "f"], rows))
    elapsed = time.perf_counter() - start
    print(f"CSV export, escaped: {len(rows) / elapsed:,.0f} rows/s ({size:,} bytes)")


if __name__ == "__main__":
    main()
