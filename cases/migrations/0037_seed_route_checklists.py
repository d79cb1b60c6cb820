"""Route checklists (issue 13): checklist items asked only on some routes (the columns are
0036's), and the R checklist's invitation letter and Class A evidence.

Conditions (patterns of route criterion ids, ``eligibility/routes.py``; they name no rule set
version, so R's Class A routes of any version match ``r-class-a-*``):

- K: the degree certificate, the transcript and the degree's legalisation on ``k-degree`` (the
  STEM degree route); the proof of a teaching or research position, until now optional for
  everyone, becomes required on ``k-teaching-research`` (State Council Order No. 814 and the
  2025-08-14 Q&A: a STEM bachelor's degree or higher from a well-known institution, *or*
  teaching or research work at one).
- R: the Confirmation Letter on ``r-confirmation-letter``; two new items: the employer's
  invitation letter, on every route, and the Class A evidence on ``r-class-a-*``. Source of
  both: the Beijing municipal government portal's "Application for Confirmation Letter for
  Foreign High-End Talents" (item 2, the original letter of invitation from the domestic
  employer with the applicant's name, nationality, passport number, proposed entry date and
  reason for entry, under the employer's seal; item 5, materials showing the Class A criteria
  of the Classification Standards for Foreigners Working in China (Trial) are met), and the
  Shanghai municipal government's guide of 2025-02-24 (the employer's invitation letter).

Items an admin already gave a condition, and help texts an admin edited, are left alone.
Existing open cases (every stage but decided, closed and withdrawn) get the new requirements
(due the item's offset from today, or from the opening date when later), their requirements
take the items' conditions, and ``required`` of their open conditional requirements follows
the route of their current assessment, as ``cases/services/routes.py`` does after each
assessment. Accepted and waived requirements and every upload stay as they are.

``apply_for`` is also run for each new firm by ``cases.services.firms.firm_seed_visa_types``.
"""

import datetime as dt
import importlib

from django.db import migrations
from django.utils import timezone

from eligibility.routes import condition_applies, parse_route_patterns, route_results

# The per-case document summary's backfill (the same values as case_summary_refresh).
_SUMMARY = importlib.import_module("cases.migrations.0035_case_document_summary")

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MB = 1024 * 1024

CONDITIONS = {
    "K": {
        "degree-certificate": "k-degree",
        "transcript": "k-degree",
        "degree-legalisation": "k-degree",
        "teaching-research-position": "k-teaching-research",
    },
    "R": {
        "high-level-talent-letter": "r-confirmation-letter",
        "class-a-evidence": "r-class-a-*",
    },
}

TEACHING_CODE = "teaching-research-position"
TEACHING_OLD_HELP_EN = (
    "Optional alternative to the degree route: a letter from a well-known university or "
    "research institution confirming your teaching or research work in a STEM field."
)
TEACHING_NEW_HELP_EN = (
    "For the teaching or research route: a letter from a well-known university or research "
    "institution confirming your current teaching or research work in a STEM field. Not "
    "needed when you qualify by your degree (State Council Order No. 814; Q&A of 2025-08-14)."
)
TEACHING_OLD_HELP_ZH = (
    "学位途径的可选替代：知名高校或科研机构出具的、证明您从事理工科教学或科研工作的信函。"
)
TEACHING_NEW_HELP_ZH = (
    "适用于教学或科研途径：知名高校或科研机构出具的、证明您目前从事理工科教学或科研工作的信函。"
    "凭学位申请的无需提供（国务院令第814号；2025年8月14日答记者问）。"
)

BEIJING = (
    "Beijing municipal government portal, “Application for Confirmation Letter for Foreign "
    "High-End Talents”"
)
BEIJING_ZH = "北京市人民政府网站《外国高端人才确认函申请》"

R_NEW_ITEMS = [
    {
        "code": "employer-invitation-letter",
        "position": 42,
        "name_en": "Invitation letter from the employer",
        "name_zh": "聘用单位邀请函",
        "help_en": "The original letter from your employer in China inviting you, giving your "
        "name, nationality, passport number, intended entry date and the reason for entry, "
        f"under the employer's official seal. Source: {BEIJING}, item 2; Shanghai municipal "
        "government guide of 2025-02-24.",
        "help_zh": "中国境内聘用单位出具的邀请函原件，写明您的姓名、国籍、护照号码、拟入境日期和入境事由，"
        f"并加盖单位公章。来源：{BEIJING_ZH}第2项；上海市人民政府2025年2月24日办事指南。",
        "required": True,
        "accepted_types": [PDF, JPEG, PNG],
        "max_size_bytes": 15 * MB,
        "due_offset_days": 30,
    },
    {
        "code": "class-a-evidence",
        "position": 44,
        "name_en": "Class A evidence",
        "name_zh": "A类人才证明材料",
        "help_en": "Documents showing that you meet a Class A (foreign high-end talent) "
        "criterion of the Classification Standards for Foreigners Working in China (Trial): "
        "for example proof of selection for a talent programme, a major award, or your "
        "doctorate and research or teaching posts. Not needed when you already hold the "
        f"Confirmation Letter. Source: {BEIJING}, item 5.",
        "help_zh": "证明您符合《外国人来华工作分类标准（试行）》外国高端人才（A类）条件的材料，"
        "例如入选人才计划的证明、重要奖项，或博士学位及科研、教学任职证明。已持有确认函的无需提供。"
        f"来源：{BEIJING_ZH}第5项。",
        "required": True,
        "accepted_types": [PDF, JPEG, PNG],
        "max_size_bytes": 15 * MB,
        "due_offset_days": 30,
    },
]

