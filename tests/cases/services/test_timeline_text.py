"""Timeline and notification texts are worded when shown, in the reader's language, from the
structured data stored with the event or notification (issue 11)."""

# ruff: noqa: E501 - the sample tables read best one row a line

import re

import pytest
from django.utils import translation

from cases.models import CaseEvent, EventKind, Notification, ReminderKind
from cases.services.notification_text import notification_html, notification_text
from cases.services.timeline_text import (
    WHATS,
    event_change,
    event_change_html,
    event_data,
    event_html,
    event_text,
)

# Values people typed or named (shown as they are in every language).
TYPED = ("Ming Wu", "ming@example.test", "Wu-Berg", "Wu", "scan.pdf", "Blurry photo",
         "Call the consulate", "Lab", "Engineer")  # fmt: skip
LATIN = re.compile(r"[A-Za-z]{2,}")


def _english_left(text: str) -> list[str]:
    for value in TYPED:
        text = text.replace(value, " ")
    text = re.sub(r"\b[A-Z]-\d{4}-\d+\b|\bK\b|\bv\d+\b|ISCED", " ", text)
    return LATIN.findall(text)


REQ = {"name_en": "Passport bio-data page", "name_zh": "护照个人资料页"}

# (kind, before, after, data, English text, Chinese text)
EVENTS = [
    (EventKind.OPENED, "", "intake", event_data("opened", ref="K-2026-0001"), "K-2026-0001", "K-2026-0001"),
    (EventKind.STAGE, "assessment", "documents", event_data("stage", reason=""), "", ""),
    (EventKind.MESSAGE, "", "", event_data("message", excerpt="Ming Wu"), "Ming Wu", "Ming Wu"),
    (EventKind.UPLOAD, "", "uploaded", event_data("upload", file="scan.pdf", version=1, **REQ),
     "Passport bio-data page: scan.pdf (v1)", "护照个人资料页：scan.pdf（第 1 版）"),
    (EventKind.UPLOAD, "processing", "failed",
     event_data("upload_checked", file="scan.pdf", version=2, state="failed", reason="timeout", **REQ),
     "Passport bio-data page: scan.pdf (v2) Could not be checked: Checking the file took longer",
     "护照个人资料页：scan.pdf（第 2 版）"),
    (EventKind.REVIEW, "pending", "rejected", event_data("review", version=1, reason="Blurry photo", **REQ),
     "Passport bio-data page v1: Blurry photo", "护照个人资料页（第 1 版）：Blurry photo"),
    (EventKind.REVIEW, "pending", "accepted", event_data("review", version=1, reason="", **REQ),
     "Passport bio-data page v1", "护照个人资料页（第 1 版）"),
    (EventKind.WAIVE, "missing", "waived", event_data("waive", reason="Blurry photo", **REQ),
     "Passport bio-data page: Blurry photo", "护照个人资料页，原因：Blurry photo"),
    (EventKind.UPDATE, "", "2026-03-01", event_data("due_date", due_date="2026-03-01", **REQ),
     "Due date of Passport bio-data page set", "护照个人资料页"),
    (EventKind.ASSESSMENT, "", "eligible", event_data("assessment", visa="K", version=1, outcome="eligible"),
     "K v1: Eligible", "K 规则第 1 版："),
    (EventKind.INVITE, "", "", event_data("invite", email="ming@example.test"),
     "Invitation sent again to ming@example.test", "ming@example.test"),
    (EventKind.UPDATE, "3", "4", event_data("advisor", advisor=4, previous_advisor=3, who="Ming Wu"),
     "Advisor changed to Ming Wu", "Ming Wu"),
    (EventKind.UPDATE, "", "", event_data("retention", file="scan.pdf", version=1),
     "File deleted under the retention rule: scan.pdf (v1)", "scan.pdf"),
    (EventKind.UPDATE, "", "", event_data("task", change="added", title="Call the consulate"),
     "Task added: Call the consulate", "Call the consulate"),
    (EventKind.UPDATE, "", "", event_data("task", change="removed", title="Call the consulate"),
     "Task removed: Call the consulate", "已删除任务"),
    (EventKind.STEP, "open", "done",
     event_data("step", change="done", done_on="2026-03-02", name_en="Visa fee paid", name_zh="已缴签证费"),
     "Step done on 2026-03-02: Visa fee paid", "已缴签证费"),
    (EventKind.STEP, "done", "open",
     event_data("step", change="reopened", name_en="Visa fee paid", name_zh="已缴签证费"),
     "Step opened again: Visa fee paid", "已缴签证费"),
    (EventKind.UPDATE, "", "",
     event_data("education", change="added", level=7, field_code="0533", field_en="Physics", field_zh="物理学"),
     "Education added: Master's degree or equivalent, 0533 Physics", "物理学"),
    (EventKind.UPDATE, "", "", event_data("employment", change="removed", role="Engineer", organisation="Lab"),
     "Employment removed: Engineer at Lab", "已删除工作经历"),
    (EventKind.UPDATE, "", "", event_data("questionnaire", change="saved", page={"en": "Travel", "zh": "行程"}),
     "Questionnaire: answers to “Travel” saved.", "行程"),
    (EventKind.UPDATE, "", "", event_data("questionnaire", change="approved", fields=["family_name"]),
     "Questionnaire approved and locked; the applicant's record took over Family name.", "问卷"),
    (EventKind.UPDATE, "", "", event_data("questionnaire", change="submitted"),
     "Questionnaire sent to the advisor for review.", "问卷"),
    (EventKind.UPDATE, "no", "yes",
     event_data("confirmation", confirmation="q", n=1, answer=True, statement_en="Class A", statement_zh="甲类"),
     "Answered by the advisor: Class A: yes", "甲类"),
    (EventKind.UPDATE, "Wu", "Wu-Berg", {"record": "applicant", "field": "family_name"},
     "Family name changed", ""),
    (EventKind.UPDATE, "", "", {"correction_event": "declined", "reason": "Blurry photo"},
     "Correction declined: Blurry photo", "Blurry photo"),
]  # fmt: skip


