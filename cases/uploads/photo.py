"""The photo checker (issue 13): does a visa photo meet its checklist item's rules?

``check_photo(data, rules)`` takes the stored bytes of one image and returns a ``PhotoReport``:
the header facts (format, bytes, pixel size, colour mode) and the ``Problem`` list, each a
code with integer parameters that ``problem_text`` turns into a sentence saying what to do
(English or Chinese, the active language). It never raises for a bad image: an undecodable
file is the problem ``unreadable``.

Pixels are looked at on a reduced-size decode (JPEG ``draft``, then at most
``ANALYSIS_LONG_SIDE`` pixels on the long side), so a 12-megapixel phone photo costs about as
much as a small one. Faces are found by OpenCV's bundled Haar cascade (frontal face,
``cv2.data.haarcascades``) unless a ``detector`` is passed (tests control the result that way).
Pure: no database, no storage.

The limits are ``PhotoRules`` (built from the checklist item, ``ChecklistItem.photo_rules``);
the published figures and their source are in ``cases/models/visas.py``.
"""

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cases.uploads.images import MAX_IMAGE_PIXELS
from cases.uploads.photo_messages import problem_text

# The long side, in pixels, of the image the pixel checks look at.
ANALYSIS_LONG_SIDE = 640
# Width, in pixels, the face region is scaled to before measuring sharpness, so the threshold
# means the same for a small and a large photo.
SHARPNESS_WIDTH = 256
# Detections narrower than this fraction of the widest one are ignored (Haar's false hits in
# a background are small; a second person is not).
MIN_FACE_FRACTION = 0.4
# Width to height may differ from the rules' ratio by this fraction (2 %: 387 x 516 is 3:4,
# 390 x 516 still passes).
RATIO_TOLERANCE = 0.02

Box = tuple[int, int, int, int]  # x, y, width, height in pixels of the analysed image
Detector = Callable[[np.ndarray], Sequence[Box]]  # greyscale uint8 image -> face boxes


@dataclass(frozen=True)
class PhotoRules:
    """The limits one photo requirement sets. Bytes in bytes, sizes in pixels; lightness,
    brightness 0-255 (mean luma); variation the standard deviation of the border's luma;
    colour the mean spread between the border's largest and smallest RGB channel; face
    figures in per cent of the photo's width (size, off-centre) or height (centre); sharpness
    the variance of the Laplacian of the face scaled to ``SHARPNESS_WIDTH`` pixels."""

    min_bytes: int = 40 * 1024
    max_bytes: int = 120_000
    min_width: int = 354
    max_width: int = 420
    min_height: int = 472
    max_height: int = 560
    background_min_lightness: int = 190
    background_max_variation: int = 20
    background_max_colour: int = 40
    face_min_width_pct: int = 35
    face_max_width_pct: int = 75
    face_centre_min_pct: int = 30
    face_centre_max_pct: int = 60
    face_max_offset_pct: int = 10
    min_brightness: int = 80
    min_sharpness: float = 1.5

    @property
    def ratio(self) -> float:
        """Width / height the photo must have: that of the smallest allowed size (354:472 is
        3:4, as is 420:560)."""
        return self.min_width / self.min_height

    @property
    def ratio_label(self) -> str:
        """The ratio in smallest whole numbers, e.g. ``3:4``."""
        g = math.gcd(self.min_width, self.min_height)
        return f"{self.min_width // g}:{self.min_height // g}"

    @property
    def target_size(self) -> tuple[int, int]:
        """The size the fixer makes: the middle of the allowed widths, at the ratio."""
        width = (self.min_width + self.max_width) // 2
        height = round(width / self.ratio)
        return width, max(self.min_height, min(self.max_height, height))


@dataclass(frozen=True)
class Problem:
    """One failed check: ``code`` (a key of ``MESSAGES``) and integer parameters."""

    code: str
    params: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @property
    def text(self) -> str:
        return problem_text(self.code, self.params)


@dataclass
class PhotoReport:
    """What ``check_photo`` found. ``width`` / ``height`` are the photo's own pixel size
    (after its EXIF orientation), ``faces`` the boxes on the analysed image of
    ``analysis_size``; ``problems`` is empty when every check passed."""

    format: str = ""
    size_bytes: int = 0
    width: int = 0
    height: int = 0
    mode: str = ""
    analysis_size: tuple[int, int] = (0, 0)
    faces: list[Box] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


@lru_cache(maxsize=1)
def _cascade() -> cv2.CascadeClassifier:
    path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():  # pragma: no cover - a broken OpenCV install
        raise RuntimeError(f"OpenCV's face cascade did not load from {path}")
    return cascade


