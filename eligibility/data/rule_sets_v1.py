"""K visa v1 and R visa v1 rule sets, installed published by a data migration.

Frozen: read by ``eligibility/0003_elig_seed_rule_sets``. New versions are made in the admin
("new version" copies a published rule set to a draft); never edit these dicts.
"""

import datetime as dt
from typing import Any

ORDER_814 = (
    "State Council Order No. 814: Decision of the State Council on amending the Regulations of "
    "the PRC on the Administration of the Entry and Exit of Foreigners (adds the K visa for young "
    "foreign science and technology talent), promulgated 2025-08-07, in force 2025-10-01."
)
QA_2025_08_14 = (
    "Official Q&A of the Ministry of Justice and the Ministry of Public Security on the K visa, "
    "2025-08-14: applicants must hold a bachelor's degree or above in a science, technology, "
    "engineering or mathematics (STEM) field from a well-known university or research "
    "institution in China or abroad, or be engaged in teaching or research in such fields at "
    "such an institution; no inviting domestic employer or entity is required."
)
AGE_REPORTED = (
    "Reported, not official: press and consulate reports that K visa applicants should be 18 to "
    "45 years old; Order No. 814 and the 2025-08-14 Q&A speak only of 'young' talent."
)
ORDER_637_R = (
    "Regulations of the PRC on the Administration of the Entry and Exit of Foreigners (State "
    "Council Order No. 637, 2013), art. 6: the R visa is issued to high-level foreign talents "
    "and specialists urgently needed by China; consulates ask for the Confirmation Letter for "
    "High-Level Foreign Talents (外国高端人才确认函), which the host employer obtains."
)
CLASS_A_REPORTED = (
    "Reported approximation of Class A (foreign high-end talent) in the Classification Standards "
    "for Foreigners Working in China (trial, 2017): doctoral degree holders with research or "
    "teaching at a recognized university or research institution. The full Class A list "
    "(awards, points of 85 or more) cannot be expressed; an advisor must confirm."
)

STEM = ["05", "06", "07"]


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


K_V1: dict[str, Any] = {
    "id": "k-v1",
    "type": "all_of",
    "label": _t("K visa: young foreign science and technology talent", "K字签证：外国青年科技人才"),
    "citation": ORDER_814,
    "basis": "official",
    "children": [
        {
            "id": "k-age-min",
            "type": "min_age",
            "years": 18,
            "label": _t("At least 18 years old", "年满18周岁"),
            "citation": AGE_REPORTED,
            "basis": "reported",
        },
        {
            "id": "k-age-max",
            "type": "max_age",
            "years": 45,
            "label": _t("At most 45 years old", "不超过45周岁"),
            "citation": AGE_REPORTED,
            "basis": "reported",
        },
        {
            "id": "k-route",
            "type": "any_of",
            "label": _t("STEM degree or STEM teaching/research", "理工科学位或理工科教学科研"),
            "citation": QA_2025_08_14,
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
                    "citation": QA_2025_08_14,
                    "basis": "official",
                    "children": [
                        {
                            "id": "k-degree-level",
                            "type": "min_degree_level",
                            "level": 6,
                            "label": _t("Bachelor's degree or higher", "学士及以上学位"),
                            "citation": QA_2025_08_14,
                            "basis": "official",
                        },
                        {
                            "id": "k-degree-field",
                            "type": "field_of_study",
                            "fields": STEM,
                            "label": _t(
                                "Field of study in science, technology, engineering or "
                                "mathematics (STEM)",
                                "理工科（STEM）专业",
                            ),
                            "citation": QA_2025_08_14
                            + " STEM as ISCED-F broad fields 05, 06, 07 (Eurostat definition).",
                            "basis": "official",
                        },
                        {
                            "id": "k-degree-institution",
                            "type": "institution_recognized",
                            "label": _t(
                                "Well-known university or research institution",
                                "知名高校或科研机构",
                            ),
                            "citation": QA_2025_08_14,
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
                    "label": _t(
                        "Teaching or research in a STEM field at a well-known university or "
                        "research institution",
                        "在知名高校或科研机构从事理工科教学或科研工作",
                    ),
                    "citation": QA_2025_08_14,
                    "basis": "official",
                },
            ],
        },
    ],
}

R_V1: dict[str, Any] = {
    "id": "r-v1",
    "type": "any_of",
    "label": _t("R visa: high-level foreign talent", "R字签证：外国高层次人才"),
    "citation": ORDER_637_R,
    "basis": "official",
    "children": [
        {
            "id": "r-confirmation-letter",
            "type": "has_document",
            "document": "high-level-talent-letter",
            "document_name": "Confirmation Letter for High-Level Foreign Talents",
            "label": _t(
                "Confirmation Letter for High-Level Foreign Talents on file",
                "已提交外国高端人才确认函",
            ),
            "citation": ORDER_637_R,
            "basis": "official",
        },
        {
            "id": "r-class-a-research",
            "type": "all_of",
            "label": _t(
                "Class A: doctorate and research or teaching at a recognized institution",
                "A类：博士学位并在认可机构从事科研或教学",
            ),
            "citation": CLASS_A_REPORTED,
            "basis": "reported",
            "children": [
                {
                    "id": "r-class-a-doctorate",
                    "type": "min_degree_level",
                    "level": 8,
                    "label": _t("Doctoral degree", "博士学位"),
                    "citation": CLASS_A_REPORTED,
                    "basis": "reported",
                },
                {
                    "id": "r-class-a-experience",
                    "type": "experience_years",
                    "min_years": 3,
                    "teaching_or_research": True,
                    "institution_recognized": True,
                    "label": _t(
                        "At least 3 years of research or teaching at a recognized institution",
                        "在认可机构从事科研或教学至少3年",
                    ),
                    "citation": CLASS_A_REPORTED,
                    "basis": "reported",
                },
            ],
        },
    ],
}

SEED: list[dict[str, Any]] = [
    {
        "visa_type_code": "K",
        "version": 1,
        "effective_date": dt.date(2025, 10, 1),
        "citations": [ORDER_814, QA_2025_08_14, AGE_REPORTED],
        "criteria": K_V1,
    },
    {
        "visa_type_code": "R",
        "version": 1,
        "effective_date": dt.date(2013, 9, 1),
        "citations": [ORDER_637_R, CLASS_A_REPORTED],
        "criteria": R_V1,
    },
]
