"""The photo fixer (issue 13): a corrected copy of a photo that failed only fixable checks.

``fix_photo(data, rules)`` crops to the rules' ratio around the one detected face (face about
55 % of the width, its centre 45 % from the top), resizes to ``PhotoRules.target_size``,
flattens a light, near-uniform background to white (never the face: an ellipse around it is
left as it is) and re-encodes as a 24-bit JPEG whose quality is searched so that the file
falls within the byte limits. The result is checked again with the same checks and returned
only when it passes every one; otherwise (no face, two faces, too dark, blurred, a coloured
or busy background, a crop that cannot place the head) the answer is ``None``: such a photo
must be taken again. Nothing about the face is changed: no brightening, no sharpening, no
retouching. Pure: no database, no storage.
"""

import io
import math
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image

from cases.uploads.photo import (
    Box,
    Detector,
    PhotoReport,
    PhotoRules,
    Problem,
    background_of,
    check_photo,
    haar_faces,
    open_photo,
    to_rgb_array,
)

# Problems the fixer cannot solve without changing the face or retaking the photo.
UNFIXABLE = frozenset({"unreadable", "no_face", "many_faces", "dark", "blurred", "background_busy"})
FACE_WIDTH_SHARE = 0.55  # of the corrected photo's width
FACE_CENTRE_FROM_TOP = 0.45  # of its height
# A background is flattened to white when it is at most this much darker than the rules'
# lightness, no more coloured than they allow and at most 1.5 times as varied.
FLATTEN_LIGHTNESS_MARGIN = 60
# Flood fill tolerance per channel between neighbouring background pixels (floating range,
# so a soft shadow or vignette is followed).
FLOOD_STEP = 6
QUALITIES = (95, 92, 90, 88, 85, 82, 80, 75, 70, 65, 60, 55, 50, 45, 40)


@dataclass
class FixResult:
    """A corrected photo: JPEG ``data``, its pixel size, what was changed (``fixes``, codes
    with integer parameters like ``Problem``) and the check of the result (it passed)."""

    data: bytes
    width: int
    height: int
    fixes: list[Problem] = field(default_factory=list)
    report: PhotoReport | None = None

    def fixes_json(self) -> list[dict[str, Any]]:
        return [f.as_json() for f in self.fixes]


def crop_box(face: Box, image: tuple[int, int], ratio: float) -> tuple[int, int, int, int]:
    """The crop (x, y, w, h) of an ``image`` of (width, height) pixels at ``ratio`` (width /
    height) that puts ``face`` at ``FACE_WIDTH_SHARE`` of the width, centred, its centre at
    ``FACE_CENTRE_FROM_TOP``; shrunk to fit the image and moved inside it when needed."""
    fx, fy, fw, fh = face
    width, height = image
    cw = fw / FACE_WIDTH_SHARE
    ch = cw / ratio
    fit = min(1.0, width / cw, height / ch)
    cw, ch = cw * fit, ch * fit
    x0 = fx + fw / 2 - cw / 2
    y0 = fy + fh / 2 - FACE_CENTRE_FROM_TOP * ch
    x0 = min(max(0.0, x0), width - cw)
    y0 = min(max(0.0, y0), height - ch)
    return round(x0), round(y0), max(1, math.floor(cw)), max(1, math.floor(ch))


