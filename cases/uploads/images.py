"""Image checks and clean-ups of uploads: pixel limit (60 megapixels), decoding by Pillow,
HEIC/HEIF to JPEG, removal of GPS location from EXIF."""

import tempfile
import warnings
from typing import IO

import pillow_heif
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from cases.uploads.types import TYPE_LABELS
from portal.errors import InvalidInput

pillow_heif.register_heif_opener()


# A decompression bomb guard: images above this many pixels are refused before decoding.
MAX_IMAGE_PIXELS = 60_000_000


_GPS_IFD = 0x8825


def _too_many_pixels(width: int, height: int) -> InvalidInput:
    return InvalidInput(
        _(
            "This image is %(w)s × %(h)s pixels, more than %(mp)s megapixels. Resize it (a scan "
            "at 300 dpi is enough) and upload it again."
        )
        % {"w": width, "h": height, "mp": MAX_IMAGE_PIXELS // 1_000_000}
    )


def _too_many_pixels_unknown() -> InvalidInput:
    return InvalidInput(
        _(
            "This image has more than %(mp)s megapixels. Resize it (a scan at 300 dpi is "
            "enough) and upload it again."
        )
        % {"mp": MAX_IMAGE_PIXELS // 1_000_000}
    )


def _heif_to_jpeg(stream: IO[bytes]) -> IO[bytes]:
    """Decode a HEIC/HEIF photo (after checking its pixel count from the header), apply its
    orientation and return a JPEG without any EXIF (so without location)."""
    damaged = _(
        "This HEIC photo is damaged or incomplete. Take the photo again, or export it as JPEG, "
        "and upload the new file."
    )
    try:
        with Image.open(stream) as img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            img.load()
            rgb = ImageOps.exif_transpose(img).convert("RGB")
    except InvalidInput:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels_unknown() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, RuntimeError) as exc:
        raise InvalidInput(damaged) from exc
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
    rgb.save(out, format="JPEG", quality=90)
    out.seek(0)
    return out


def _strip_location(stream: IO[bytes], content_type: str) -> IO[bytes]:
    """The image without its EXIF GPS block, or ``stream`` itself when it has none. JPEGs keep
    their quantisation tables (``quality="keep"``), so the picture is not visibly re-encoded."""
    stream.seek(0)
    with Image.open(stream) as img:
        exif = img.getexif()
        if _GPS_IFD not in exif:
            stream.seek(0)
            return stream
        del exif[_GPS_IFD]
        out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
        extra = {"icc_profile": img.info["icc_profile"]} if "icc_profile" in img.info else {}
        if content_type == "image/jpeg":
            img.save(out, format="JPEG", quality="keep", exif=exif.tobytes(), **extra)
        else:
            img.save(out, format="PNG", exif=exif.tobytes(), **extra)
    out.seek(0)
    return out


def _check_image(stream: IO[bytes], content_type: str) -> None:
    label = TYPE_LABELS[content_type]
    damaged = _(
        "This %(label)s image is damaged or incomplete. Take the photo or scan again and upload "
        "the new file."
    ) % {"label": label}
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 MP; our own, lower limit is checked from the header below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(stream)
        with img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            img.verify()
        stream.seek(0)
        with Image.open(stream) as img:
            img.load()
    except InvalidInput:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels_unknown() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(damaged) from exc
