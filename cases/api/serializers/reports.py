"""Serializers of the report data endpoint (``GET reports/``): the query (filters) and the
answer (read-only figures; days are decimal days, counts are integers)."""

from rest_framework import serializers


class ReportQuerySerializer(serializers.Serializer):
    """The filters, as on the reports page (``cases/forms/reports.py`` checks them)."""

    start = serializers.DateField(
        required=False, help_text="First UTC date of the period (default: 83 days before end)."
    )
    end = serializers.DateField(required=False, help_text="Last UTC date (default: today).")
    visa_type = serializers.CharField(
        required=False, max_length=16, help_text="One visa type's code; all when absent."
    )
    advisor = serializers.CharField(
        required=False,
        max_length=20,
        help_text=(
            "Supervisors and admins only: an advisor's user id, or `none` for the cases without"
            " an advisor. Others always get their own cases."
        ),
    )


class OpenCasesSerializer(serializers.Serializer):
    stage = serializers.CharField()
    stage_label = serializers.CharField()
    visa_type = serializers.CharField()
    count = serializers.IntegerField()


class SpreadSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)
    p90_days = serializers.FloatField(allow_null=True)


class StageDaysSerializer(SpreadSerializer):
    stage = serializers.CharField()
    stage_label = serializers.CharField()


class ReviewWaitingSerializer(serializers.Serializer):
    reviews_done = SpreadSerializer()
    waiting_now = serializers.IntegerField()
    oldest_waiting_days = serializers.FloatField(allow_null=True)


class OutcomeSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day.")
    visa_type = serializers.CharField()
    approved = serializers.IntegerField()
    refused = serializers.IntegerField()
    withdrawn = serializers.IntegerField()


class WeekSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="The ISO week's Monday.")
    opened = serializers.IntegerField()
    closed = serializers.IntegerField()


class AdvisorDeadlinesSerializer(serializers.Serializer):
    advisor = serializers.IntegerField(allow_null=True, help_text="User id; null: no advisor.")
    advisor_name = serializers.CharField()
    overdue = serializers.IntegerField(help_text="Documents overdue now.")
    due_soon = serializers.IntegerField(help_text="Documents due in the next `due_soon_days`.")


class ReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    visa_type = serializers.CharField(help_text="Empty: every visa type.")
    advisor = serializers.CharField(help_text="Empty: every advisor the caller may see.")
    open_cases = OpenCasesSerializer(many=True, help_text="Open cases now (on hold included).")
    stage_days = StageDaysSerializer(many=True, help_text="Stays that ended in the period.")
    review_waiting = ReviewWaitingSerializer()
    outcomes = OutcomeSerializer(many=True)
    weeks = WeekSerializer(many=True)
    due_soon_days = serializers.IntegerField()
    deadlines_by_advisor = AdvisorDeadlinesSerializer(many=True, help_text="As of now.")