def haar_faces(grey: np.ndarray) -> list[Box]:
    """Frontal faces in a greyscale image by OpenCV's bundled Haar cascade: boxes (x, y, w, h)
    at least 10 % of the shorter side wide, overlapping hits merged (``minNeighbors`` 5)."""
    side = max(24, min(grey.shape[:2]) // 10)
    found = _cascade().detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(side, side))
    return [tuple(int(v) for v in box) for box in found]  # type: ignore[misc]


@dataclass
class Decoded:
    """An opened photo: header facts and the reduced RGB array the pixel checks read."""

    format: str
    width: int
    height: int
    mode: str
    rgb: np.ndarray  # uint8, shape (h, w, 3), long side at most ANALYSIS_LONG_SIDE


def open_photo(data: bytes, long_side: int = ANALYSIS_LONG_SIDE) -> Image.Image:
    """Open ``data`` with Pillow, JPEG decoded at the smallest scale that still gives
    ``long_side`` pixels, orientation applied. Raises ``ValueError`` for an image that cannot
    be opened or is over ``MAX_IMAGE_PIXELS``."""
    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_IMAGE_PIXELS:
            raise ValueError("too many pixels")
        if img.format == "JPEG":
            scale = max(img.width, img.height) / long_side
            if scale > 1:
                img.draft("RGB", (math.ceil(img.width / scale), math.ceil(img.height / scale)))
        img.load()
        return ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(str(exc)) from exc


def to_rgb_array(img: Image.Image, long_side: int) -> np.ndarray:
    """``img`` as an RGB uint8 array whose long side is at most ``long_side`` (area-averaged:
    no aliasing that would fake sharpness)."""
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGBA") if "A" in img.mode or img.mode == "P" else img.convert("RGB")
        if img.mode == "RGBA":  # transparency is shown on white, as a browser would
            white = Image.new("RGB", img.size, (255, 255, 255))
            white.paste(img, mask=img.getchannel("A"))
            img = white
    rgb = np.asarray(img.convert("RGB"))
    h, w = rgb.shape[:2]
    scale = long_side / max(h, w)
    if scale < 1:
        rgb = cv2.resize(
            rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
        )
    return np.ascontiguousarray(rgb)


def _header(data: bytes) -> tuple[str, int, int, str]:
    """(format, width, height, mode) as the file says, orientation applied to the size."""
    with Image.open(io.BytesIO(data)) as img:
        width, height = img.size
        if img.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # rotated a quarter turn
            width, height = height, width
        return str(img.format or ""), width, height, str(img.mode)


def decode(data: bytes) -> Decoded:
    """Header facts and the reduced array; ``ValueError`` when the image cannot be read."""
    try:
        fmt, width, height, mode = _header(data)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(str(exc)) from exc
    img = open_photo(data)
    return Decoded(fmt, width, height, mode, to_rgb_array(img, ANALYSIS_LONG_SIDE))


def luma(rgb: np.ndarray) -> np.ndarray:
    """ITU-R BT.601 luma (0-255, float32) of an RGB array."""
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.float32)


def border_pixels(rgb: np.ndarray, fraction: float = 0.06) -> np.ndarray:
    """The pixels of the top, left and right bands (``fraction`` of the short side thick) as
    an (n, 3) array: the background of a head-and-shoulders photo. The bottom band is left out
    (shoulders and clothes reach it)."""
    h, w = rgb.shape[:2]
    t = max(2, round(min(h, w) * fraction))
    lower = h * 2 // 3  # below about two thirds the sides are shoulders
    bands = [rgb[:t, :, :], rgb[t:lower, :t, :], rgb[t:lower, w - t :, :]]
    return np.concatenate([b.reshape(-1, 3) for b in bands]).astype(np.float32)


@dataclass(frozen=True)
class Background:
    """Border statistics: mean luma, its standard deviation, mean channel spread."""

    lightness: float
    variation: float
    colour: float


def background_of(rgb: np.ndarray) -> Background:
    px = border_pixels(rgb)
    y = px @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    spread = px.max(axis=1) - px.min(axis=1)
    return Background(float(y.mean()), float(y.std()), float(spread.mean()))


def sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian of ``grey`` scaled to ``SHARPNESS_WIDTH`` pixels wide and
    smoothed by a Gaussian of 1 pixel (grey levels squared per pixel squared)."""
    h, w = grey.shape[:2]
    if w < 8 or h < 8:
        return 0.0
    scaled = cv2.resize(
        grey,
        (SHARPNESS_WIDTH, max(8, round(h * SHARPNESS_WIDTH / w))),
        interpolation=cv2.INTER_AREA,
    )
    # A light blur first, so that sensor noise and JPEG artefacts do not count as detail.
    smooth = cv2.GaussianBlur(scaled.astype(np.float32), (0, 0), 1.0)
    return float(cv2.Laplacian(smooth, cv2.CV_32F).var())


def faces_in(grey: np.ndarray, detector: Detector) -> list[Box]:
    """The detector's boxes, widest first, without those much narrower than the widest."""
    boxes = sorted(detector(grey), key=lambda b: b[2], reverse=True)
    if not boxes:
        return []
    return [b for b in boxes if b[2] >= boxes[0][2] * MIN_FACE_FRACTION]