FINAL_STAGES = ("decided", "closed", "withdrawn")
SATISFIED = ("accepted", "waived")


def apply_for(ChecklistItem, **firm):  # type: ignore[no-untyped-def]
    """Give the K and R checklists (of ``firm=...`` when given) their route conditions and the
    R checklist its two new items. Idempotent; an admin's condition or help text is kept."""
    VisaType = ChecklistItem._meta.get_field("visa_type").related_model
    visa_types = VisaType.objects.filter(code="R")
    if firm:
        visa_types = visa_types.filter(firm=firm["firm"])
    for visa_type in visa_types:
        for spec in R_NEW_ITEMS:
            fields = {k: v for k, v in spec.items() if k != "code"}
            ChecklistItem.objects.get_or_create(
                visa_type=visa_type, code=spec["code"], defaults=fields
            )
    items = ChecklistItem.objects.filter(visa_type__code__in=list(CONDITIONS))
    if firm:
        items = items.filter(visa_type__firm=firm["firm"])
    for code, conditions in CONDITIONS.items():
        for item_code, condition in conditions.items():
            found = items.filter(visa_type__code=code, code=item_code, route_condition="")
            if item_code == TEACHING_CODE:
                found.update(required=True)
            found.update(route_condition=condition)
    teaching = items.filter(visa_type__code="K", code=TEACHING_CODE)
    teaching.filter(help_en=TEACHING_OLD_HELP_EN).update(help_en=TEACHING_NEW_HELP_EN)
    teaching.filter(help_zh=TEACHING_OLD_HELP_ZH).update(help_zh=TEACHING_NEW_HELP_ZH)


def cases_follow(apps, today: dt.date) -> None:  # type: ignore[no-untyped-def]
    """Bring the open K and R cases to their checklists' new items and conditions, with
    ``required`` from each case's current assessment."""
    Case = apps.get_model("cases", "Case")
    ChecklistItem = apps.get_model("cases", "ChecklistItem")
    DocumentRequirement = apps.get_model("cases", "DocumentRequirement")
    Assessment = apps.get_model("eligibility", "Assessment")
    cases = Case.objects.filter(visa_type__code__in=list(CONDITIONS)).exclude(
        stage__in=FINAL_STAGES
    )
    for case in cases.iterator():
        latest = (
            Assessment.objects.filter(case_id=case.pk)
            .order_by("-created_at", "-id")
            .values_list("results", flat=True)
            .first()
        )
        routes = route_results(latest) if latest is not None else None
        items = {i.code: i for i in ChecklistItem.objects.filter(visa_type_id=case.visa_type_id)}
        have = {r.code: r for r in DocumentRequirement.objects.filter(case_id=case.pk)}
        for spec in R_NEW_ITEMS:
            item = items.get(spec["code"])
            if item is None or item.code in have:
                continue
            start = max(case.opened_on, today)
            have[item.code] = DocumentRequirement.objects.create(
                case_id=case.pk,
                checklist_item=item,
                code=item.code,
                position=item.position,
                name_en=item.name_en,
                name_zh=item.name_zh,
                help_en=item.help_en,
                help_zh=item.help_zh,
                required=item.required,
                accepted_types=list(item.accepted_types),
                max_size_bytes=item.max_size_bytes,
                due_date=start + dt.timedelta(days=item.due_offset_days),
            )
        for code, req in have.items():
            item = items.get(code)
            if item is None or not item.route_condition or req.route_condition:
                continue
            req.route_condition = item.route_condition
            if req.status not in SATISFIED:
                req.required = condition_applies(parse_route_patterns(item.route_condition), routes)
            req.save(update_fields=["route_condition", "required", "updated_at"])


def install(apps, schema_editor):
    apply_for(apps.get_model("cases", "ChecklistItem"))
    cases_follow(apps, timezone.localdate())
    _SUMMARY.backfill(apps, schema_editor)  # the per-case counts read ``required``


def uninstall(apps, schema_editor):
    """Back to everything asked: conditions go (the columns are dropped next), the teaching
    proof is optional again; the new R items stay (they may hold uploads)."""
    ChecklistItem = apps.get_model("cases", "ChecklistItem")
    DocumentRequirement = apps.get_model("cases", "DocumentRequirement")
    teaching = ChecklistItem.objects.filter(visa_type__code="K", code=TEACHING_CODE)
    teaching.update(required=False)
    teaching.filter(help_en=TEACHING_NEW_HELP_EN).update(help_en=TEACHING_OLD_HELP_EN)
    teaching.filter(help_zh=TEACHING_NEW_HELP_ZH).update(help_zh=TEACHING_OLD_HELP_ZH)
    conditional = DocumentRequirement.objects.exclude(route_condition="")
    conditional.exclude(code=TEACHING_CODE).update(required=True)
    conditional.filter(code=TEACHING_CODE).update(required=False)
    _SUMMARY.backfill(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0036_route_conditions"),
        ("eligibility", "0003_elig_seed_rule_sets"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
