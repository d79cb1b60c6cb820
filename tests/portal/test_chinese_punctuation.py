"""Chinese text uses full-width punctuation (issue 11: "您的顾问: Li Wei" read wrong): no
half-width colon, comma or parenthesis touches a Chinese character in the catalogue or in the
Chinese data the portal ships (eligibility explanations and labels, fields of study, rule
sets, questionnaires); Chinese stored before the rule held is shown full-width."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from eligibility.data.isced_f_2013 import FIELDS
from eligibility.data.rule_sets_v1 import SEED
from eligibility.engine import (
    BASIS_LABELS,
    DEFAULT_EXPLAIN,
    FACT_LABELS,
    OUTCOME_LABELS,
    RESULT_LABELS,
)
from eligibility.engine.explanations import FALLBACK_EXPLAIN
from eligibility.engine.facts import DEGREE_LEVEL_NAMES
from eligibility.models import FieldOfStudy
from portal.text import HALF_WIDTH_NEAR_CJK, cjk_punctuation
from tests.portal.test_translations import PO_PATH, parse_po

ROOT = Path(__file__).resolve().parents[2]


def _bad(text: str) -> bool:
    """True when ``text`` has half-width punctuation touching Chinese (or a pair of half-width
    parentheses holding Chinese)."""
    return bool(HALF_WIDTH_NEAR_CJK.search(text)) or cjk_punctuation(text) != text


def _zh_strings(value: Any) -> Iterator[str]:
    """Every string under a "zh" key of a nested JSON-like value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "zh" and isinstance(item, str):
                yield item
            else:
                yield from _zh_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _zh_strings(item)


def test_catalogue_msgstrs_use_full_width_punctuation():
    bad = [
        (entry["msgid"], text)
        for entry in parse_po(PO_PATH)
        for text in entry["msgstr"].values()
        if text and _bad(text)
    ]
    assert bad == []


def test_shipped_chinese_data_uses_full_width_punctuation():
    texts: list[str] = []
    for by_result in DEFAULT_EXPLAIN.values():
        texts += [t["zh"] for t in by_result.values()]
    texts += [t["zh"] for t in FALLBACK_EXPLAIN.values()]
    for table in (FACT_LABELS, OUTCOME_LABELS, RESULT_LABELS, BASIS_LABELS, DEGREE_LEVEL_NAMES):
        texts += [zh for _en, zh in table.values()]
    texts += [zh for _code, _en, zh in FIELDS]
    texts += list(_zh_strings([spec["criteria"] for spec in SEED]))
    for path in sorted((ROOT / "cases" / "questionnaires" / "data").glob("*.json")):
        texts += list(_zh_strings(json.loads(path.read_text(encoding="utf-8"))))
    assert len(texts) > 400
    assert [t for t in texts if _bad(t)] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("您的顾问: Li Wei", "您的顾问：Li Wei"),
        ("K字签证:外国青年科技人才", "K字签证：外国青年科技人才"),
        ("年龄为33岁,不低于18岁。", "年龄为33岁，不低于18岁。"),
        ("人文学科(语言除外)", "人文学科（语言除外）"),
        ("理工科专业(ISCED-F 05、06、07)", "理工科专业（ISCED-F 05、06、07）"),
        ("%(name)s: 已上传", "%(name)s：已上传"),
        # Curly quotes are English punctuation too: what follows them is left alone.
        ("Upload “%(name)s”: done", "Upload “%(name)s”: done"),
        ("Hello, world (English only): unchanged", "Hello, world (English only): unchanged"),
        ("案件 K-2026-00001 · 10:00 CST", "案件 K-2026-00001 · 10:00 CST"),
    ],
)
def test_half_width_punctuation_beside_chinese_becomes_full_width(text, expected):
    assert cjk_punctuation(text) == expected


@pytest.mark.django_db
def test_a_field_of_study_stored_with_half_width_punctuation_reads_full_width():
    field = FieldOfStudy.objects.get(code="022")
    field.name_zh = "人文学科(语言除外)"  # as the first seed stored it
    with translation.override("zh-hans"):
        assert field.name == "人文学科（语言除外）"
    with translation.override("en"):
        assert field.name == "Humanities (except languages)"
