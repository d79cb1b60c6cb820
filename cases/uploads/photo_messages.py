"""The sentences of the photo checks (issue 13), kept apart from the checker so that pages
and models can word a stored result without loading OpenCV.

A result is stored as codes with integer parameters (``PhotoCheck.problems`` and ``.fixes``)
and worded when shown, in the viewer's language; an unknown code reads as ``check_error``.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

_BACKGROUND_ADVICE = _(
    "Stand in front of a plain white or light-grey wall, with nothing behind you, and take the "
    "photo again."
)

MESSAGES = {
    "unreadable": _(
        "We could not open this photo. Save it again as a JPEG (.jpg) file on your phone or "
        "computer and upload that."
    ),
    "format": _("The photo is not a JPEG file. Save it as a JPEG (.jpg) file and upload that."),
    "colour": _(
        "The photo is not a full-colour (24-bit) image. Upload a colour photo saved as JPEG."
    ),
    "bytes_small": _(
        "The file is %(kb)s KB; it must be at least %(min_kb)s KB. Save it at a higher quality."
    ),
    "bytes_large": _(
        "The file is %(kb)s KB; it must be at most %(max_kb)s KB. Save it at a lower quality or "
        "a smaller size."
    ),
    "dimensions": _(
        "The photo is %(width)s × %(height)s pixels; it must be %(min_width)s to %(max_width)s "
        "pixels wide and %(min_height)s to %(max_height)s pixels high. Resize it."
    ),
    "ratio": _(
        "The photo has the wrong shape: width to height must be %(ratio_w)s:%(ratio_h)s (for "
        "example %(example_w)s × %(example_h)s pixels). Crop it to that shape."
    ),
    # format_lazy: each half is translated when shown, not when this module loads.
    "background_dark": format_lazy(
        "{} {}", _("The background is not white or light enough."), _BACKGROUND_ADVICE
    ),
    "background_colour": format_lazy(
        "{} {}", _("The background is coloured, not white."), _BACKGROUND_ADVICE
    ),
    "background_busy": format_lazy(
        "{} {}",
        _("The background is not plain: it has shapes, shadows or objects."),
        _BACKGROUND_ADVICE,
    ),
    "no_face": _(
        "We could not find a face. Look straight at the camera with your whole face visible "
        "and nothing covering it, and take the photo again."
    ),
    "many_faces": _(
        "We found %(count)s faces. The photo must show only you: take it again with nobody "
        "else in the picture."
    ),
    "face_small": _(
        "Your head is too small in the photo. Take it closer, or crop it, so that your head "
        "and the top of your shoulders fill most of the picture."
    ),
    "face_large": _(
        "Your head is too large in the photo. Take it from a little further away so that the "
        "whole head and the top of your shoulders show."
    ),
    "face_off_centre": _(
        "Your head is not in the middle of the photo. Crop it so that your face is centred "
        "from left to right."
    ),
    "face_high": _(
        "Your head is too high in the photo. Crop it so that there is a little space above your "
        "head and your shoulders show."
    ),
    "face_low": _(
        "Your head is too low in the photo. Crop it so that your face is in the upper middle of "
        "the picture."
    ),
    "dark": _(
        "The photo is too dark. Take it again in daylight or good, even light, facing the light."
    ),
    "blurred": _(
        "The photo is blurred. Hold the camera still (or rest it on something), let it focus on "
        "your face, and take the photo again."
    ),
    "check_error": _(
        "We could not check this photo automatically. Your advisor will check it by eye."
    ),
}


def problem_text(code: str, params: dict[str, int]) -> str:
    """The sentence for a problem in the active language; an unknown code (a stored row
    from a later version) gets the generic ``check_error`` sentence."""
    template = MESSAGES.get(code, MESSAGES["check_error"])
    try:
        return str(template) % params if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(MESSAGES["check_error"])


FIX_MESSAGES = {
    "crop": _("Cropped to the %(ratio_w)s:%(ratio_h)s shape around your face."),
    "resize": _("Resized to %(width)s × %(height)s pixels."),
    "background": _("Made the light background plain white (your face is unchanged)."),
    "jpeg": _("Saved as a colour JPEG file of %(kb)s KB."),
}


def fix_text(code: str, params: dict[str, int]) -> str:
    """The sentence for one change the fixer made, in the active language."""
    template = FIX_MESSAGES.get(code)
    if template is None:
        return ""
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return ""
