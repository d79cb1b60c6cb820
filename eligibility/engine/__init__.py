"""The eligibility engine: facts + criteria -> outcome and per-criterion results.

Pure: no ORM, no I/O, no clock (the caller passes ``today``). Criteria are the validated JSON of
a rule set (vocabulary in ``eligibility/rules.py``); ``compile_criteria`` turns them once into a
tree of small evaluator objects so evaluating many facts objects is cheap.

Three-valued logic: every criterion is PASS, FAIL or UNKNOWN (a fact it needs is missing).
``all_of`` / ``any_of`` combine results the way Kleene's strong logic does: all_of is FAIL if any
child fails, else UNKNOWN if any is unknown, else PASS; any_of is PASS if any child passes, else
UNKNOWN if any is unknown, else FAIL.

Modules: ``facts`` (inputs, result and outcome values, labels), ``results`` (per-criterion
results and the ``Evaluation``), ``explanations`` (default explanation templates),
``labels`` (labels generated from the criteria's values; the advisor's questions),
``criteria`` (the ``Node`` base, person / passport / document criteria, all_of / any_of),
``degrees`` and ``employment`` (education and work-experience criteria), ``compile`` (the type
registry, ``compile_criteria`` and the fast path) and ``outcomes`` (``evaluate``,
``evaluate_explained``, ``assess``). Import from ``eligibility.engine`` itself: every name
callers use is re-exported here.
"""

from eligibility.engine.compile import (
    DEGREE_TYPES,
    GROUP_TYPES,
    NODE_TYPES,
    _fast_group,
    compile_criteria,
)
from eligibility.engine.criteria import (
    AdvisorConfirms,
    AllOf,
    AnyOf,
    FastFn,
    HasDocument,
    MaxAge,
    MinAge,
    Node,
    PassportValidMonths,
    add_months,
    age_on,
    kleene,
    matches_fields,
)
from eligibility.engine.degrees import (
    FieldOfStudy,
    InstitutionRecognized,
    MinDegreeLevel,
    SameDegree,
)
from eligibility.engine.employment import DAYS_PER_YEAR, ExperienceYears
from eligibility.engine.explanations import DEFAULT_EXPLAIN
from eligibility.engine.facts import (
    BASIS_LABELS,
    FACT_LABELS,
    OUTCOME_LABELS,
    RESULT_LABELS,
    EducationFact,
    EmploymentFact,
    Facts,
    Outcome,
    Tri,
    basis_label,
    fact_label,
    outcome_label,
    result_label,
)
from eligibility.engine.labels import (
    QUESTIONS,
    STORED_LABEL_TYPES,
    confirm_questions,
    criterion_label,
    generated_label,
)
from eligibility.engine.outcomes import assess, evaluate, evaluate_explained
from eligibility.engine.results import CriterionResult, Evaluation

__all__ = [
    "BASIS_LABELS",
    "DAYS_PER_YEAR",
    "DEFAULT_EXPLAIN",
    "DEGREE_TYPES",
    "FACT_LABELS",
    "GROUP_TYPES",
    "NODE_TYPES",
    "OUTCOME_LABELS",
    "QUESTIONS",
    "RESULT_LABELS",
    "STORED_LABEL_TYPES",
    "AdvisorConfirms",
    "AllOf",
    "AnyOf",
    "CriterionResult",
    "EducationFact",
    "EmploymentFact",
    "Evaluation",
    "ExperienceYears",
    "Facts",
    "FastFn",
    "FieldOfStudy",
    "HasDocument",
    "InstitutionRecognized",
    "MaxAge",
    "MinAge",
    "MinDegreeLevel",
    "Node",
    "Outcome",
    "PassportValidMonths",
    "SameDegree",
    "Tri",
    "_fast_group",  # the tests compare it with the one-pass official result
    "add_months",
    "age_on",
    "assess",
    "basis_label",
    "compile_criteria",
    "confirm_questions",
    "criterion_label",
    "evaluate",
    "evaluate_explained",
    "fact_label",
    "generated_label",
    "kleene",
    "matches_fields",
    "outcome_label",
    "result_label",
]
