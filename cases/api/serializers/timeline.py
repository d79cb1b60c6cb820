"""Serializer of the case timeline's events (issue 11: their words rendered when shown)."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import CaseEvent
from cases.services.timeline_text import data_for
from portal.api.serializers import UserBriefSerializer


class CaseEventSerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    summary = serializers.CharField(
        source="summary_text",
        read_only=True,
        help_text="What happened, worded from `data` in the requester's language.",
    )
    change = serializers.CharField(
        source="change_text",
        read_only=True,
        help_text="`before` → `after` in words of the requester's language (stages, outcomes, "
        "statuses); empty when the change says nothing to a reader.",
    )
    data = serializers.SerializerMethodField(
        help_text="The structured facts the summary is worded from (ids, codes, names in both "
        "languages, file names, versions, typed reasons); `what` names the kind of sentence. "
        "A step's `note` for case staff only."
    )

    class Meta:
        model = CaseEvent
        fields = (
            "id",
            "kind",
            "before",
            "after",
            "change",
            "summary",
            "data",
            "actor",
            "internal",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_data(self, obj: CaseEvent) -> dict[str, Any]:
        request = self.context.get("request")
        staff = bool(request is not None and request.user.is_staff_member)
        return data_for(obj.data if isinstance(obj.data, dict) else {}, staff=staff)
