"""K visa v2 and R visa v2 rule sets (issue 13), installed published by the data migration
``eligibility/0006_elig_rule_sets_v2`` (v1 is retired, kept as history).

Frozen: read by that migration; new versions are made in the admin. What changed from v1:

- The 2025-08-14 Q&A is cited as what it is: answers of the heads of the Ministry of Justice,
  the Ministry of Foreign Affairs, the Ministry of Public Security and the National Immigration
  Administration (司法部、外交部、公安部、国家移民管理局) on Order No. 814 (Xinhua, 2025-08-14).
- R's "reported" Class A approximation (doctorate plus research) is replaced by the Class A
  categories of the 2017 Foreign Nationals Working in China Classification Standard (Trial)
  (外国人来华工作分类标准(试行), annex 3 of 外专发[2017]40号, issued by SAFEA, the Ministry of
  Human Resources and Social Security, the MFA and the MPS) that the portal can express, each a
  route ``r-class-a-<slug>`` answered by the advisor (``advisor_confirms``): clause 1(1)
  talent introduction programmes; clause 1(2) item 1-2 Nobel Prize and the awards it lists;
  clause 1(2) item 3 academicians; and the points-based criterion (85 points or more).
- Both gain the consular passport checks: valid 6 months from the date of application, and at
  least 2 blank visa pages, which the advisor confirms on the passport page.
- Labels of criteria with values are generated (``eligibility/engine/labels.py``); only the
  groups carry one.

Not confirmed, so not used: the clause number of the points criterion (sources agree Class A
includes "计点积分在85分以上" but the text read did not show its number, so it is cited by
name); the exact conditions of clause 1(5) "outstanding young talent" (优秀青年人才, reported
as doctorate holders under 40) were not found in the text read, so v1's doctorate route is not
carried over; clause 1(3) (market-oriented posts, e.g. pay of 6 times the local average) and
1(4) (innovation and entrepreneurship) need facts the portal does not hold (salary, company
shares). The blank-pages and six-month figures are the Chinese embassies' published visa
checklists ("at least six months of remaining validity and at least two blank visa pages"),
read in copies of those checklists, not on an embassy's own page.
"""

import datetime as dt
from typing import Any

from eligibility.data.rule_sets_v1 import ORDER_637_R, ORDER_814

QA_2025_08_14_JOINT = (
    "Answers of the heads of the Ministry of Justice, the Ministry of Foreign Affairs, the "
    "Ministry of Public Security and the National Immigration Administration (司法部、外交部、"
    "公安部、国家移民管理局) to reporters' questions on State Council Order No. 814, issued "
    "jointly on 2025-08-14 (Xinhua): applicants must hold a bachelor's degree or above in a "
    "science, technology, engineering or mathematics (STEM) field from a well-known university "
    "or research institution in China or abroad, or be engaged in teaching or research in such "
    "fields at such an institution; no inviting domestic employer or entity is required."
)
AGE_REPORTED = (
    "Reported, not official: press and consulate reports that K visa applicants should be 18 to "
    "45 years old; Order No. 814 and the 2025-08-14 Q&A of the Ministry of Justice, the Ministry "
    "of Foreign Affairs, the Ministry of Public Security and the National Immigration "
    "Administration (司法部、外交部、公安部、国家移民管理局) speak only of 'young' talent."
)
CLASSIFICATION_2017 = (
    "Foreign Nationals Working in China Classification Standard (Trial) (外国人来华工作分类标准"
    "（试行）), annex 3 of 外专发〔2017〕40号, issued by the State Administration of Foreign "
    "Experts Affairs, the Ministry of Human Resources and Social Security, the Ministry of "
    "Foreign Affairs and the Ministry of Public Security"
)
CLASS_A_TALENT_PROGRAMME = (
    CLASSIFICATION_2017 + ", part 1 (Class A, 外国高端人才), clause (1): selected for a talent "
    "introduction programme recognised by a talent authority at or above vice-provincial level "
    "approved or filed by the CPC Central Committee Organization Department, MOHRSS or SAFEA "
    "(入选国内人才引进计划的)."
)
CLASS_A_AWARD = (
    CLASSIFICATION_2017 + ", part 1 (Class A), clause (2) (符合国际公认的专业成就认定标准的), "
    "items 1-2: Nobel Prize winners (physics, chemistry, physiology or medicine, economics) and "
    "winners of the awards listed there (e.g. Turing Award, Fields Medal, Wolf Prize in "
    "Mathematics, Abel Prize, Lasker Award, Crafoord Prize, Kyoto Prize, Shaw Prize)."
)
CLASS_A_ACADEMICIAN = (
    CLASSIFICATION_2017 + ", part 1 (Class A), clause (2), item 3: academicians of national "
    "academies of sciences or of engineering (各国科学院院士、工程院院士)."
)
CLASS_A_POINTS = (
    CLASSIFICATION_2017 + ", part 1 (Class A): 85 points or more in the points-based "
    "assessment (计点积分在85分以上; points table 积分要素计分赋值表)."
)
CONSULAR_PASSPORT = (
    "Visa application checklists of the Chinese embassies and consulates: the original "
    "passport with at least six months of remaining validity and at least two blank visa "
    "pages (护照剩余有效期6个月以上，并有至少两页空白签证页)."
)

