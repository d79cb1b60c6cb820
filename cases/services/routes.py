"""Route checklists (issue 13): what a case is asked for follows the route its current
assessment shows.

A checklist item with a route condition (``ChecklistItem.route_condition``, patterns such as
``k-degree`` or ``r-class-a-*``; ``eligibility/routes.py``) is copied onto each case with its
condition. Whenever a case's assessment is stored (an advisor's assessment, the re-assessment
after a rule set version is published, in Celery), ``requirements_follow_routes`` sets
``required`` of the case's open conditional requirements from that assessment's routes:

- required when a route named by the condition passes; while no route passes, when a named
  route is still unknown; and whenever the route cannot be told (no assessment, every route
  failed, or no route of the rule set matches the condition). See
  ``eligibility.routes.condition_applies``.
- otherwise not required: shown as "Not needed for your route", never overdue, not blocking
  the move to ready; the applicant may still upload.

Only the ``required`` flag changes: status, uploaded versions, review and due date stay, so
switching back asks again with the uploads intact. Accepted and waived requirements are left
alone, and so are requirements of closed, decided or withdrawn cases. Each case whose required
documents changed gets one CaseEvent (kind "update", shown to the applicant) naming the
documents now needed and no longer needed.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from cases.models import (
    OPEN_STAGES,
    SATISFIED_STATUSES,
    Case,
    CaseEvent,
    DocumentRequirement,
    EventKind,
    Stage,
)
from cases.models.timeline import ROUTE_CHANGE_KEY
from cases.services.events import event_build, events_record
from cases.services.summary import case_summary_refresh
from eligibility.models import Assessment
from eligibility.routes import condition_applies, parse_route_patterns, route_results
from portal.models import User


def requirement_applies(route_condition: str, routes: Mapping[str, str] | None) -> bool:
    """Whether a requirement with this stored condition is asked, given the case's routes
    (``eligibility.routes.route_results`` of its current assessment; ``None`` when never
    assessed). A condition that no longer parses (edited outside the admin) is asked."""
    try:
        patterns = parse_route_patterns(route_condition)
    except ValueError:
        return True
    return condition_applies(patterns, routes)


def _names(requirements: Iterable[DocumentRequirement]) -> list[dict[str, str]]:
    return [{"code": r.code, "en": r.name_en, "zh": r.name_zh} for r in requirements]


def requirements_follow_routes(
    *, assessments: Iterable[Assessment], actor: User | None
) -> list[CaseEvent]:
    """Set ``required`` of the open conditional requirements of each assessment's case from
    that assessment (the case's new current one), in the caller's transaction.

    ``assessments``: saved or just bulk-created ``Assessment`` rows, at most one per case (a
    later one for the same case wins). ``actor``: who ran the assessment (None for the
    re-assessment after publishing). Queries: one read, at most two updates, the case rows'
    update and summary refresh (``case_summary_refresh``) and one insert, whatever the number
    of cases. Returns the CaseEvents written, one per changed case.
    """
    routes_by_case: dict[int, dict[str, str]] = {
        a.case_id: route_results(a.results or []) for a in assessments
    }
    if not routes_by_case:
        return []
    rows = (
        DocumentRequirement.objects.filter(
            case_id__in=routes_by_case,
            case__stage__in=[*OPEN_STAGES, Stage.ON_HOLD],
        )
        .exclude(route_condition="")
        .exclude(status__in=SATISFIED_STATUSES)
        .order_by("case_id", "position", "id")
    )
    now_needed: dict[int, list[DocumentRequirement]] = defaultdict(list)
    not_needed: dict[int, list[DocumentRequirement]] = defaultdict(list)
    for req in rows:
        applies = requirement_applies(req.route_condition, routes_by_case[req.case_id])
        if applies != req.required:
            (now_needed if applies else not_needed)[req.case_id].append(req)
    stamp = timezone.now()
    for required, groups in ((True, now_needed), (False, not_needed)):
        pks = [r.pk for reqs in groups.values() for r in reqs]
        if pks:
            DocumentRequirement.objects.filter(pk__in=pks).update(
                required=required, updated_at=stamp
            )
    changed = sorted(set(now_needed) | set(not_needed))
    if not changed:
        return []
    events = []
    for case_id in changed:
        routes = routes_by_case[case_id]
        data: dict[str, Any] = {
            ROUTE_CHANGE_KEY: {
                "needed": _names(now_needed[case_id]),
                "not_needed": _names(not_needed[case_id]),
            },
            "routes": sorted(rid for rid, result in routes.items() if result == "pass"),
        }
        events.append(
            event_build(
                case_id=case_id,
                actor=actor,
                kind=EventKind.UPDATE,
                data=data,
            )
        )
    Case.objects.filter(pk__in=changed).update(updated_at=stamp)
    case_summary_refresh(case_ids=changed)  # the counts and due date read ``required``
    return events_record(events)