def _event(kind: str, before: str, after: str, data: dict) -> CaseEvent:
    return CaseEvent(kind=kind, before=before, after=after, data=data)


def test_every_renderer_has_a_sample():
    assert {d.get("what") for _k, _b, _a, d, _e, _z in EVENTS} - {None} == WHATS


@pytest.mark.parametrize(("kind", "before", "after", "data", "english", "chinese"), EVENTS)
def test_each_kind_of_event_renders_in_english_and_chinese(
    kind, before, after, data, english, chinese
):
    event = _event(kind, before, after, data)
    with translation.override("en"):
        assert english in event_text(event)
    with translation.override("zh-hans"):
        text = event_text(event)
        change = event_change(event)
        assert chinese in text
        assert _english_left(text + " " + change) == [], (text, change)
        assert "_" not in change


def test_stage_and_outcome_keys_are_words_never_codes():
    move = _event(EventKind.STAGE, "assessment", "documents", event_data("stage", reason=""))
    review = _event(EventKind.REVIEW, "pending", "rejected", event_data("review", version=1, **REQ))
    with translation.override("en"):
        assert event_change(move) == "Eligibility assessment → Collecting documents"
        assert "pending" not in event_change(review)
        assert "Pending" in event_change(review)
    with translation.override("zh-hans"):
        assert "assessment" not in event_change(move).lower()
        assert "documents" not in event_change(move).lower()


def test_typed_values_are_marked_translate_no_and_escaped():
    event = _event(
        EventKind.REVIEW, "", "", event_data("review", version=1, reason="<b>x</b>", **REQ)
    )
    html = str(event_html(event))
    assert '<span translate="no">&lt;b&gt;x&lt;/b&gt;</span>' in html
    assert "<b>" not in html
    edit = _event(EventKind.UPDATE, "Wu", "<i>", {"record": "applicant", "field": "family_name"})
    assert '<span translate="no">&lt;i&gt;</span>' in str(event_change_html(edit))


def test_an_older_event_nothing_was_recovered_from_shows_its_stored_sentence():
    event = CaseEvent(kind=EventKind.UPDATE, summary="Something old", data={})
    with translation.override("zh-hans"):
        assert event_text(event) == "Something old"
        assert 'translate="no"' in str(event_html(event))


def test_an_event_without_a_renderer_is_refused():
    from cases.services.events import event_build

    with pytest.raises(ValueError, match="No timeline renderer"):
        event_build(case_id=1, actor=None, kind=EventKind.UPDATE, data={"x": 1})
    with pytest.raises(ValueError, match="No renderer"):
        event_data("nonsense")


