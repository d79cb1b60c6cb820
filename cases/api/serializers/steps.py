"""Serializers of the case steps endpoints."""

from typing import Any

from rest_framework import serializers

from cases.models import MAX_STEP_NOTE_CHARS, CaseStep
from portal.api.serializers import StrictSerializer, UserBriefSerializer


class CaseStepSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the requester's language.")
    help = serializers.CharField(source="help_text", read_only=True)
    due_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="A date in the case's time zone."
    )
    done_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Null while open; a date in the case's zone."
    )
    done_by = UserBriefSerializer(read_only=True, allow_null=True)
    done_note = serializers.SerializerMethodField(help_text="Case staff only; null otherwise.")

    class Meta:
        model = CaseStep
        fields = (
            "id",
            "case",
            "code",
            "position",
            "stage",
            "name",
            "name_en",
            "name_zh",
            "help",
            "assignee",
            "visible_to_applicant",
            "required",
            "due_date",
            "done_on",
            "done_note",
            "done_by",
            "done_at",
        )
        read_only_fields = fields

    def get_done_note(self, obj: CaseStep) -> str | None:
        request = self.context.get("request")
        user: Any = getattr(request, "user", None)
        return obj.done_note if user is not None and user.is_staff_member else None


class StepTickSerializer(StrictSerializer):
    done_on = serializers.DateField(help_text="The date the step was done, in the case's zone.")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_STEP_NOTE_CHARS
    )
