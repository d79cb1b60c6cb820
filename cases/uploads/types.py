"""The file types uploads may have, with the names people know them by."""

# MIME type -> the name shown to people in messages ("accepted: PDF, JPEG").
TYPE_LABELS: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}


# Images checked by Pillow; their pixels are decoded only by the worker (issue 18).
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})


# Phone photo formats converted to JPEG (by the worker) when the checklist item accepts JPEG.
HEIF_TYPES = frozenset({"image/heic", "image/heif"})


# MIME type -> the file name extensions it goes by, the usual one first (what a stored file's
# name is given when the name the browser sent says another type).
TYPE_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "image/png": ("png",),
    "image/heic": ("heic",),
    "image/heif": ("heif", "heic"),
}