# --- notifications --------------------------------------------------------------------------

NOTICES = [
    (ReminderKind.NEW_MESSAGE, {"who": "Ming Wu"}, "New message on case K-2026-0001 from Ming Wu"),
    (ReminderKind.NEW_MESSAGE, {"who": "Ming Wu", "internal": True}, "New internal note"),
    (ReminderKind.DOCUMENT_UPLOADED, {"who": "Ming Wu", **REQ},
     "Ming Wu uploaded “Passport bio-data page” to case K-2026-0001"),
    (ReminderKind.DOCUMENT_REVIEWED, {"decision": "rejected", **REQ}, "asked for a new “Passport"),
    (ReminderKind.DOCUMENT_REVIEWED, {"decision": "accepted", **REQ}, "accepted “Passport"),
    (ReminderKind.STAGE_CHANGED, {"stage": "documents"}, "Case K-2026-0001 is now “Collecting documents”"),
    (ReminderKind.CASE_REASSIGNED, {"who": "Ming Wu", "mine": True}, "now assigned to you"),
    (ReminderKind.CASE_REASSIGNED, {"who": "Ming Wu"}, "reassigned to Ming Wu"),
    (ReminderKind.ELIGIBILITY_CHANGED, {"before": "eligible", "after": "ineligible"},
     "Eligible → Ineligible"),
    (ReminderKind.INVITATION_ACCEPTED, {"who": "Ming Wu"}, "accepted the invitation"),
    (ReminderKind.CORRECTION_PROPOSED, {"who": "Ming Wu", "fields": ["family_name"]},
     "proposed a correction of Family name"),
    (ReminderKind.CORRECTION_DECIDED, {"fields": ["family_name"], "confirmed": True},
     "confirmed your correction of Family name"),
    (ReminderKind.CORRECTION_DECIDED, {"fields": ["family_name"], "confirmed": False},
     "declined your correction"),
    (ReminderKind.REQUIREMENT_DUE,
     {"kind": "requirement_due", "case_reference": "K-2026-0001", "due_date": "2026-03-20",
      "offset_days": 2, "days_left": 2, **REQ, "passport_expiry": None},
     "“Passport bio-data page” for case K-2026-0001 is due in 2 days, on 2026-03-20"),
    (ReminderKind.TASK_DUE,
     {"kind": "task_due", "case_reference": "K-2026-0001", "due_date": "2026-03-20",
      "offset_days": 0, "days_left": -3, "name_en": "Call the consulate",
      "name_zh": "Call the consulate", "staff": True},
     "Task “Call the consulate” on case K-2026-0001 is overdue by 3 days"),
    (ReminderKind.QUESTIONNAIRE,
     {"kind": "questionnaire", "case_reference": "K-2026-0001", "due_date": "2026-03-20",
      "offset_days": 7, "days_left": 7, "started": True, "staff": False},
     "Your questionnaire for case K-2026-0001 (started, not sent yet)"),
]  # fmt: skip


def test_every_notification_kind_has_a_sample():
    from cases.models import EVENT_KINDS

    assert set(EVENT_KINDS) <= {k for k, _d, _e in NOTICES}


@pytest.mark.parametrize(("kind", "data", "english"), NOTICES)
def test_each_kind_of_notification_renders_in_english_and_chinese(kind, data, english):
    note = Notification(kind=kind, data={"ref": "K-2026-0001", **data}, title="")
    with translation.override("en"):
        assert english in notification_text(note)
    with translation.override("zh-hans"):
        text = notification_text(note)
        if "K-2026-0001" in english:
            assert "K-2026-0001" in text
        assert _english_left(text) == [], text
        if "Ming Wu" in english or "Call the consulate" in english:
            assert 'translate="no"' in str(notification_html(note))


def test_a_notification_title_follows_the_readers_language_not_the_senders():
    note = Notification(kind=ReminderKind.STAGE_CHANGED, data={"ref": "K-1", "stage": "review"})
    with translation.override("en"):
        english = notification_text(note)
    with translation.override("zh-hans"):
        chinese = notification_text(note)
    assert "Review" in english
    assert english != chinese
    assert "Review" not in chinese
