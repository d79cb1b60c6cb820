"""Assessing cases against rule sets: by an advisor, and in bulk after a new version is published.

The engine (``eligibility/engine/``) is pure; this module builds facts from cases, stores
``eligibility.Assessment`` rows with a CaseEvent where the outcome changed, and notifies advisors
on commit.
"""

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case, CaseEvent, EventKind, ReminderKind
from cases.selectors.eligibility import cases_for_assessment, facts_for_case, facts_snapshot
from cases.services.events import event_build, events_record
from cases.services.notifications import Notice, notify_all
from cases.services.routes import requirements_follow_routes
from cases.services.timeline_text import event_data
from eligibility.engine import Evaluation, Facts, Node, compile_criteria, evaluate
from eligibility.models import (
    Assessment,
    AssessmentOutcome,
    AssessmentTrigger,
    RuleSet,
    RuleSetStatus,
)
from portal.errors import InvalidInput, NotAllowed
from portal.mail import language_of
from portal.models import User

logger = logging.getLogger(__name__)

_compiled: dict[tuple[int, str], Node] = {}


def _compile(rule_set: RuleSet) -> Node:
    """Compiled criteria, cached per rule set id (published criteria never change; drafts are
    keyed by their JSON too so an edited draft recompiles)."""
    key = (rule_set.pk, repr(rule_set.criteria) if rule_set.is_editable else "")
    node = _compiled.get(key)
    if node is None:
        node = compile_criteria(rule_set.criteria)
        if len(_compiled) > 256:
            _compiled.clear()
        _compiled[key] = node
    return node


def _other_routes(facts: Facts, others: Iterable[RuleSet]) -> list[dict[str, Any]]:
    return [
        {
            "visa_type_code": rs.visa_type_code,
            "rule_set_id": rs.pk,
            "version": rs.version,
            "outcome": evaluate(_compile(rs), facts).outcome.value,
        }
        for rs in others
    ]


def _assessment(
    *,
    case: Case,
    rule_set: RuleSet,
    facts: Facts,
    evaluation: Evaluation,
    others: Iterable[RuleSet],
    previous: str,
    trigger: str,
    actor: User | None,
) -> Assessment:
    return Assessment(
        case=case,
        rule_set=rule_set,
        outcome=evaluation.outcome.value,
        previous_outcome=previous or "",
        facts=facts_snapshot(facts),
        results=evaluation.results(),
        missing_facts=evaluation.missing_facts,
        other_routes=_other_routes(facts, others),
        advisor_flag=facts.advisor_flag,
        trigger=trigger,
        run_by=actor,
    )


def _event(assessment: Assessment, actor: User | None) -> CaseEvent:
    rs = assessment.rule_set
    return event_build(
        case=assessment.case,
        actor=actor,
        kind=EventKind.ASSESSMENT,
        before=assessment.previous_outcome,
        after=assessment.outcome,
        data=event_data(
            "assessment",
            rule_set=rs.pk,
            version=rs.version,
            trigger=assessment.trigger,
            visa=rs.visa_type_code,
            outcome=assessment.outcome,
        ),
    )


def _with_previous(qs: Any) -> Any:
    latest = Assessment.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id")
    return qs.annotate(
        previous_outcome=Subquery(latest.values("outcome")[:1]),
        previous_flag=Subquery(latest.values("advisor_flag")[:1]),
    )


def case_assessment_facts(*, case: Case, advisor_flag: bool = False) -> Facts:
    """The facts of ``case`` as of today (local date), reloading its qualifications."""
    loaded = cases_for_assessment(Case.objects.filter(pk=case.pk)).get()
    return facts_for_case(loaded, today=timezone.localdate(), advisor_flag=advisor_flag)


