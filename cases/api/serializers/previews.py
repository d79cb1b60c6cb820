"""The preview part of a document version in the API (issue 10): whether page images exist,
how many, and where each is served (``GET /api/v1/documents/<id>/preview/?page=N``, with the
download's permission check and access log)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Document, PreviewState


class PreviewSerializer(serializers.Serializer):
    """Read with ``source="*"`` from a ``Document``."""

    state = serializers.ChoiceField(
        source="preview_state",
        choices=PreviewState.choices,
        read_only=True,
        help_text="ready: the page images below can be fetched; pending: the version is being "
        "checked or its preview made (refresh later; the file downloads meanwhile); failed: "
        "every try to make the preview failed (the file still downloads); none: no preview "
        "(refused or failed version, or a file deleted by retention).",
    )
    page_count = serializers.SerializerMethodField(
        help_text="Pages with a preview image (at most 20 of a PDF; 1 of an image); 0 unless ready."
    )
    pages = serializers.SerializerMethodField(
        help_text="The URL (path) of each page image, page 1 first: PNG made on the server."
    )

    def get_page_count(self, obj: Document) -> int:
        return obj.preview_pages if obj.preview_state == PreviewState.READY else 0

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_pages(self, obj: Document) -> list[str]:
        if obj.preview_state != PreviewState.READY:
            return []
        base = reverse("api:document-preview", args=[obj.pk])
        return [f"{base}?page={n}" for n in obj.preview_page_numbers]
