"""The pure engine against the seeded K v1 and R v1 rules: table-driven cases and properties."""

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.data.rule_sets_v1 import K_V1, R_V1
from eligibility.engine import (
    EducationFact,
    EmploymentFact,
    Facts,
    Outcome,
    Tri,
    compile_criteria,
    evaluate,
)

K = compile_criteria(K_V1)
R = compile_criteria(R_V1)
ENTRY = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 6, 1)


def born_aged(years: int, on: dt.date = ENTRY) -> dt.date:
    """A birth date making the person exactly ``years`` old on ``on`` (birthday that day)."""
    return on.replace(year=on.year - years)


def stem_degree(level: int = 6, code: str = "0613", recognized: bool | None = True):
    return EducationFact(level=level, field_code=code, institution_recognized=recognized)


def facts(**kw) -> Facts:
    kw.setdefault("today", TODAY)
    kw.setdefault("intended_entry_date", ENTRY)
    kw.setdefault("date_of_birth", born_aged(30))
    return Facts(**kw)


def by_id(evaluation, ident):
    stack = [evaluation.root]
    while stack:
        node = stack.pop()
        if node.node.id == ident:
            return node
        stack.extend(node.children)
    raise KeyError(ident)


def job(start, end, code="0533", teaching=True, recognized=True):
    return EmploymentFact(
        start=start,
        end=end,
        field_code=code,
        teaching_or_research=teaching,
        institution_recognized=recognized,
    )


K_TABLE = [
    # (name, facts, outcome, missing)
    (
        "bachelor in 0613 software from a recognized university",
        facts(education=(stem_degree(6, "0613"),)),
        Outcome.ELIGIBLE,
        [],
    ),
    (
        "age exactly 45 on the intended entry date passes the reported maximum",
        facts(date_of_birth=born_aged(45), education=(stem_degree(),)),
        Outcome.ELIGIBLE,
        [],
    ),
    (
        "age 46 (one day past 45 plus a year) fails a reported criterion: needs review",
        facts(date_of_birth=born_aged(46), education=(stem_degree(),)),
        Outcome.NEEDS_REVIEW,
        [],
    ),
    (
        "age 17 fails the reported minimum: needs review",
        facts(date_of_birth=born_aged(17), education=(stem_degree(),)),
        Outcome.NEEDS_REVIEW,
        [],
    ),
    (
        "master's in 0311 economics is not STEM, no jobs: ineligible",
        facts(education=(stem_degree(7, "0311"),), employment=()),
        Outcome.INELIGIBLE,
        [],
    ),
    (
        "master's in 0311 economics, work history not entered: needs information",
        facts(education=(stem_degree(7, "0311"),)),
        Outcome.NEEDS_INFORMATION,
        ["employment"],
    ),
    (
        "missing birth date: needs information naming it",
        facts(date_of_birth=None, education=(stem_degree(),)),
        Outcome.NEEDS_INFORMATION,
        ["date_of_birth"],
    ),
    (
        "STEM degree from an institution not in our list: needs information",
        facts(education=(stem_degree(recognized=None),), employment=()),
        Outcome.NEEDS_INFORMATION,
        ["education.institution"],
    ),
    (
        "STEM degree from an unrecognized institution, no jobs: ineligible",
        facts(education=(stem_degree(recognized=False),), employment=()),
        Outcome.INELIGIBLE,
        [],
    ),
    (
        "a STEM degree and a recognized degree must be the same degree",
        facts(
            education=(stem_degree(6, "0533", False), stem_degree(7, "0311", True)),
            employment=(),
        ),
        Outcome.INELIGIBLE,
        [],
    ),
    (
        "level 5 short-cycle degree is below a bachelor's",
        facts(education=(stem_degree(5, "0714"),), employment=()),
        Outcome.INELIGIBLE,
        [],
    ),
    (
        "research in 0533 physics at a recognized institution, no degree entered",
        facts(education=(), employment=(job(dt.date(2020, 1, 1), None),)),
        Outcome.ELIGIBLE,
        [],
    ),
    (
        "teaching outside STEM does not count",
        facts(education=(), employment=(job(dt.date(2020, 1, 1), None, code="0232"),)),
        Outcome.INELIGIBLE,
        [],
    ),
    (
        "nothing entered at all",
        facts(date_of_birth=None),
        Outcome.NEEDS_INFORMATION,
        ["date_of_birth", "education", "employment"],
    ),
    (
        "advisor flag turns eligible into needs review",
        facts(education=(stem_degree(),), advisor_flag=True),
        Outcome.NEEDS_REVIEW,
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "the_facts", "outcome", "missing"), K_TABLE, ids=[row[0] for row in K_TABLE]
)
def test_k_visa_rules(name, the_facts, outcome, missing):
    evaluation = evaluate(K, the_facts)
    assert evaluation.outcome == outcome
    assert evaluation.missing_facts == missing


