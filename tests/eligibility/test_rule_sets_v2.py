"""K v2 and R v2 (issue 13): installed published by eligibility/0006 (v1 kept, retired), the
2025-08-14 Q&A cited as issued by all four bodies, R's Class A routes of the 2017 classification
standard each cited and decided by the right facts, the passport checks, and labels generated
from the criteria's values in English and Chinese."""

import copy
import datetime as dt

import pytest
from django.core.management import call_command

from eligibility import services
from eligibility.data.rule_sets_v1 import K_V1, R_V1
from eligibility.data.rule_sets_v2 import K_V2, R_V2
from eligibility.engine import Facts, Tri, compile_criteria, generated_label
from eligibility.models import RuleSet, RuleSetStatus
from eligibility.rules import criteria_errors
from portal.errors import InvalidInput

BODIES_EN = (
    "Ministry of Justice",
    "Ministry of Foreign Affairs",
    "Ministry of Public Security",
    "National Immigration Administration",
)
BODIES_ZH = ("司法部", "外交部", "公安部", "国家移民管理局")
TODAY = dt.date(2026, 6, 1)


def _walk(node):
    yield node
    for child in node.get("children", []):
        yield from _walk(child)


def _by_id(criteria, ident):
    return next(n for n in _walk(criteria) if n["id"] == ident)


@pytest.mark.django_db
def test_v2_is_published_and_v1_kept_retired():
    for code, expected in (("K", K_V2), ("R", R_V2)):
        published = RuleSet.objects.published().get(visa_type_code=code)
        assert (published.version, published.criteria) == (2, expected)
        assert published.published_at is not None
        v1 = RuleSet.objects.get(visa_type_code=code, version=1)
        assert v1.status == RuleSetStatus.RETIRED
        assert not criteria_errors(published.criteria)


@pytest.mark.django_db
def test_citations_name_the_four_bodies_of_the_q_and_a():
    """Every citation of K v2 and R v2 that names the Q&A names its four bodies."""
    k = RuleSet.objects.published().get(visa_type_code="K")
    r = RuleSet.objects.published().get(visa_type_code="R")
    citations = [*k.citations, *r.citations]
    citations += [n["citation"] for rs in (k, r) for n in _walk(rs.criteria)]
    qa = [c for c in citations if "2025-08-14" in c]
    assert len(qa) > 5
    assert _by_id(k.criteria, "k-route")["citation"] in qa
    for citation in qa:
        for body in BODIES_EN + BODIES_ZH:
            assert body in citation, (body, citation)
    assert not any("Reported approximation" in c for c in r.citations)


def test_r_class_a_routes_cite_the_2017_standard_and_keep_their_id_prefix():
    route = _by_id(R_V2, "r-route")
    ids = [c["id"] for c in route["children"]]
    assert ids[0] == "r-confirmation-letter"
    class_a = [c for c in route["children"] if c["id"].startswith("r-class-a-")]
    assert {c["id"] for c in class_a} == {
        "r-class-a-talent-programme",
        "r-class-a-award",
        "r-class-a-academician",
        "r-class-a-points",
    }
    for c in class_a:
        assert "外国人来华工作分类标准（试行）" in c["citation"]
        assert "外专发〔2017〕40号" in c["citation"]
        assert c["basis"] == "official"
    assert "clause (1)" in _by_id(R_V2, "r-class-a-talent-programme")["citation"]
    assert "clause (2)" in _by_id(R_V2, "r-class-a-award")["citation"]
    assert not any(n["basis"] == "reported" for n in _walk(R_V2))
    # K keeps its route ids (route-conditioned checklists match them).
    assert {c["id"] for c in _by_id(K_V2, "k-route")["children"]} == {
        "k-degree",
        "k-teaching-research",
    }


def _r_facts(**confirmations):
    return Facts(
        today=TODAY,
        passport_expiry=dt.date(2031, 1, 1),
        confirmations={"blank_pages": (True, 2), **confirmations},
    )


@pytest.mark.parametrize(
    ("route", "question", "yes", "no", "other"),
    [
        ("r-class-a-talent-programme", "talent_programme", (True, None), (False, None), None),
        ("r-class-a-award", "recognised_award", (True, None), (False, None), None),
        ("r-class-a-academician", "academician", (True, None), (False, None), None),
        ("r-class-a-points", "points", (True, 85), (False, 85), (True, 60)),
    ],
)
def test_each_class_a_route_passes_and_fails_on_its_own_answer(route, question, yes, no, other):
    root = compile_criteria(R_V2)

    def result(facts):
        stack = [root.evaluate(facts)]
        while stack:
            r = stack.pop()
            if r.node.id == route:
                return r.result
            stack.extend(r.children)
        raise KeyError(route)

    assert result(_r_facts()) is Tri.UNKNOWN
    assert result(_r_facts(**{question: yes})) is Tri.PASS
    assert result(_r_facts(**{question: no})) is Tri.FAIL
    if other is not None:  # "yes" to 60 points says nothing about 85
        assert result(_r_facts(**{question: other})) is Tri.UNKNOWN
    # Another route's answer does not decide this one.
    unrelated = "academician" if question != "academician" else "talent_programme"
    assert result(_r_facts(**{unrelated: (True, None)})) is Tri.UNKNOWN
    # The route alone makes R eligible (passport checks met, letter not asked for).
    assert root.evaluate(_r_facts(**{question: yes})).result is Tri.PASS


