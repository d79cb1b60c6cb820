"""A generated corpus of visa photos for the photo checker's tests and ``bench/photos.py``.

OpenCV's wheel ships the Haar cascades but no sample face images, so the faces here are drawn:
a skin-coloured oval with hair, brows, eyes, nose and mouth, softened and given a little
sensor noise. OpenCV's real frontal-face cascade finds such a face (the tests assert that it
does before relying on it), so the corpus exercises the real detector, not a stand-in; tests
of pure geometry pass a detector of their own instead.

``portrait()`` draws one photo; ``CORPUS`` names the cases the issue lists.
"""

import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

WHITE = (246, 246, 244)
BLUE = (40, 110, 200)  # RGB


def _draw_face(img: np.ndarray, cx: int, cy: int, s: int) -> None:
    """A frontal face of half-width ``s`` pixels centred at (cx, cy), in BGR on ``img``: the
    shading Haar features look for (eye sockets darker than the cheeks, a lighter nose
    bridge) as well as the features themselves."""
    cv2.ellipse(img, (cx, cy), (s, int(s * 1.3)), 0, 0, 360, (150, 180, 220), -1)
    cv2.ellipse(
        img,
        (cx, int(cy - s * 0.27)),
        (int(s * 0.85), int(s * 0.22)),
        0,
        0,
        360,
        (115, 140, 175),
        -1,
    )
    cv2.ellipse(
        img,
        (cx, int(cy - s * 0.05)),
        (int(s * 0.12), int(s * 0.35)),
        0,
        0,
        360,
        (165, 195, 232),
        -1,
    )
    cv2.ellipse(
        img, (cx, int(cy - s * 0.9)), (int(s * 1.05), int(s * 0.6)), 0, 180, 360, (30, 30, 40), -1
    )
    ex, ey = int(s * 0.42), int(cy - s * 0.25)
    for d in (-1, 1):
        brow = (cx + d * ex, ey - int(s * 0.22))
        cv2.ellipse(img, brow, (int(s * 0.28), int(s * 0.07)), 0, 0, 360, (40, 40, 50), -1)
        cv2.ellipse(img, (cx + d * ex, ey), (int(s * 0.2), int(s * 0.1)), 0, 0, 360, (235,) * 3, -1)
        cv2.circle(img, (cx + d * ex, ey), int(s * 0.09), (40, 30, 30), -1)
    cv2.ellipse(
        img, (cx, int(cy + s * 0.3)), (int(s * 0.16), int(s * 0.08)), 0, 0, 360, (100, 125, 165), -1
    )
    cv2.ellipse(
        img, (cx, int(cy + s * 0.65)), (int(s * 0.33), int(s * 0.09)), 0, 0, 360, (80, 80, 170), -1
    )


def portrait(
    width: int = 387,
    height: int = 516,
    *,
    background: tuple[int, int, int] = WHITE,
    faces: int = 1,
    face_width: float = 0.45,
    centre: tuple[float, float] = (0.5, 0.45),
    light: float = 1.0,
    blur: float = 0.0,
    rotate: float = 0.0,
    noise: float = 2.5,
    fmt: str = "JPEG",
    quality: int = 92,
    seed: int = 1,
) -> bytes:
    """One head-and-shoulders photo as file bytes. ``face_width`` is the face oval's width as
    a share of the photo's width, ``centre`` its centre as shares of (width, height);
    ``faces`` > 1 puts that many side by side; ``light`` scales every pixel (0.3 = dark);
    ``blur`` is a Gaussian sigma in pixels, ``rotate`` degrees; ``background`` is RGB."""
    rng = np.random.default_rng(seed)
    img = np.empty((height, width, 3), np.uint8)
    img[:] = background[::-1]
    s = max(8, int(width * face_width / 2 if faces <= 1 else width / (faces * 2) * 0.7))
    for i in range(faces):
        cx = int(width * (centre[0] if faces == 1 else (2 * i + 1) / (2 * faces)))
        cy = int(height * centre[1])
        cv2.ellipse(
            img,
            (cx, cy + int(s * 3.2)),
            (int(s * 2.4), int(s * 1.5)),
            0,
            180,
            360,
            (90, 60, 40),
            -1,
        )
        _draw_face(img, cx, cy, s)
    img = cv2.GaussianBlur(img, (0, 0), max(1.0, s / 40))  # soft edges, as a lens gives
    if rotate:
        m = cv2.getRotationMatrix2D((width / 2, height / 2), rotate, 1.0)
        img = cv2.warpAffine(img, m, (width, height), borderValue=background[::-1])
    out = img.astype(np.float32) * light + rng.normal(0, noise, img.shape)
    img = np.clip(out, 0, 255).astype(np.uint8)
    if blur:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    buf = io.BytesIO()
    pil = Image.fromarray(img[:, :, ::-1], "RGB")
    if fmt == "JPEG":
        pil.save(buf, "JPEG", quality=quality)
    else:
        pil.save(buf, fmt)
    return buf.getvalue()


# name -> (photo maker, the problem codes the checker must report, whether a fix is offered).
# A drawn photo without detail (blurred, dark, no face) compresses below 40 KB even at high
# quality, so those cases also report ``bytes_small``, as such a real file would.
CORPUS: dict[str, tuple[Callable[[], bytes], set[str], bool]] = {
    "right": (lambda: portrait(quality=95), set(), False),
    "too_big": (
        lambda: portrait(2000, 3000, quality=92),
        {"bytes_large", "dimensions", "ratio"},
        True,
    ),
    "png": (lambda: portrait(fmt="PNG"), {"format", "bytes_large"}, True),
    "blue_background": (
        lambda: portrait(background=BLUE, quality=97),
        {"background_colour"},
        False,
    ),
    "two_faces": (lambda: portrait(faces=2, quality=97), {"many_faces"}, False),
    "no_face": (lambda: portrait(faces=0), {"no_face", "bytes_small"}, False),
    "dark": (lambda: portrait(light=0.3), {"dark", "background_dark", "bytes_small"}, False),
    "blurred": (lambda: portrait(blur=4), {"blurred", "bytes_small"}, False),
    # Haar's frontal cascade does not find a head tilted by 30 degrees ("look straight");
    # the tilted shoulders reach the side edges, which reads as a busy background.
    "tilted": (lambda: portrait(rotate=30, quality=97), {"no_face", "background_busy"}, False),
    "odd_crop": (
        lambda: portrait(1200, 900, face_width=0.18, centre=(0.25, 0.35)),
        {"bytes_large", "dimensions", "ratio", "face_small", "face_off_centre"},
        True,
    ),
}