def test_age_is_counted_on_intended_entry_date_else_today():
    birth = dt.date(1980, 12, 1)  # 45 on 2026-06-01 (today), 45 on 2026-10-01, 46 on 2026-12-01
    with_entry = evaluate(K, facts(date_of_birth=birth, education=(stem_degree(),)))
    assert by_id(with_entry, "k-age-max").params["age"] == 45
    late_entry = facts(
        date_of_birth=birth, intended_entry_date=dt.date(2026, 12, 1), education=(stem_degree(),)
    )
    assert by_id(evaluate(K, late_entry), "k-age-max").result is Tri.FAIL
    no_entry = facts(date_of_birth=birth, intended_entry_date=None, education=(stem_degree(),))
    assert by_id(evaluate(K, no_entry), "k-age-max").params["date"] == TODAY.isoformat()


def test_age_limit_boundary_day_before_46th_birthday():
    birth = born_aged(46) + dt.timedelta(days=1)  # turns 46 the day after entry
    evaluation = evaluate(K, facts(date_of_birth=birth, education=(stem_degree(),)))
    assert by_id(evaluation, "k-age-max").result is Tri.PASS
    assert evaluation.outcome == Outcome.ELIGIBLE


def test_overlapping_jobs_count_once():
    experience = compile_criteria(
        {
            "id": "exp",
            "type": "experience_years",
            "min_years": 3,
            "fields": ["05"],
            "teaching_or_research": True,
            "label": {"en": "3 years", "zh": "3年"},
            "citation": "test",
            "basis": "official",
        }
    )
    overlapping = (
        job(dt.date(2020, 1, 1), dt.date(2022, 1, 1)),
        job(dt.date(2021, 1, 1), dt.date(2022, 7, 1)),  # overlaps the first by a year
    )
    result = experience.evaluate(facts(employment=overlapping))
    assert result.result is Tri.FAIL  # 2.5 years once, not 3.5
    assert result.params["years"] == 2.5
    spread = (*overlapping, job(dt.date(2022, 6, 1), dt.date(2023, 6, 1)))
    result = experience.evaluate(facts(employment=spread))
    assert result.result is Tri.PASS
    assert result.params["years"] == 3.4


def test_r_visa_confirmation_letter_accepted_is_eligible():
    evaluation = evaluate(R, facts(documents={"high-level-talent-letter": "accepted"}))
    assert evaluation.outcome == Outcome.ELIGIBLE


def test_r_visa_letter_pending_names_the_document():
    evaluation = evaluate(
        R, facts(documents={"high-level-talent-letter": "uploaded"}, education=(), employment=())
    )
    assert evaluation.outcome == Outcome.NEEDS_INFORMATION
    assert evaluation.missing_facts == ["document:high-level-talent-letter"]


def test_r_visa_class_a_route_is_reported_so_needs_review():
    evaluation = evaluate(
        R,
        facts(
            documents={"high-level-talent-letter": "missing"},
            education=(stem_degree(8, "0533"),),
            employment=(job(dt.date(2018, 1, 1), None),),
        ),
    )
    assert by_id(evaluation, "r-class-a-research").result is Tri.PASS
    assert evaluation.outcome == Outcome.NEEDS_REVIEW


def test_r_visa_letter_waived_and_not_class_a_is_ineligible():
    evaluation = evaluate(
        R,
        facts(
            documents={"high-level-talent-letter": "waived"},
            education=(stem_degree(6),),
            employment=(),
        ),
    )
    assert evaluation.outcome == Outcome.INELIGIBLE


def test_r_visa_letter_not_asked_for_yet_is_unknown():
    evaluation = evaluate(R, facts(documents={}, education=(stem_degree(6),), employment=()))
    assert evaluation.missing_facts == ["document:high-level-talent-letter"]


def test_explanations_in_both_languages_fill_values():
    evaluation = evaluate(K, facts(date_of_birth=born_aged(50), education=(stem_degree(),)))
    node = by_id(evaluation, "k-age-max")
    assert node.explanation("en") == "Age 50 on 2026-10-01 is above the maximum of 45."
    assert "50" in node.explanation("zh-hans")
    assert node.label("zh-hans") == "不超过45周岁"
    stored = evaluation.results()[0]
    assert stored["children"][1]["basis"] == "reported"
    assert stored["children"][1]["explanation"]["zh"].startswith("2026-10-01")


