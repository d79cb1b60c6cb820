"""Reads of eligibility data that other apps use. ``eligibility`` never imports ``cases``."""

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, F, QuerySet

from eligibility.models import Assessment, AssessmentTrigger, RuleSet, RuleSetStatus

if TYPE_CHECKING:
    from portal.models import User


def current_assessment(*, case_id: int) -> Assessment | None:
    """The case's latest assessment (the current one), or None when never assessed."""
    return (
        Assessment.objects.filter(case_id=case_id)
        .select_related("rule_set", "run_by")
        .order_by("-created_at", "-id")
        .first()
    )


def current_assessment_outcome(*, case_id: int) -> str | None:
    """The outcome of the case's current (latest) assessment (eligible | ineligible |
    needs_information | needs_review), or None when the case has not been assessed."""
    return (
        Assessment.objects.filter(case_id=case_id)
        .order_by("-created_at", "-id")
        .values_list("outcome", flat=True)
        .first()
    )


class ReassessmentSummary(TypedDict):
    """``total`` cases re-assessed; ``changes``: ``(from outcome, to outcome, count)`` rows
    (from is "—" for a case never assessed before); ``published``: the rule set still is."""

    total: int
    changes: list[tuple[str, str, int]]
    published: bool


def published_rule_set(*, visa_type_code: str) -> RuleSet | None:
    """The published rule set of a visa type, or None."""
    return RuleSet.objects.published().filter(visa_type_code=visa_type_code).first()


def published_rule_sets() -> QuerySet[RuleSet]:
    return RuleSet.objects.published().order_by("visa_type_code")


def reassessment_summary(*, rule_set: RuleSet) -> ReassessmentSummary:
    """What re-assessment after publishing ``rule_set`` did: ``total`` cases re-assessed and
    ``changes``, a list of ``(from outcome, to outcome, count)`` where the outcome changed."""
    qs = Assessment.objects.filter(rule_set=rule_set, trigger=AssessmentTrigger.PUBLISH)
    changes = (
        qs.exclude(previous_outcome=F("outcome"))
        .values_list("previous_outcome", "outcome")
        .annotate(n=Count("id"))
        .order_by("previous_outcome", "outcome")
    )
    return {
        "total": qs.count(),
        "changes": [(before or "—", after, n) for before, after, n in changes],
        "published": rule_set.status == RuleSetStatus.PUBLISHED,
    }


def assessment_list_for_case(*, case_id: int) -> QuerySet[Assessment]:
    """The case's assessments, newest first, rule set and runner joined; the large JSON columns
    (facts, results, other routes, the rule set's criteria) are not loaded. The caller has
    checked that the user may see the case."""
    return (
        Assessment.objects.filter(case_id=case_id)
        .select_related("rule_set", "run_by")
        .defer(
            "facts",
            "results",
            "other_routes",
            "rule_set__criteria",
            "rule_set__citations",
            "rule_set__notes",
        )
        .order_by("-created_at", "-id")
    )


def assessment_list_for_user(*, user: "User") -> QuerySet[Assessment]:
    """Assessments of every case ``user`` may see, with case, rule set and runner joined."""
    return Assessment.objects.visible_to(user).select_related("case", "rule_set", "run_by")
