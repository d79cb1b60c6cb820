"""The file types uploads may have, with the names people know them by."""

# MIME type -> the name shown to people in messages ("accepted: PDF, JPEG").
TYPE_LABELS: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}