# --- properties ---------------------------------------------------------------------------------

codes = st.sampled_from(["0111", "0311", "0511", "0533", "0541", "0613", "0714", "0912", "1014"])
maybe_bool = st.sampled_from([True, False, None])
dates = st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2026, 5, 1))
educations = st.builds(
    EducationFact,
    level=st.sampled_from([None, 4, 5, 6, 7, 8]),
    field_code=st.sampled_from(["", "0311", "0533", "0613", "0912"]),
    institution_recognized=maybe_bool,
)
jobs = st.builds(
    EmploymentFact,
    start=st.one_of(st.none(), dates),
    end=st.one_of(st.none(), dates),
    field_code=st.one_of(st.just(""), codes),
    teaching_or_research=maybe_bool,
    institution_recognized=maybe_bool,
)
facts_strategy = st.builds(
    Facts,
    today=st.just(TODAY),
    date_of_birth=st.one_of(st.none(), st.dates(dt.date(1960, 1, 1), dt.date(2010, 1, 1))),
    intended_entry_date=st.one_of(st.none(), st.just(ENTRY)),
    education=st.one_of(st.none(), st.lists(educations, max_size=4).map(tuple)),
    employment=st.one_of(st.none(), st.lists(jobs, max_size=4).map(tuple)),
    documents=st.fixed_dictionaries(
        {"high-level-talent-letter": st.sampled_from(["missing", "uploaded", "accepted", "waived"])}
    ),
)


def _results(evaluation):
    out = {}
    stack = [evaluation.root]
    while stack:
        node = stack.pop()
        out[node.node.id] = node.result
        stack.extend(node.children)
    return out


def _fill(fact: Facts, rnd: random.Random) -> Facts:
    """``fact`` with every missing fact supplied (never changing a known one)."""
    from dataclasses import replace

    education = fact.education
    if education is None:
        education = ()
    education = tuple(
        replace(
            e,
            level=e.level if e.level is not None else rnd.choice([5, 6, 7, 8]),
            field_code=e.field_code or rnd.choice(["0311", "0533"]),
            institution_recognized=e.institution_recognized
            if e.institution_recognized is not None
            else rnd.choice([True, False]),
        )
        for e in education
    )
    employment = tuple(
        replace(
            j,
            start=j.start or dt.date(2015, 1, 1),
            field_code=j.field_code or rnd.choice(["0311", "0533"]),
            teaching_or_research=j.teaching_or_research
            if j.teaching_or_research is not None
            else rnd.choice([True, False]),
            institution_recognized=j.institution_recognized
            if j.institution_recognized is not None
            else rnd.choice([True, False]),
        )
        for j in (fact.employment or ())
    )
    return replace(
        fact,
        date_of_birth=fact.date_of_birth or dt.date(1990, 1, 1),
        education=education,
        employment=employment,
    )


@settings(max_examples=300, deadline=None)
@given(fact=facts_strategy, seed=st.integers(0, 10_000))
def test_supplying_missing_facts_never_undecides_a_criterion(fact, seed):
    for root in (K, R):
        before = _results(evaluate(root, fact))
        after = _results(evaluate(root, _fill(fact, random.Random(seed))))
        for ident, result in before.items():
            if result is not Tri.UNKNOWN:
                assert after[ident] is result, ident


@settings(max_examples=300, deadline=None)
@given(fact=facts_strategy, index=st.integers(0, 3), raise_by=st.integers(1, 3))
def test_raising_a_degree_level_never_turns_min_degree_pass_into_fail(fact, index, raise_by):
    from dataclasses import replace

    if not fact.education:
        return
    i = index % len(fact.education)
    edu = fact.education[i]
    if edu.level is None:
        return
    raised = list(fact.education)
    raised[i] = replace(edu, level=min(8, edu.level + raise_by))
    raised_facts = replace(fact, education=tuple(raised))
    for root, ident in ((K, "k-degree-level"), (R, "r-class-a-doctorate")):
        before = _results(evaluate(root, fact))[ident]
        after = _results(evaluate(root, raised_facts))[ident]
        if before is Tri.PASS:
            assert after is Tri.PASS


