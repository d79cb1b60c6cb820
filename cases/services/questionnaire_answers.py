"""Writes to a case's questionnaire answers and their review: saving a section, sending it to
the advisor, comments per question, returning it with what to fix, approving (locks it).

Statuses (``ResponseStatus``): not started (no row) -> in progress -> submitted for review ->
returned with comments -> submitted -> ... -> approved and locked. Each write is one
conditional UPDATE on ``revision`` (a stale page or PATCH is refused with ``StaleObject``)
plus a CaseEvent (``cases/services/events.py``), in one transaction.

Approval writes the confirmed identity and passport answers to the applicant record in the
same transaction (``cases/services/questionnaire_record.py``, through the record's own
service ``applicant_record_update``).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    Case,
    EventKind,
    QuestionComment,
    Questionnaire,
    QuestionnaireResponse,
    QuestionnaireStatus,
    ResponseStatus,
)
from cases.questionnaires.answers import clean_section, section_keys, section_missing
from cases.questionnaires.definition import iter_questions, section_by_key, text
from cases.services.events import event_record
from cases.services.questionnaire_record import questionnaire_record_write
from cases.services.timeline_text import event_data
from portal.errors import InvalidInput, NotAllowed, StaleObject, TransitionNotAllowed
from portal.models import User

MAX_COMMENT_CHARS = 2000
MAX_NOTE_CHARS = 4000


def _today(case: Case) -> dt.date:
    """Today in the case's time zone (a date a person means)."""
    return timezone.now().astimezone(ZoneInfo(case.time_zone or "UTC")).date()


def _lang() -> str:
    return get_language() or "en"


def _load(case: Case, *, lock: bool = True) -> QuestionnaireResponse | None:
    qs = QuestionnaireResponse.objects.filter(case=case, firm_id=case.firm_id)
    if lock:
        qs = qs.select_for_update()
    return qs.select_related("questionnaire").first()


def _published(case: Case) -> Questionnaire:
    questionnaire = Questionnaire.objects.filter(
        visa_type_id=case.visa_type_id, firm_id=case.firm_id, status=QuestionnaireStatus.PUBLISHED
    ).first()
    if questionnaire is None:
        raise NotAllowed(_("This visa type has no questionnaire yet. Ask your advisor."))
    return questionnaire


def _check_revision(response: QuestionnaireResponse | None, revision: int | None) -> None:
    current = response.revision if response else 0
    if revision is not None and revision != current:
        raise StaleObject(
            _(
                "These answers were changed somewhere else since you opened this page. "
                "Nothing was saved: open the page again to see the latest answers."
            ),
            details={"revision": current},
        )


def _write(
    response: QuestionnaireResponse,
    *,
    case: Case,
    actor: User,
    summary: dict[str, Any],
    **changes: Any,
) -> QuestionnaireResponse:
    """One conditional UPDATE on the loaded revision, plus the event."""
    now = timezone.now()
    hit = QuestionnaireResponse.objects.filter(pk=response.pk, revision=response.revision).update(
        revision=response.revision + 1, updated_at=now, **changes
    )
    if hit != 1:
        raise StaleObject(_("Someone else changed these answers first. Open the page again."))
    event_record(case=case, actor=actor, kind=EventKind.UPDATE, data=summary)
    for key, value in changes.items():
        setattr(response, key, value)
    response.revision += 1
    response.updated_at = now
    return response


def questionnaire_section_save(
    *,
    case: Case,
    section_key: str,
    data: Mapping[str, Any],
    actor: User,
    require: bool = True,
    revision: int | None = None,
) -> QuestionnaireResponse:
    """Validate and store the answers to one section (``data``: question key -> value, see
    ``cases/questionnaires/answers.py``). The first save pins the visa type's published
    version to the case. ``require`` False skips the required check ("Save and come back
    later"). Answers of the section that ``data`` leaves out keep their stored values. Raises
    ``InvalidInput`` (``details["errors"]``: field name -> message; nothing
    stored), ``NotAllowed`` once sent or approved (for the applicant) and ``StaleObject`` when
    ``revision`` is not the stored one."""
    with transaction.atomic():
        response = _load(case)
        status = response.status if response else ResponseStatus.NOT_STARTED
        if not permissions.can_answer_questionnaire(actor, case, status):
            raise NotAllowed(_locked_message(status))
        _check_revision(response, revision)
        questionnaire = response.questionnaire if response else _published(case)
        section = section_by_key(questionnaire.definition, section_key)
        if section is None:
            raise InvalidInput(_("There is no such page in this questionnaire."))
        if response is not None:
            # A save names the answers it changes; the section's other stored answers stay
            # (a PATCH of one field, or a page that does not send every field, erases nothing).
            kept = section_keys(section) & response.answers.keys()
            data = {**{k: response.answers[k] for k in kept}, **data}
        cleaned, errors = clean_section(
            section, data, today=_today(case), lang=_lang(), require=require
        )
        if errors:
            raise InvalidInput(
                _("There is a problem with %(n)d answer(s). Correct them and try again.")
                % {"n": len(errors)},
                details={"errors": dict(errors), "field": next(iter(errors))},
            )
        if response is None:
            response = QuestionnaireResponse.objects.create(
                firm_id=case.firm_id, case=case, questionnaire=questionnaire, answers={}
            )
        answers = {**response.answers, **cleaned}
        return _write(
            response,
            case=case,
            actor=actor,
            summary=event_data(
                "questionnaire",
                change="saved",
                section=section_key,
                page={"en": text(section["title"], "en"), "zh": text(section["title"], "zh")},
            ),
            answers=answers,
        )