def case_assess(*, case: Case, actor: User, advisor_flag: bool = False) -> Assessment:
    """Assess ``case`` against its visa type's published rule set and the other published rule
    sets ("other routes"); store the Assessment and a CaseEvent (kind assessment) atomically,
    and set which conditional documents the case's route needs (``cases/services/routes.py``).

    ``advisor_flag`` asks for review whatever the rules say. Raises ``NotAllowed`` unless
    ``actor`` is staff on the case, ``InvalidInput`` when the visa type has no published rules.
    """
    if not permissions.can_assess(actor, case):
        raise NotAllowed(_("Only the case's advisor or an admin can run an assessment."))
    published = list(RuleSet.objects.published())
    rule_set = next((r for r in published if r.visa_type_code == case.visa_type.code), None)
    if rule_set is None:
        raise InvalidInput(
            _("The %(code)s visa has no published rule set; ask an admin to publish one.")
            % {"code": case.visa_type.code}
        )
    facts = case_assessment_facts(case=case, advisor_flag=advisor_flag)
    evaluation = evaluate(_compile(rule_set), facts)
    with transaction.atomic():
        previous = (
            Assessment.objects.filter(case=case)
            .order_by("-created_at", "-id")
            .values_list("outcome", flat=True)
            .first()
        )
        assessment = _assessment(
            case=case,
            rule_set=rule_set,
            facts=facts,
            evaluation=evaluation,
            others=[r for r in published if r.pk != rule_set.pk],
            previous=previous or "",
            trigger=AssessmentTrigger.MANUAL,
            actor=actor,
        )
        assessment.save()
        events_record([_event(assessment, actor)])
        requirements_follow_routes(assessments=[assessment], actor=actor)
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return assessment


def rule_set_preview(*, rule_set: RuleSet, case: Case) -> Evaluation:
    """Run any rule set (a draft too) against ``case`` and return the evaluation; saves nothing."""
    return evaluate(compile_criteria(rule_set.criteria), case_assessment_facts(case=case))


def preview_facts_for_case(reference_or_pk: str) -> Facts:
    """Facts of the case with this reference (or primary key), for the rule set admin preview
    (``settings.ELIGIBILITY_FACTS_FOR_CASE``). Raises ``LookupError`` when there is no such
    case."""
    value = reference_or_pk.strip()
    qs = (
        Case.objects.filter(pk=int(value))
        if value.isdigit()
        else Case.objects.filter(reference__iexact=value)
    )
    case = qs.first()
    if case is None:
        raise LookupError(value)
    return case_assessment_facts(case=case)


# --- re-assessment after publishing -----------------------------------------------------------


