"""Serializers of the notifications and case tasks endpoints."""

from rest_framework import serializers

from cases.api.serializers.inputs import FirmAdvisorField
from cases.models import CaseTask, Notification
from portal.api.serializers import StrictSerializer, UserBriefSerializer


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(
        choices=[("", ""), *(Notification._meta.get_field("kind").choices or [])],
        read_only=True,
        help_text="What the notice is about; empty for a notice kept from before notices "
        "were worded when shown (its stored title is shown as it was).",
    )
    title = serializers.CharField(
        source="text",
        read_only=True,
        help_text="The title, worded from `kind` and `data` in the requester's language.",
    )
    data = serializers.JSONField(
        read_only=True,
        help_text="The facts the title is worded from (case reference, names in both "
        "languages, stage and outcome keys, due dates).",
    )
    url = serializers.CharField(
        read_only=True, help_text="Path of the page it is about (web), may be empty."
    )

    class Meta:
        model = Notification
        fields = (
            "id",
            "kind",
            "title",
            "data",
            "body",
            "url",
            "case",
            "created_at",
            "read_at",
            "read",
        )
        read_only_fields = fields

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="Notifications marked read by this request.")


class TaskSerializer(serializers.ModelSerializer):
    assignee = UserBriefSerializer(
        read_only=True, allow_null=True, help_text="Null: the case's advisor."
    )
    created_by = UserBriefSerializer(read_only=True, allow_null=True)
    due_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="A date in the case's time zone."
    )

    class Meta:
        model = CaseTask
        fields = (
            "id",
            "case",
            "title",
            "due_date",
            "assignee",
            "done",
            "done_at",
            "created_by",
            "created_at",
        )
        read_only_fields = fields


class TaskCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="In the case's time zone."
    )
    assignee = FirmAdvisorField(
        required=False,
        allow_null=True,
        default=None,
        help_text="An active advisor; null: the case's advisor.",
    )


class TaskDoneSerializer(StrictSerializer):
    done = serializers.BooleanField(
        required=False, default=True, help_text="false opens the task again."
    )


class NoFieldsSerializer(StrictSerializer):
    """The body of an action that takes no input: empty, or ``{}``; any field sent is refused."""


# drf-spectacular leaves out a serializer without fields; document the empty object instead.
NO_FIELDS_REQUEST = {
    "application/json": {"type": "object", "properties": {}, "additionalProperties": False}
}
