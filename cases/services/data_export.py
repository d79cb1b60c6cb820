"""The applicant's "My data" export: one ZIP of everything the portal holds about them, as
JSON files plus ``summary.html``, a readable page in their language (issue 6, completed in
issue 10 with education, employment, review reasons, assessment results and notifications).
"""

import datetime as dt
import json
import tempfile
import zipfile
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import (
    AccessKind,
    Applicant,
    Case,
    CaseEvent,
    Document,
    Education,
    Employment,
    Message,
    Notification,
)
from cases.services.access import document_access_record
from cases.services.timeline_text import data_for
from cases.uploads import clean_display_filename
from eligibility.models import Assessment, AssessmentOutcome
from portal.errors import NotAllowed
from portal.models import User


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _applicant_profile(applicant: Applicant) -> dict[str, Any]:
    fields = (
        "given_names",
        "family_name",
        "email",
        "phone",
        "date_of_birth",
        "nationality",
        "passport_number",
        "passport_expiry",
        "created_at",
        "updated_at",
    )
    return {
        f: _iso(str(getattr(applicant, f)) if f == "nationality" else getattr(applicant, f))
        for f in fields
    }


def applicant_export_archive(*, user: User, ip_address: str | None = None) -> IO[bytes]:
    """One ZIP archive of everything the portal holds about the applicant ``user``: profile
    (account and applicant record), education and employment, cases with their requirements
    and timeline, messages (internal notes excluded), the document list with review decisions
    and reasons, eligibility assessments (outcome, facts read, per-criterion results with their
    explanations), in-app notifications, every stored file, and ``summary.html`` (the same in
    readable form, in the user's language; times in their time zone).

    Each exported file is recorded in the access log (kind ``export``). Returns a temporary
    file at position 0. Raises ``NotAllowed`` for staff accounts. A fixed number of queries
    whatever the number of rows (one per kind), plus one access-log row per file.
    """
    if user.is_staff_member:
        raise NotAllowed(_("The data export is for applicants."))
    applicant = Applicant.objects.filter(user=user).first()
    cases = list(
        Case.objects.filter(applicant__user=user)
        .select_related("visa_type", "advisor")
        .prefetch_related("requirements")
        .order_by("opened_on", "id")
    )
    documents = list(
        Document.objects.filter(requirement__case__in=cases)
        .select_related("requirement__case", "uploaded_by")
        .order_by("requirement__case_id", "requirement__position", "version")
    )
    messages = list(
        Message.objects.filter(case__in=cases, internal=False)
        .select_related("author", "case")
        .order_by("created_at", "id")
    )
    events = list(
        CaseEvent.objects.filter(case__in=cases, internal=False)
        .select_related("actor", "case")
        .order_by("created_at", "id")
    )
    education = list(
        Education.objects.filter(applicant=applicant).select_related("field", "institution")
        if applicant
        else []
    )
    employment = list(
        Employment.objects.filter(applicant=applicant).select_related("field", "institution")
        if applicant
        else []
    )
    assessments = list(
        Assessment.objects.filter(case__in=cases)
        .select_related("rule_set", "case")
        .order_by("created_at", "id")
    )
    notifications = list(
        Notification.objects.filter(user=user).select_related("case").order_by("created_at", "id")
    )
    profile = {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "time_zone": user.time_zone,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "applicant": _applicant_profile(applicant) if applicant else None,
    }
    # Timeline and notification texts are worded from their data in the user's language.
    with translation.override(user.preferred_language or "en"):
        said = {e.pk: e.summary_text for e in events}
        titles = {n.pk: n.text for n in notifications}
    case_rows = [
        {
            "reference": c.reference,
            "visa_type": c.visa_type.code,
            "stage": c.stage,
            "advisor": str(c.advisor) if c.advisor else None,
            "opened_on": _iso(c.opened_on),
            "intended_entry_date": _iso(c.intended_entry_date),
            "target_submission_date": _iso(c.target_submission_date),
            "submitted_at": _iso(c.submitted_at),
            "decided_at": _iso(c.decided_at),
            "decision": c.decision,
            "closed_at": _iso(c.closed_at),
            "requirements": [
                {"code": r.code, "name": r.name_en, "status": r.status, "due": _iso(r.due_date)}
                for r in c.requirements.all()
            ],
            "timeline": [
                {
                    "at": _iso(e.created_at),
                    "kind": e.kind,
                    "summary": said[e.pk],
                    "data": data_for(e.data, staff=False),
                }
                for e in events
                if e.case_id == c.pk
            ],
        }
        for c in cases
    ]
    message_rows = [
        {
            "case": m.case.reference,
            "at": _iso(m.created_at),
            "author": str(m.author),
            "body": m.body,
        }
        for m in messages
    ]
    doc_rows = []
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 - returned
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for doc in documents:
            case = doc.requirement.case
            arcname = ""
            if not doc.file_deleted and doc.file:
                safe = clean_display_filename(doc.original_filename).replace("/", "_")
                arcname = f"files/{case.reference}/{doc.requirement.code}/v{doc.version}-{safe}"
                try:
                    with doc.file.open("rb") as handle:
                        archive.writestr(arcname, handle.read())
                except FileNotFoundError:
                    arcname = ""
                else:
                    document_access_record(
                        document=doc, user=user, kind=AccessKind.EXPORT, ip_address=ip_address
                    )
            doc_rows.append(
                {
                    "case": case.reference,
                    "requirement": doc.requirement.code,
                    "version": doc.version,
                    "filename": doc.original_filename,
                    "content_type": doc.content_type,
                    "size_bytes": doc.size_bytes,
                    "sha256": doc.sha256,
                    "uploaded_at": _iso(doc.uploaded_at),
                    "uploaded_by": str(doc.uploaded_by),
                    "review_status": doc.review_status,
                    "reviewed_at": _iso(doc.reviewed_at),
                    "review_reason": doc.review_reason,
                    "file_deleted_at": _iso(doc.file_deleted_at),
                    "file_in_archive": arcname,
                }
            )
        education_rows = [_education_row(e) for e in education]
        employment_rows = [_employment_row(j) for j in employment]
        assessment_rows = [_assessment_row(a) for a in assessments]
        notification_rows = [
            {
                "case": n.case.reference if n.case else None,
                "title": titles[n.pk],
                "kind": n.kind,
                "data": n.data,
                "url": n.url,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in notifications
        ]
        files = (
            ("profile.json", profile),
            ("education.json", education_rows),
            ("employment.json", employment_rows),
            ("cases.json", case_rows),
            ("messages.json", message_rows),
            ("documents.json", doc_rows),
            ("assessments.json", assessment_rows),
            ("notifications.json", notification_rows),
        )
        for name, data in files:
            archive.writestr(name, json.dumps(data, ensure_ascii=False, indent=2))
        with (
            translation.override(user.preferred_language or "en"),
            timezone.override(_zone(user.time_zone)),
        ):
            summary = render_to_string(
                "cases/export_summary.html",
                {
                    "user": user,
                    "profile": profile,
                    "education": education,
                    "employment": employment,
                    "cases": cases,
                    "documents": documents,
                    "messages": messages,
                    "assessments": [(a, AssessmentOutcome(a.outcome).label) for a in assessments],
                    "notifications": notifications,
                    "files": [name for name, _data in files],
                    "generated_at": timezone.now(),
                },
            )
        archive.writestr("summary.html", summary)
    out.seek(0)
    return out


def _zone(name: str) -> Any:
    from cases.reminders.schedule import zone

    return zone(name)


def _education_row(e: Education) -> dict[str, Any]:
    return {
        "level": e.level,
        "level_name": str(e.get_level_display()),
        "field": e.field.code if e.field else None,
        "field_name": str(e.field) if e.field else None,
        "institution": e.institution.name if e.institution else e.institution_name,
        "country": str(e.country) if e.country else None,
        "graduation_date": _iso(e.graduation_date),
        "expected": e.expected,
    }


def _employment_row(j: Employment) -> dict[str, Any]:
    return {
        "organisation": j.organisation,
        "role": j.role,
        "field": j.field.code if j.field else None,
        "start_date": _iso(j.start_date),
        "end_date": _iso(j.end_date),
        "teaching_or_research": j.teaching_or_research,
        "institution": j.institution.name if j.institution else None,
    }


def _assessment_row(a: Assessment) -> dict[str, Any]:
    return {
        "case": a.case.reference,
        "at": _iso(a.created_at),
        "rule_set": {"visa_type": a.rule_set.visa_type_code, "version": a.rule_set.version},
        "outcome": a.outcome,
        "facts": a.facts,
        "results": a.results,
        "missing_facts": a.missing_facts,
    }