@settings(max_examples=300, deadline=None)
@given(fact=facts_strategy, data=st.data())
def test_results_do_not_depend_on_order_of_rows(fact, data):
    from dataclasses import replace

    shuffled = replace(
        fact,
        education=None
        if fact.education is None
        else tuple(data.draw(st.permutations(fact.education))),
        employment=None
        if fact.employment is None
        else tuple(data.draw(st.permutations(fact.employment))),
    )
    for root in (K, R):
        a, b = evaluate(root, fact), evaluate(root, shuffled)
        assert a.outcome == b.outcome
        assert _results(a) == _results(b)
        assert a.missing_facts == b.missing_facts


@settings(max_examples=400, deadline=None)
@given(fact=facts_strategy, flag=st.booleans())
def test_fast_decision_matches_the_explained_tree(fact, flag):
    from dataclasses import replace

    from eligibility.engine import evaluate_explained

    fact = replace(fact, advisor_flag=flag)
    for root in (K, R):
        fast = evaluate(root, fact)
        outcome, tree = evaluate_explained(root, fact)
        assert fast.outcome == outcome
        assert fast.root.result is tree.result
        if outcome == Outcome.NEEDS_INFORMATION:
            assert fast.missing_facts == list(tree.missing)


@settings(max_examples=200, deadline=None)
@given(fact=facts_strategy)
def test_one_pass_official_result_equals_rules_without_reported_criteria(fact):
    from eligibility.engine import _fast_group

    for root in (K, R):
        if root.decide_pair is None:
            continue
        full, official = divmod(root.decide_pair(fact), 3)
        assert full == root.decide(fact)
        assert official == _fast_group(root, drop_reported=True)(fact)


def _leaf(ident, kind, basis="official", **params):
    return {
        "id": ident,
        "type": kind,
        "label": {"en": ident, "zh": ident},
        "citation": "test",
        "basis": basis,
        **params,
    }


@pytest.mark.parametrize(
    ("expiry", "expected"),
    [
        (dt.date(2027, 4, 1), Tri.PASS),  # exactly 6 months after 2026-10-01
        (dt.date(2027, 3, 31), Tri.FAIL),
        (None, Tri.UNKNOWN),
    ],
)
def test_passport_valid_months_after_intended_entry(expiry, expected):
    node = compile_criteria(_leaf("passport", "passport_valid_months", months=6))
    assert node.evaluate(facts(passport_expiry=expiry)).result is expected
    assert evaluate(node, facts(passport_expiry=expiry)).root.result is expected


# Kleene's strong three-valued logic for all_of / any_of.
KLEENE = [
    ("all_of", ("pass", "pass"), Tri.PASS),
    ("all_of", ("pass", "unknown"), Tri.UNKNOWN),
    ("all_of", ("fail", "unknown"), Tri.FAIL),
    ("any_of", ("fail", "fail"), Tri.FAIL),
    ("any_of", ("fail", "unknown"), Tri.UNKNOWN),
    ("any_of", ("pass", "unknown"), Tri.PASS),
]


@pytest.mark.parametrize(("group", "children", "expected"), KLEENE)
def test_groups_combine_unknowns_like_kleene(group, children, expected):
    # has_document gives pass (accepted), fail (waived) or unknown (missing) on demand.
    status = {"pass": "accepted", "fail": "waived", "unknown": "missing"}
    spec = _leaf(
        "g",
        group,
        children=[_leaf(f"d{i}", "has_document", document=f"doc{i}") for i in range(len(children))],
    )
    documents = {f"doc{i}": status[r] for i, r in enumerate(children)}
    node = compile_criteria(spec)
    the_facts = facts(documents=documents)
    assert node.evaluate(the_facts).result is expected
    assert evaluate(node, the_facts).root.result is expected


def test_nested_groups_and_a_reported_failure_need_review():
    spec = _leaf(
        "root",
        "all_of",
        children=[
            _leaf("a", "has_document", document="a"),
            _leaf(
                "inner",
                "any_of",
                children=[
                    _leaf("b", "has_document", document="b"),
                    _leaf("c", "has_document", basis="reported", document="c"),
                ],
            ),
        ],
    )
    node = compile_criteria(spec)
    only_reported_route = facts(documents={"a": "accepted", "b": "waived", "c": "accepted"})
    assert evaluate(node, only_reported_route).outcome == Outcome.NEEDS_REVIEW
    official_route = facts(documents={"a": "accepted", "b": "accepted", "c": "accepted"})
    assert evaluate(node, official_route).outcome == Outcome.ELIGIBLE