def reassessment_case_ids(*, rule_set_id: int) -> list[int]:
    """Ids of the open cases of the rule set's visa type, in id order."""
    rule_set = RuleSet.objects.get(pk=rule_set_id)
    return list(
        Case.objects.open()
        .filter(visa_type__code=rule_set.visa_type_code)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def cases_reassess_for_rule_set(
    *, rule_set_id: int, case_ids: list[int], today: dt.date | None = None
) -> Counter[tuple[str, str]]:
    """Re-assess the given open cases against a newly published rule set, in one transaction.

    Each case's conditional documents then follow its new route (``cases/services/routes.py``).
    Safe to run twice: cases already re-assessed for this rule set are skipped (the rule set row
    is locked while a batch runs, and a unique constraint backs it up). Writes a CaseEvent where
    the outcome changed (or the case had no assessment before) and, on commit, emails each
    assigned advisor the list of their cases whose earlier outcome changed. The query count is
    constant per batch (no query per case). Returns a Counter of ``(previous outcome, new
    outcome)`` for the changed cases. Does nothing when the rule set is no longer published.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        rule_set = RuleSet.objects.select_for_update().filter(pk=rule_set_id).first()
        if rule_set is None or rule_set.status != RuleSetStatus.PUBLISHED:
            return Counter()
        done = Assessment.objects.filter(
            rule_set=rule_set, trigger=AssessmentTrigger.PUBLISH, case_id__in=case_ids
        ).values("case_id")
        cases = list(
            _with_previous(
                cases_for_assessment(
                    Case.objects.open()
                    .filter(pk__in=case_ids, visa_type__code=rule_set.visa_type_code)
                    .exclude(pk__in=done)
                    .select_related("advisor")
                )
            ).order_by("pk")
        )
        others = list(RuleSet.objects.published().exclude(pk=rule_set.pk))
        root = _compile(rule_set)
        assessments = []
        for case in cases:
            facts = facts_for_case(case, today=today, advisor_flag=bool(case.previous_flag))
            assessments.append(
                _assessment(
                    case=case,
                    rule_set=rule_set,
                    facts=facts,
                    evaluation=evaluate(root, facts),
                    others=others,
                    previous=case.previous_outcome or "",
                    trigger=AssessmentTrigger.PUBLISH,
                    actor=None,
                )
            )
        Assessment.objects.bulk_create(assessments, batch_size=500)
        requirements_follow_routes(assessments=assessments, actor=None)
        changed = [a for a in assessments if a.previous_outcome != a.outcome]
        events = events_record(_event(a, None) for a in changed)
        _notify_changed(rule_set, changed, events)
        counts: Counter[tuple[str, str]] = Counter((a.previous_outcome, a.outcome) for a in changed)
        by_advisor: dict[int, list[Assessment]] = defaultdict(list)
        advisors: dict[int, User] = {}
        for a in changed:
            # A first assessment is recorded on the timeline but is no news to the advisor.
            advisor = a.case.advisor
            if advisor is not None and a.previous_outcome:
                by_advisor[advisor.pk].append(a)
                advisors[advisor.pk] = advisor
        if by_advisor:
            notices = [(advisors[pk], items) for pk, items in by_advisor.items()]
            transaction.on_commit(lambda: _notify_advisors(rule_set, notices))
    return counts


def _notify_changed(rule_set: RuleSet, changed: list[Assessment], events: list[CaseEvent]) -> None:
    """In-app notices to each advisor of a case whose earlier outcome changed (the email is the
    per-advisor summary of ``_notify_advisors``). One insert for the batch."""
    notify_all(
        [
            (
                Notice(
                    kind=ReminderKind.ELIGIBILITY_CHANGED,
                    case=a.case,
                    event=event,
                    actor=None,
                    facts={
                        "before": a.previous_outcome,
                        "after": a.outcome,
                        "version": rule_set.version,
                    },
                ),
                [a.case.advisor],
            )
            for a, event in zip(changed, events, strict=True)
            if a.previous_outcome
        ]
    )


def _notify_advisors(rule_set: RuleSet, notices: list[tuple[User, list[Assessment]]]) -> None:
    """Email each advisor the cases whose outcome changed, in the advisor's language."""
    base = settings.SITE_URL.rstrip("/")
    for advisor, items in notices:
        if not advisor.email or not advisor.is_active:
            continue
        with translation.override(language_of(advisor)):
            context = {
                "advisor": advisor,
                "rule_set": rule_set,
                "items": [
                    {
                        "reference": a.case.reference,
                        "before": AssessmentOutcome(a.previous_outcome).label
                        if a.previous_outcome
                        else "—",
                        "after": AssessmentOutcome(a.outcome).label,
                        "url": base + reverse("cases:detail", args=[a.case_id]),
                    }
                    for a in items
                ],
            }
            subject = _("%(n)s of your cases changed eligibility under %(code)s v%(v)s") % {
                "n": len(items),
                "code": rule_set.visa_type_code,
                "v": rule_set.version,
            }
            body = render_to_string("cases/email/reassessment_changed.txt", context)
        try:
            send_mail(subject, body, None, [advisor.email])
        except Exception:  # the assessments are committed; a mail outage must not undo them
            logger.exception("Could not email advisor %s about re-assessment", advisor.pk)