def flatten_background(rgb: np.ndarray, face: Box | None) -> tuple[np.ndarray, bool]:
    """Whiten the background connected to the top and side borders (flood fill of
    ``FLOOD_STEP`` per channel), keeping an ellipse 1.35 times the face box untouched and
    blending the edge over a few pixels. Returns (image, whether anything changed)."""
    h, w = rgb.shape[:2]
    mask = np.zeros((h + 2, w + 2), np.uint8)
    work = rgb.copy()
    step = (FLOOD_STEP,) * 3
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | (255 << 8)
    seeds = [(x, 0) for x in range(0, w, 8)]
    seeds += [(0, y) for y in range(0, h * 2 // 3, 8)] + [
        (w - 1, y) for y in range(0, h * 2 // 3, 8)
    ]
    for x, y in seeds:
        if mask[y + 1, x + 1] == 0:
            cv2.floodFill(work, mask, (x, y), (255, 255, 255), step, step, flags)
    region = mask[1:-1, 1:-1]
    if face is not None:
        fx, fy, fw, fh = face
        centre = (round(fx + fw / 2), round(fy + fh / 2))
        axes = (round(fw * 0.675), round(fh * 0.675 * 1.25))
        cv2.ellipse(region, centre, axes, 0, 0, 360, 0, -1)
    if not region.any():
        return rgb, False
    alpha = cv2.GaussianBlur(region.astype(np.float32) / 255.0, (5, 5), 0)[..., None]
    out = rgb.astype(np.float32) * (1 - alpha) + 255.0 * alpha
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), True


def encode_within(rgb: np.ndarray, rules: PhotoRules) -> bytes | None:
    """The best-quality baseline JPEG of ``rgb`` whose size is within the byte limits (qualities
    from 95 down, chroma subsampled 4:2:0; if the best is still too small, 4:4:4 at 95-100),
    or ``None``."""
    img = Image.fromarray(rgb, "RGB")

    def encode(quality: int, subsampling: int) -> bytes:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality, subsampling=subsampling, optimize=True)
        return buf.getvalue()

    for quality in QUALITIES:
        data = encode(quality, 2)
        if len(data) <= rules.max_bytes:
            if len(data) >= rules.min_bytes:
                return data
            break
    for quality in (95, 97, 100):
        data = encode(quality, 0)
        if rules.min_bytes <= len(data) <= rules.max_bytes:
            return data
    return None


def fix_photo(
    data: bytes,
    rules: PhotoRules,
    detector: Detector = haar_faces,
    report: PhotoReport | None = None,
) -> FixResult | None:
    """A corrected copy of ``data`` that passes every check of ``rules``, or ``None`` (see the
    module docstring). ``report`` is ``check_photo``'s result for ``data`` when the caller has
    it already. Never raises for bad image data."""
    report = report or check_photo(data, rules, detector)
    if report.passed or UNFIXABLE.intersection(report.codes) or len(report.faces) != 1:
        return None
    if report.mode in ("L", "LA", "1", "I", "I;16", "F"):
        return None  # a black-and-white photo stays one: it must be taken again in colour
    try:
        return _fix(data, rules, detector, report)
    except (ValueError, MemoryError, cv2.error):
        return None


def _fix(
    data: bytes, rules: PhotoRules, detector: Detector, report: PhotoReport
) -> FixResult | None:
    aw, _ah = report.analysis_size
    scale = report.width / aw
    fx, fy, fw, fh = report.faces[0]
    face = (round(fx * scale), round(fy * scale), round(fw * scale), round(fh * scale))
    x0, y0, cw, ch = crop_box(face, (report.width, report.height), rules.ratio)
    tw, th = rules.target_size
    # Decode just large enough that the crop still has the target's pixels.
    long_side = math.ceil(max(report.width, report.height) * max(th / ch, tw / cw))
    long_side = min(long_side, max(report.width, report.height))
    rgb = to_rgb_array(open_photo(data, long_side=long_side), long_side)
    k = rgb.shape[1] / report.width
    crop = rgb[round(y0 * k) : round((y0 + ch) * k), round(x0 * k) : round((x0 + cw) * k)]
    if crop.size == 0:
        return None
    shrink = crop.shape[1] >= tw
    out = cv2.resize(crop, (tw, th), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
    g = math.gcd(rules.min_width, rules.min_height)
    fixes = []
    if (x0, y0, cw, ch) != (0, 0, report.width, report.height):
        fixes.append(
            Problem("crop", {"ratio_w": rules.min_width // g, "ratio_h": rules.min_height // g})
        )
    if (report.width, report.height) != (tw, th):
        fixes.append(Problem("resize", {"width": tw, "height": th}))
    bg = background_of(out)
    if (
        bg.lightness < 245
        and bg.lightness >= rules.background_min_lightness - FLATTEN_LIGHTNESS_MARGIN
        and bg.colour <= rules.background_max_colour
        and bg.variation <= rules.background_max_variation * 1.5
    ):
        s = tw / cw
        face_out = (
            round((face[0] - x0) * s),
            round((face[1] - y0) * s),
            round(face[2] * s),
            round(face[3] * s),
        )
        out, changed = flatten_background(out, face_out)
        if changed:
            fixes.append(Problem("background"))
    encoded = encode_within(out, rules)
    if encoded is None:
        return None
    fixes.append(Problem("jpeg", {"kb": max(1, round(len(encoded) / 1024))}))
    result = check_photo(encoded, rules, detector)
    if not result.passed:
        return None
    return FixResult(encoded, tw, th, fixes, result)