STEM = ["05", "06", "07"]


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def _passport(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-passport-validity",
            "type": "passport_valid_months",
            "months": 6,
            "from": "application",
            "citation": CONSULAR_PASSPORT,
            "basis": "official",
        },
        {
            "id": f"{prefix}-blank-pages",
            "type": "advisor_confirms",
            "question": "blank_pages",
            "pages": 2,
            "citation": CONSULAR_PASSPORT,
            "basis": "official",
        },
    ]


K_V2: dict[str, Any] = {
    "id": "k-v2",
    "type": "all_of",
    "label": _t("K visa: young foreign science and technology talent", "K字签证：外国青年科技人才"),
    "citation": ORDER_814,
    "basis": "official",
    "children": [
        {
            "id": "k-age-min",
            "type": "min_age",
            "years": 18,
            "citation": AGE_REPORTED,
            "basis": "reported",
        },
        {
            "id": "k-age-max",
            "type": "max_age",
            "years": 45,
            "citation": AGE_REPORTED,
            "basis": "reported",
        },
        {
            "id": "k-route",
            "type": "any_of",
            "label": _t("STEM degree or STEM teaching/research", "理工科学位或理工科教学科研"),
            "citation": QA_2025_08_14_JOINT,
            "basis": "official",
            "children": [
                {
                    "id": "k-degree",
                    "type": "same_degree",
                    "label": _t(
                        "STEM bachelor's or higher from a well-known university or research "
                        "institution",
                        "毕业于知名高校或科研机构的理工科学士及以上学位",
                    ),
                    "citation": QA_2025_08_14_JOINT,
                    "basis": "official",
                    "children": [
                        {
                            "id": "k-degree-level",
                            "type": "min_degree_level",
                            "level": 6,
                            "citation": QA_2025_08_14_JOINT,
                            "basis": "official",
                        },
                        {
                            "id": "k-degree-field",
                            "type": "field_of_study",
                            "fields": STEM,
                            "citation": QA_2025_08_14_JOINT
                            + " STEM as ISCED-F broad fields 05, 06, 07 (Eurostat definition).",
                            "basis": "official",
                        },
                        {
                            "id": "k-degree-institution",
                            "type": "institution_recognized",
                            "citation": QA_2025_08_14_JOINT,
                            "basis": "official",
                        },
                    ],
                },
                {
                    "id": "k-teaching-research",
                    "type": "experience_years",
                    "min_years": 0,
                    "fields": STEM,
                    "teaching_or_research": True,
                    "institution_recognized": True,
                    "citation": QA_2025_08_14_JOINT,
                    "basis": "official",
                },
            ],
        },
        *_passport("k"),
    ],
}


def _class_a(slug: str, question: str, citation: str, **params: Any) -> dict[str, Any]:
    return {
        "id": f"r-class-a-{slug}",
        "type": "advisor_confirms",
        "question": question,
        **params,
        "citation": citation,
        "basis": "official",
    }


R_V2: dict[str, Any] = {
    "id": "r-v2",
    "type": "all_of",
    "label": _t("R visa: high-level foreign talent", "R字签证：外国高层次人才"),
    "citation": ORDER_637_R,
    "basis": "official",
    "children": [
        {
            "id": "r-route",
            "type": "any_of",
            "label": _t(
                "Confirmation Letter, or a Class A category of the 2017 classification standard",
                "外国高端人才确认函，或2017年分类标准的A类条件之一",
            ),
            "citation": ORDER_637_R,
            "basis": "official",
            "children": [
                {
                    "id": "r-confirmation-letter",
                    "type": "has_document",
                    "document": "high-level-talent-letter",
                    "document_name": _t(
                        "Confirmation Letter for High-Level Foreign Talents",
                        "外国高端人才确认函",
                    ),
                    "citation": ORDER_637_R,
                    "basis": "official",
                },
                _class_a("talent-programme", "talent_programme", CLASS_A_TALENT_PROGRAMME),
                _class_a("award", "recognised_award", CLASS_A_AWARD),
                _class_a("academician", "academician", CLASS_A_ACADEMICIAN),
                _class_a("points", "points", CLASS_A_POINTS, points=85),
            ],
        },
        *_passport("r"),
    ],
}

SEED: list[dict[str, Any]] = [
    {
        "visa_type_code": "K",
        "version": 2,
        "effective_date": dt.date(2025, 10, 1),
        "citations": [ORDER_814, QA_2025_08_14_JOINT, AGE_REPORTED, CONSULAR_PASSPORT],
        "criteria": K_V2,
    },
    {
        "visa_type_code": "R",
        "version": 2,
        "effective_date": dt.date(2013, 9, 1),
        "citations": [
            ORDER_637_R,
            CLASS_A_TALENT_PROGRAMME,
            CLASS_A_AWARD,
            CLASS_A_ACADEMICIAN,
            CLASS_A_POINTS,
            CONSULAR_PASSPORT,
        ],
        "criteria": R_V2,
    },
]