def _kb(n: int) -> int:
    return max(1, round(n / 1024))


def _file_problems(data: bytes, photo: Decoded, rules: PhotoRules) -> list[Problem]:
    problems = []
    if photo.format != "JPEG":
        problems.append(Problem("format"))
    if photo.mode != "RGB":
        problems.append(Problem("colour"))
    size = len(data)
    if size < rules.min_bytes:
        problems.append(Problem("bytes_small", {"kb": _kb(size), "min_kb": _kb(rules.min_bytes)}))
    elif size > rules.max_bytes:
        problems.append(
            Problem("bytes_large", {"kb": _kb(size), "max_kb": rules.max_bytes // 1024})
        )
    w, h = photo.width, photo.height
    if not (rules.min_width <= w <= rules.max_width and rules.min_height <= h <= rules.max_height):
        problems.append(
            Problem(
                "dimensions",
                {
                    "width": w,
                    "height": h,
                    "min_width": rules.min_width,
                    "max_width": rules.max_width,
                    "min_height": rules.min_height,
                    "max_height": rules.max_height,
                },
            )
        )
    if abs(w / h - rules.ratio) > rules.ratio * RATIO_TOLERANCE:
        g = math.gcd(rules.min_width, rules.min_height)
        ew, eh = rules.target_size
        problems.append(
            Problem(
                "ratio",
                {
                    "ratio_w": rules.min_width // g,
                    "ratio_h": rules.min_height // g,
                    "example_w": ew,
                    "example_h": eh,
                },
            )
        )
    return problems


def background_problems(rgb: np.ndarray, rules: PhotoRules) -> list[Problem]:
    """``background_colour``, ``background_dark`` or ``background_busy`` (the first that
    applies, so one sentence), or nothing."""
    bg = background_of(rgb)
    if bg.colour > rules.background_max_colour:
        return [Problem("background_colour")]
    if bg.lightness < rules.background_min_lightness:
        return [Problem("background_dark")]
    if bg.variation > rules.background_max_variation:
        return [Problem("background_busy")]
    return []


def face_problems(box: Box, size: tuple[int, int], rules: PhotoRules) -> list[Problem]:
    """Where the head is: its width, horizontal offset and vertical centre against the band
    of ``rules`` (``size`` is the analysed image's (width, height))."""
    x, y, w, h = box
    width, height = size
    problems = []
    width_pct = 100 * w / width
    if width_pct < rules.face_min_width_pct:
        problems.append(Problem("face_small"))
    elif width_pct > rules.face_max_width_pct:
        problems.append(Problem("face_large"))
    if abs(100 * (x + w / 2) / width - 50) > rules.face_max_offset_pct:
        problems.append(Problem("face_off_centre"))
    centre_pct = 100 * (y + h / 2) / height
    if centre_pct < rules.face_centre_min_pct:
        problems.append(Problem("face_high"))
    elif centre_pct > rules.face_centre_max_pct:
        problems.append(Problem("face_low"))
    return problems


def check_photo(data: bytes, rules: PhotoRules, detector: Detector = haar_faces) -> PhotoReport:
    """Check one photo against ``rules`` (see the module docstring); never raises for bad
    image data."""
    report = PhotoReport(size_bytes=len(data))
    try:
        photo = decode(data)
    except (ValueError, MemoryError):
        report.problems.append(Problem("unreadable"))
        return report
    report.format, report.width, report.height, report.mode = (
        photo.format,
        photo.width,
        photo.height,
        photo.mode,
    )
    rgb = photo.rgb
    report.analysis_size = (rgb.shape[1], rgb.shape[0])
    report.problems.extend(_file_problems(data, photo, rules))
    report.problems.extend(background_problems(rgb, rules))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    report.faces = faces_in(grey, detector)
    if not report.faces:
        report.problems.append(Problem("no_face"))
    elif len(report.faces) > 1:
        report.problems.append(Problem("many_faces", {"count": len(report.faces)}))
    else:
        report.problems.extend(face_problems(report.faces[0], report.analysis_size, rules))
    # Brightness of the face (of the whole photo without one face); sharpness only of a face:
    # a plain wall has no detail whether or not it is in focus.
    face = report.faces[0] if len(report.faces) == 1 else None
    region = _face_region(grey, face)
    if float(region.mean()) < rules.min_brightness:
        report.problems.append(Problem("dark"))
    elif face is not None and sharpness(region) < rules.min_sharpness:
        report.problems.append(Problem("blurred"))
    return report


def _face_region(grey: np.ndarray, box: Box | None) -> np.ndarray:
    """The face box, or without one the whole image."""
    if box is None:
        return grey
    x, y, w, h = box
    return grey[y : y + h, x : x + w]
