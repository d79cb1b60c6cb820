"""Image checks and clean-ups of uploads.

Two halves, so that a web worker never holds a whole bitmap (issue 18):

- ``_check_image_header`` (in the request): format and dimensions from the header only, the
  60-megapixel limit, and a structural check that reads no pixels (a JPEG's end-of-image
  marker after its scan data, a PNG's chunk checksums). Memory is bounded by a few kilobytes
  whatever the pixel count.
- ``_decode_check``, ``_heif_to_jpeg``, ``_strip_location`` (in the Celery worker): a decode
  at reduced size (Pillow's JPEG ``draft``: 1/8 scale) that finds damaged scan data, HEIC/HEIF
  to JPEG, and the removal of location from EXIF (the GPS block) and XMP.
"""

import re
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


# XMP properties that say where a photo was taken: EXIF GPS in XMP (exif:GPSLatitude, ...),
# IPTC Core and Extension locations, Photoshop's city, state and country (XMP Specification
# Part 2, and the IPTC Photo Metadata Standard 2023.2).
_XMP_LOCATION = re.compile(
    rb"exif:GPS|exifEX:GPS|Iptc4xmpCore:Location|Iptc4xmpExt:Location|"
    rb"photoshop:City|photoshop:State|photoshop:Country"
)


_CHUNK = 1024 * 1024
_TAIL = 64 * 1024


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


def _damaged(content_type: str) -> InvalidInput:
    if content_type in ("image/heic", "image/heif"):
        return InvalidInput(
            _(
                "This HEIC photo is damaged or incomplete. Take the photo again, or export it "
                "as JPEG, and upload the new file."
            )
        )
    return InvalidInput(
        _(
            "This %(label)s image is damaged or incomplete. Take the photo or scan again and "
            "upload the new file."
        )
        % {"label": TYPE_LABELS.get(content_type, "")}
    )


def _open(stream: IO[bytes]) -> Image.Image:
    stream.seek(0)
    with warnings.catch_warnings():
        # Pillow warns from 89 MP; our own, lower limit is checked from the header.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(stream)


def _jpeg_reaches_end_marker(stream: IO[bytes], scan_start: int) -> bool:
    """Whether an end-of-image marker (FF D9) follows the first scan. Inside entropy-coded
    data every FF byte is followed by 00 or a restart marker (ITU T.81, B.1.1.5), so no FF D9
    occurs between the start of the scan and the real end; a file cut short in transfer has
    none at all. Data a camera appends after the end (previews, motion-photo video) is allowed.

    Whether one occurs does not depend on the direction of the search, so it is searched from
    the end of the file backwards: a complete JPEG ends with its marker, found in the last
    64 KB read, instead of after searching all the scan data (tens of ms for a 16 MP photo).
    A file without one is read whole, in chunks of at most 1 MB; memory stays bounded."""
    stream.seek(0, 2)
    pos = stream.tell()
    after = b""  # the first byte of the part already searched: a marker may straddle the two
    size = _TAIL
    while pos > scan_start:
        start = max(scan_start, pos - size)
        stream.seek(start)
        chunk = stream.read(pos - start)
        if b"\xff\xd9" in chunk or (after == b"\xd9" and chunk.endswith(b"\xff")):
            return True
        after = chunk[:1]
        pos = start
        size = _CHUNK
    return False


def _check_image_header(stream: IO[bytes], content_type: str) -> None:
    """Request-time check of a JPEG, PNG or HEIC/HEIF upload without decoding pixels: the size
    from the header against ``MAX_IMAGE_PIXELS``, then for JPEG the end marker after the scan
    data, for PNG every chunk's CRC up to IEND (``Image.verify``). Raises ``InvalidInput`` with
    the messages people have always read."""
    try:
        with _open(stream) as img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            if content_type == "image/jpeg":
                # Pillow's JPEG parser stops right after the first start-of-scan header.
                if not _jpeg_reaches_end_marker(stream, stream.tell()):
                    raise _damaged(content_type)
            elif content_type == "image/png":
                img.verify()
    except InvalidInput:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels_unknown() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, RuntimeError) as exc:
        raise _damaged(content_type) from exc
    finally:
        stream.seek(0)


def _has_location(img: Image.Image) -> bool:
    """Whether an opened image carries where it was taken: an EXIF GPS block or XMP location
    properties (``_XMP_LOCATION``)."""
    if _GPS_IFD in img.getexif():
        return True
    xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    return bool(_XMP_LOCATION.search(xmp))


def _decode_check(stream: IO[bytes], content_type: str) -> None:
    """Worker-side: decode the image to find damaged pixel data. JPEGs decode at 1/8 scale
    (``Image.draft``: libjpeg's DCT scaling reads every coefficient but builds 1/64 of the
    bitmap); PNGs have no reduced decode and load whole (at most 60 MP, in the worker).
    Raises ``InvalidInput`` (damaged)."""
    try:
        with _open(stream) as img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            if content_type == "image/jpeg":
                img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            img.load()
    except InvalidInput:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels_unknown() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _damaged(content_type) from exc
    finally:
        stream.seek(0)


def _heif_to_jpeg(stream: IO[bytes]) -> IO[bytes]:
    """Decode a HEIC/HEIF photo (after checking its pixel count from the header), apply its
    orientation and return a JPEG without any EXIF or XMP (so without location)."""
    try:
        with _open(stream) as img:
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
        raise _damaged("image/heic") from exc
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
    rgb.save(out, format="JPEG", quality=90)
    out.seek(0)
    return out


def _strip_location(stream: IO[bytes], content_type: str) -> IO[bytes]:
    """The image without its location (the EXIF GPS block, and the XMP packet when it holds
    location properties), or ``stream`` itself when it has none. Other EXIF tags stay. JPEGs
    keep their quantisation tables (``quality="keep"``), so the picture is not visibly
    re-encoded. Decodes the whole bitmap: run it in the worker."""
    stream.seek(0)
    with _open(stream) as img:
        if not _has_location(img):
            stream.seek(0)
            return stream
        exif = img.getexif()
        exif.pop(_GPS_IFD, None)
        out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
        extra = {"icc_profile": img.info["icc_profile"]} if "icc_profile" in img.info else {}
        # No ``xmp=`` argument: Pillow writes no XMP packet unless given one.
        if content_type == "image/jpeg":
            img.save(out, format="JPEG", quality="keep", exif=exif.tobytes(), **extra)
        else:
            img.save(out, format="PNG", exif=exif.tobytes(), **extra)
    out.seek(0)
    return out
