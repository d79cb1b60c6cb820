"""Routes of a rule set and route conditions (eligibility/routes.py): pure functions."""

import pytest

from eligibility.data.rule_sets_v1 import K_V1, R_V1
from eligibility.routes import (
    PatternError,
    condition_applies,
    parse_route_patterns,
    route_ids,
    route_results,
)


def test_route_ids_are_the_children_of_any_of_criteria():
    assert route_ids(K_V1) == ["k-degree", "k-teaching-research"]
    assert route_ids(R_V1) == ["r-confirmation-letter", "r-class-a-research"]


def node(id_, result, type_="leaf", children=()):
    return {"id": id_, "type": type_, "result": result, "children": list(children)}


def test_route_results_cap_a_nested_route_by_the_route_around_it():
    # v2-like R: Class A routes grouped under an any_of inside the root any_of.
    tree = [
        node(
            "r",
            "pass",
            "any_of",
            [
                node("r-confirmation-letter", "unknown"),
                node(
                    "r-class-a-prize",
                    "fail",
                    "all_of",
                    [node("r-class-a-prize-kind", "pass", "any_of", [node("r-class-a-x", "pass")])],
                ),
                node("r-class-a-programme", "pass"),
            ],
        )
    ]
    assert route_results(tree) == {
        "r-confirmation-letter": "unknown",
        "r-class-a-prize": "fail",
        "r-class-a-x": "fail",  # passes inside a route that fails: not the case's route
        "r-class-a-programme": "pass",
    }


@pytest.mark.parametrize(
    ("routes", "degree", "teaching"),
    [
        (None, True, True),  # never assessed: everything asked
        ({}, True, True),
        ({"k-degree": "pass", "k-teaching-research": "unknown"}, True, False),
        ({"k-degree": "fail", "k-teaching-research": "pass"}, False, True),
        ({"k-degree": "pass", "k-teaching-research": "pass"}, True, True),  # both routes met
        # No route met yet: asked while its route may still be the case's.
        ({"k-degree": "unknown", "k-teaching-research": "unknown"}, True, True),
        ({"k-degree": "unknown", "k-teaching-research": "fail"}, True, False),
        # Every route failed: the route is not known, everything stays asked.
        ({"k-degree": "fail", "k-teaching-research": "fail"}, True, True),
    ],
)
def test_condition_follows_the_met_route_else_the_open_ones(routes, degree, teaching):
    assert condition_applies(["k-degree"], routes) is degree
    assert condition_applies(["k-teaching-research"], routes) is teaching
    assert condition_applies([], routes) is True


def test_a_pattern_names_every_class_a_route_of_any_version():
    v1 = {"r-confirmation-letter": "unknown", "r-class-a-research": "pass"}
    v2 = {"r-confirmation-letter": "unknown", "r-class-a-prize": "fail", "r-class-a-paper": "pass"}
    assert condition_applies(["r-class-a-*"], v1)
    assert condition_applies(["r-class-a-*"], v2)
    assert not condition_applies(["r-confirmation-letter"], v2)


def test_a_condition_naming_no_route_of_the_rule_set_stays_asked():
    assert condition_applies(["k-renamed-*"], {"k-degree": "pass", "k-teaching-research": "fail"})


def test_patterns_parse_from_text_and_refuse_other_syntax():
    assert parse_route_patterns(" k-degree,k-degree;  r-class-a-*\nr-?x ") == [
        "k-degree",
        "r-class-a-*",
        "r-?x",
    ]
    assert parse_route_patterns("") == []
    for bad in ["K-Degree", "r-class-a-[ab]", "-k", "k_degree", "x" * 81]:
        with pytest.raises(PatternError) as exc:
            parse_route_patterns(f"k-degree, {bad}")
        assert exc.value.pattern == bad
