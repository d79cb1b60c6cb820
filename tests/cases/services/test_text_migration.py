"""Migration 0039 (issue 11): events and notifications written before texts were rendered when
shown get their structured data, parsed from the stored sentence (English, or the writer's
Chinese) and from the rows the event names; old rows then read right in Chinese."""

import re

import pytest
from django.apps import apps
from django.utils import translation

from cases import services
from cases.models import CaseEvent, EventKind, Notification, Stage
from cases.services.eligibility import case_assess
from cases.services.reminders import task_create
from cases.services.text_migration import convert_events
from cases.services.text_migration_notices import convert_notifications
from eligibility.models import AssessmentOutcome
from tests.factories import add_education, upload_document

LATIN = re.compile(r"[A-Za-z]{2,}")


def _old(event: CaseEvent, summary: str, data: dict) -> CaseEvent:
    """Make ``event`` look as it was stored before issue 11."""
    CaseEvent.objects.filter(pk=event.pk).update(summary=summary, data=data)
    return CaseEvent.objects.get(pk=event.pk)


def _zh(obj) -> str:  # type: ignore[no-untyped-def]
    with translation.override("zh-hans"):
        return obj.summary_text if isinstance(obj, CaseEvent) else obj.text


def _update_event(case, advisor, title: str) -> CaseEvent:  # type: ignore[no-untyped-def]
    task_create(case=case, title=title, due_date=None, assignee=None, actor=advisor)
    return case.events.filter(kind=EventKind.UPDATE).order_by("-pk").first()


@pytest.mark.django_db
def test_old_events_get_their_data_and_read_right_in_chinese(case, advisor):
    doc = upload_document(case)
    upload = _old(
        case.events.get(kind=EventKind.UPLOAD),
        "Passport bio-data page: scan.pdf (v1)",
        {"requirement": "passport-bio-page", "document": doc.pk, "version": 1},
    )
    services.document_review(document=doc, decision="rejected", reason="Too dark", actor=advisor)
    review = _old(
        case.events.get(kind=EventKind.REVIEW),
        "Passport bio-data page v1: Too dark",
        {"requirement": "passport-bio-page", "document": doc.pk},
    )
    case_assess(case=case, actor=advisor)
    event = case.events.get(kind=EventKind.ASSESSMENT)
    with translation.override("en"):
        outcome = AssessmentOutcome(event.after).label
    assessment = _old(event, f"K v1: {outcome}", {"rule_set": 1, "version": 1})
    task = _update_event(case, advisor, "打电话")
    task = _old(task, "已添加任务：打电话", {"task": task.data["task"], "due_date": None})
    education = add_education(applicant=case.applicant)
    with translation.override("en"):
        label = f"{education.get_level_display()}, {education.field}"
    degree = _old(case.events.get(data__what="education"), f"Education added: {label}", {})
    older = _old(
        _update_event(case, advisor, "z"),
        f"Education added: Master's or equivalent (ISCED 7), {education.field.code} Physics",
        {},
    )
    # A Chinese writer's sentence, and one nothing can be recovered from.
    submitted = _old(_update_event(case, advisor, "x"), "问卷已提交给顾问审核。", {})
    unparsed = _old(_update_event(case, advisor, "y"), "Something nobody can parse", {})
    opened = _old(case.events.get(kind=EventKind.OPENED), case.reference, {})

    assert convert_events(apps) >= 7
    assert convert_events(apps) == 0  # a second run changes nothing

    rows = (upload, review, assessment, task, degree, older, submitted, opened)
    for row in rows:
        row.refresh_from_db()
        assert row.summary == ""
        assert row.data["what"]
    assert assessment.data["visa"] == "K"
    assert assessment.data["rule_set"] == 1  # what was there stays
    assert task.data["title"] == "打电话"
    assert older.data["level"] == 7
    assert _zh(upload) == "护照个人资料页：scan.pdf（第 1 版）"
    assert _zh(review) == "护照个人资料页（第 1 版）：Too dark"
    assert _zh(task) == "已添加任务：打电话"
    assert _zh(opened) == case.reference
    assert LATIN.findall(_zh(assessment).replace("K v1", "")) == []
    assert LATIN.findall(_zh(degree).replace("ISCED", "")) == []
    assert _zh(submitted) == "问卷已提交给顾问审核。"
    with translation.override("en"):
        assert submitted.summary_text == "Questionnaire sent to the advisor for review."
        assert upload.summary_text == "Passport bio-data page: scan.pdf (v1)"
    unparsed.refresh_from_db()
    assert unparsed.summary == "Something nobody can parse"
    assert _zh(unparsed) == "Something nobody can parse"


@pytest.mark.django_db
def test_old_notifications_get_kind_and_data_and_read_in_the_readers_language(
    case, advisor, applicant_user
):
    ref = case.reference
    with translation.override("zh-hans"):
        chinese_stage = f"案件 {ref} 现处于“{Stage.DOCUMENTS.label}”阶段"
    rows = {
        "message": f"New message on case {ref} from Ming Wu",
        "upload": f"Ming Wu uploaded “Passport bio-data page” to case {ref}",
        "stage": chinese_stage,
        "odd": "Something else entirely",
    }
    notes = {
        k: Notification.objects.create(user=applicant_user, case=case, title=t)
        for k, t in rows.items()
    }
    assert convert_notifications(apps) == 3
    assert convert_notifications(apps) == 0
    for key in ("message", "upload", "stage"):
        notes[key].refresh_from_db()
        assert notes[key].kind
        assert notes[key].title == ""
    assert notes["upload"].data["name_zh"] == "护照个人资料页"
    assert notes["stage"].data["stage"] == Stage.DOCUMENTS
    with translation.override("en"):
        assert notes["stage"].text == f"Case {ref} is now “Collecting documents”"
    assert _zh(notes["message"]) == f"Ming Wu 在案件 {ref} 中发来新消息"
    assert "护照个人资料页" in _zh(notes["upload"])
    notes["odd"].refresh_from_db()
    assert notes["odd"].kind == ""
    assert _zh(notes["odd"]) == "Something else entirely"