def test_passport_checks_count_from_application_and_blank_pages_from_the_rule():
    root = compile_criteria(K_V2)
    passport = _by_id(K_V2, "k-passport-validity")
    assert (passport["months"], passport["from"]) == (6, "application")
    assert _by_id(K_V2, "k-blank-pages")["pages"] == 2
    short = Facts(
        today=TODAY,
        application_date=dt.date(2026, 7, 1),
        passport_expiry=dt.date(2026, 12, 31),
    )
    results = {r.node.id: r for r in _all(root.evaluate(short))}
    assert results["k-passport-validity"].result is Tri.FAIL
    assert results["k-blank-pages"].result is Tri.UNKNOWN
    assert results["k-blank-pages"].missing == ("confirm:blank_pages",)


def _all(result):
    yield result
    for child in result.children:
        yield from _all(child)


# --- labels generated from values ---------------------------------------------------------------


def test_changing_a_value_changes_the_label_in_both_languages():
    spec = {"id": "age", "type": "max_age", "years": 45, "citation": "x", "basis": "official"}
    assert generated_label(spec, "en") == "At most 45 years old"
    assert generated_label(spec, "zh-hans") == "不超过45周岁"
    node = compile_criteria({**spec, "years": 32})
    assert node.label == {"en": "At most 32 years old", "zh": "不超过32周岁"}
    pages = {"id": "p", "type": "advisor_confirms", "question": "blank_pages", "pages": 2}
    assert compile_criteria({**pages, "citation": "x", "basis": "official"}).label["zh"] == (
        "护照至少有2页空白签证页"
    )
    pages["pages"] = 4
    node = compile_criteria({**pages, "citation": "x", "basis": "official"})
    assert node.label == {
        "en": "The passport has at least 4 blank visa pages",
        "zh": "护照至少有4页空白签证页",
    }
    months = {"id": "m", "type": "passport_valid_months", "months": 6, "from": "application"}
    assert "6 months after the date of application" in generated_label(months, "en")
    assert "申请日期后至少还有6个月" in generated_label(months, "zh")
    assert "3 months" in generated_label({**months, "months": 3, "from": "entry"}, "en")
    # Applicants read labels: the seeded fields by name, never a bare code.
    for node in _walk(K_V2):
        for language in ("en", "zh"):
            text = generated_label(node, language)
            assert text is None or "ISCED" not in text, text


def test_a_stored_label_on_a_criterion_with_values_cannot_disagree():
    """v1 stored "At most 45"; a copy edited to 32 shows 32, its stored label is ignored and
    dropped when saved, and the schema refuses one typed on a leaf."""
    edited = copy.deepcopy(K_V1)
    edited["children"][1]["years"] = 32
    assert edited["children"][1]["label"]["en"] == "At most 45 years old"
    node = compile_criteria(edited)
    assert node.children[1].label == {"en": "At most 32 years old", "zh": "不超过32周岁"}
    errors = criteria_errors(edited)
    assert any("k-age-max" in e and "label" in e for e in errors)


@pytest.mark.django_db
def test_drafts_drop_stored_leaf_labels_and_keep_group_labels(admin_user):
    draft = services.rule_set_create_draft(
        visa_type_code="R",
        effective_date=dt.date(2026, 1, 1),
        criteria=R_V1,
        citations=["x"],
        actor=admin_user,
    )
    leaves = [n for n in _walk(draft.criteria) if n["type"] not in ("all_of", "any_of")]
    assert leaves
    assert all("label" not in n for n in leaves)
    assert draft.criteria["label"] == R_V1["label"]
    broken = copy.deepcopy(K_V2)
    del broken["children"][2]["label"]  # a group needs its label
    with pytest.raises(InvalidInput):
        services.rule_set_update_draft(rule_set=draft, actor=admin_user, criteria=broken)


def test_v1_still_renders_with_generated_labels():
    for criteria in (K_V1, R_V1):
        root = compile_criteria(criteria)
        for result in _all(root.evaluate(Facts(today=TODAY))):
            assert result.label("en")
            assert result.label("zh")
            assert result.as_dict()["label"]["zh"]


@pytest.mark.django_db
def test_reassess_published_command_reassesses_open_cases(case):
    call_command("reassess_published", "K")
    assessment = case.assessments.get()
    assert (assessment.trigger, assessment.rule_set.version) == ("publish", 2)
    call_command("reassess_published", "K")  # again: nothing new
    assert case.assessments.count() == 1