def _locked_message(status: str) -> str:
    if status == ResponseStatus.APPROVED:
        return _("Your advisor approved these answers, so they cannot change any more.")
    if status == ResponseStatus.SUBMITTED:
        return _("You sent these answers to your advisor. You can change them if they return them.")
    return _("You cannot change these answers.")


def questionnaire_missing(response: QuestionnaireResponse, case: Case) -> dict[str, dict[str, str]]:
    """Section key -> the unanswered required questions' errors (empty when complete)."""
    today = _today(case)
    missing = {}
    for section in response.questionnaire.definition["sections"]:
        errors = section_missing(section, response.answers, today=today, lang=_lang())
        if errors:
            missing[section["key"]] = dict(errors)
    return missing


def questionnaire_submit(
    *, case: Case, actor: User, revision: int | None = None
) -> QuestionnaireResponse:
    """Send the answers to the advisor ("Send to my advisor"): every required question must be
    answered (``InvalidInput`` lists the pages). Open comments are resolved."""
    with transaction.atomic():
        response = _load(case)
        if response is None or response.status not in (
            ResponseStatus.IN_PROGRESS,
            ResponseStatus.RETURNED,
        ):
            raise TransitionNotAllowed(_("Only answers in progress or returned can be sent."))
        if not permissions.can_answer_questionnaire(actor, case, response.status):
            raise NotAllowed(_locked_message(response.status))
        _check_revision(response, revision)
        missing = questionnaire_missing(response, case)
        if missing:
            raise InvalidInput(
                _("Some questions still need an answer. Answer them, then send again."),
                details={
                    "errors": {k: v for s in missing.values() for k, v in s.items()},
                    "sections": list(missing),
                },
            )
        response.comments.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        return _write(
            response,
            case=case,
            actor=actor,
            summary=event_data("questionnaire", change="submitted"),
            status=ResponseStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )


def _staff_response(case: Case, actor: User) -> QuestionnaireResponse:
    if not permissions.can_review_questionnaire(actor, case):
        raise NotAllowed(_("Only the case's advisors review the questionnaire."))
    response = _load(case)
    if response is None:
        raise TransitionNotAllowed(_("The applicant has not started the questionnaire yet."))
    return response


def questionnaire_comment(
    *, case: Case, question_key: str, body: str, actor: User
) -> QuestionComment:
    """An advisor's comment on one answer, shown to the applicant when the questionnaire is
    returned. Raises ``InvalidInput`` for an unknown question or an empty or long comment."""
    body = (body or "").strip()
    if not body or "\x00" in body:
        raise InvalidInput(_("Write what the applicant should change."), details={"field": "body"})
    if len(body) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            _("A comment can be at most %(n)d characters.") % {"n": MAX_COMMENT_CHARS},
            details={"field": "body"},
        )
    with transaction.atomic():
        response = _staff_response(case, actor)
        if response.status == ResponseStatus.APPROVED:
            raise TransitionNotAllowed(_("The questionnaire is approved and locked."))
        definition = response.questionnaire.definition
        if question_key not in {q["key"] for q in iter_questions(definition)}:
            raise InvalidInput(_("There is no such question."), details={"field": "question"})
        comment = QuestionComment.objects.create(
            firm_id=case.firm_id,
            response=response,
            question_key=question_key,
            body=body,
            author=actor,
        )
        event_record(
            case=case,
            actor=actor,
            kind=EventKind.UPDATE,
            data=event_data("questionnaire", change="comment", key=question_key),
        )
    return comment


def questionnaire_return(*, case: Case, note: str, actor: User) -> QuestionnaireResponse:
    """Return submitted answers to the applicant with what to fix (``note`` and/or open
    comments; one of them is needed)."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS or "\x00" in note:
        raise InvalidInput(
            _("The note can be at most %(n)d characters.") % {"n": MAX_NOTE_CHARS},
            details={"field": "note"},
        )
    with transaction.atomic():
        response = _staff_response(case, actor)
        if response.status != ResponseStatus.SUBMITTED:
            raise TransitionNotAllowed(_("Only answers sent for review can be returned."))
        if not note and not response.comments.filter(resolved_at__isnull=True).exists():
            raise InvalidInput(
                _("Say what to fix: add a comment to an answer or write a note."),
                details={"field": "note"},
            )
        return _write(
            response,
            case=case,
            actor=actor,
            summary=event_data("questionnaire", change="returned"),
            status=ResponseStatus.RETURNED,
            returned_at=timezone.now(),
            return_note=note,
        )


def questionnaire_approve(
    *, case: Case, actor: User, record_version: int | None = None
) -> QuestionnaireResponse:
    """Approve submitted answers; they are locked from then on (nobody edits them) and the
    data sheet becomes available. The confirmed answers marked ``record`` are written to the
    applicant record in the same transaction (``questionnaire_record_write``;
    ``record_version``: the record's version the approver saw). Raises
    ``TransitionNotAllowed`` unless submitted, ``StaleObject`` when the record changed since
    ``record_version``, ``InvalidInput`` for an answer the record refuses (nothing approved)."""
    with transaction.atomic():
        response = _staff_response(case, actor)
        if response.status != ResponseStatus.SUBMITTED:
            raise TransitionNotAllowed(_("Only answers sent for review can be approved."))
        written = questionnaire_record_write(
            case=case, response=response, actor=actor, record_version=record_version
        )
        summary = event_data("questionnaire", change="approved", fields=list(written.changed))
        now = timezone.now()
        return _write(
            response,
            case=case,
            actor=actor,
            summary=summary,
            status=ResponseStatus.APPROVED,
            approved_at=now,
            approved_by=actor,
        )
