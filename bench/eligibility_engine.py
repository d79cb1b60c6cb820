"""Benchmark: the pure eligibility engine against a hand-written K check.

Generates 10,000 facts objects (fixed seed), evaluates each with the compiled K v1 rule set and
with ``k_direct`` (the same K v1 criteria written as plain Python, the limit we compare
against), checks that both give the same outcome for every facts object, and prints
assessments per second for both and the ratio (target: engine within 3x of the direct check).

Run: ``.venv/bin/python bench/eligibility_engine.py`` (or ``make bench``). No database needed.
"""

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from eligibility.data.rule_sets_v1 import K_V1  # noqa: E402
from eligibility.engine import (  # noqa: E402
    EducationFact,
    EmploymentFact,
    Facts,
    age_on,
    compile_criteria,
    evaluate,
)

N = 10_000
REPEAT = 7
STEM = ("05", "06", "07")
P, F, U = "pass", "fail", "unknown"


def generate(n: int, seed: int = 42) -> list[Facts]:
    rnd = random.Random(seed)
    today = dt.date(2026, 6, 1)
    codes = ["0311", "0413", "0511", "0533", "0541", "0613", "0714", "0732", "0912", "0232"]
    out = []
    for _ in range(n):
        education = None
        if rnd.random() < 0.9:
            education = tuple(
                EducationFact(
                    level=rnd.choice([5, 6, 6, 7, 8, None]),
                    field_code=rnd.choice([*codes, ""]),
                    institution_recognized=rnd.choice([True, True, False, None]),
                )
                for _ in range(rnd.randint(0, 3))
            )
        employment = None
        if rnd.random() < 0.8:
            jobs = []
            for _ in range(rnd.randint(0, 3)):
                start = today - dt.timedelta(days=rnd.randint(100, 6000))
                end = (
                    None if rnd.random() < 0.4 else start + dt.timedelta(days=rnd.randint(30, 2000))
                )
                jobs.append(
                    EmploymentFact(
                        start=start,
                        end=end,
                        field_code=rnd.choice(codes),
                        teaching_or_research=rnd.choice([True, False]),
                        institution_recognized=rnd.choice([True, False, None]),
                    )
                )
            employment = tuple(jobs)
        dob = (
            None if rnd.random() < 0.05 else dt.date(rnd.randint(1965, 2010), rnd.randint(1, 12), 1)
        )
        out.append(
            Facts(
                today=today,
                date_of_birth=dob,
                intended_entry_date=today + dt.timedelta(days=rnd.randint(0, 300)),
                education=education,
                employment=employment,
                advisor_flag=rnd.random() < 0.02,
            )
        )
    return out


def k_direct(f: Facts) -> str:
    """K visa v1 written directly: age 18-45 (reported) AND (a STEM bachelor's+ from a
    recognized institution OR STEM teaching/research at a recognized institution)."""
    ref = f.intended_entry_date or f.today
    if f.date_of_birth is None:
        age = U
    else:
        years = age_on(f.date_of_birth, ref)
        age = P if 18 <= years <= 45 else F
    # Degree route: one degree meets level, field and institution together.
    if f.education is None:
        degree = U
    else:
        degree = F
        for e in f.education:
            row = P
            for value in (
                U if e.level is None else (P if e.level >= 6 else F),
                U if not e.field_code else (P if e.field_code.startswith(STEM) else F),
                U if e.institution_recognized is None else (P if e.institution_recognized else F),
            ):
                if value == F:
                    row = F
                    break
                if value == U:
                    row = U
            if row == P:
                degree = P
                break
            if row == U:
                degree = U
    # Teaching/research route: any STEM teaching or research job at a recognized institution.
    if f.employment is None:
        work = U
    else:
        work = F
        for j in f.employment:
            if j.start is None or not j.teaching_or_research:
                continue
            if not j.field_code.startswith(STEM):
                continue
            if j.institution_recognized is None:
                work = U
            elif j.institution_recognized:
                work = P
                break
    route = P if P in (degree, work) else (U if U in (degree, work) else F)
    overall = F if F in (age, route) else (U if U in (age, route) else P)
    if overall == U:
        return "needs_information"
    if route != overall or f.advisor_flag:  # the reported age decided it, or flagged
        return "needs_review"
    return "eligible" if overall == P else "ineligible"


def rates(fns, items) -> list[float]:
    """Assessments per second of each function: best of REPEAT rounds, interleaved so that
    load from other processes hits both alike."""
    best = [float("inf")] * len(fns)
    for _ in range(REPEAT):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for item in items:
                fn(item)
            best[i] = min(best[i], time.perf_counter() - start)
    return [len(items) / b for b in best]


def main() -> None:
    facts = generate(N)
    root = compile_criteria(K_V1)
    mismatches = [f for f in facts if evaluate(root, f).outcome.value != k_direct(f)]
    if mismatches:
        raise SystemExit(f"engine and direct check disagree on {len(mismatches)} facts objects")
    engine_rate, direct_rate = rates([lambda f: evaluate(root, f), k_direct], facts)
    outcomes: dict[str, int] = {}
    for f in facts:
        o = k_direct(f)
        outcomes[o] = outcomes.get(o, 0) + 1
    ratio = direct_rate / engine_rate
    print(f"facts objects: {N:,} (outcomes: {dict(sorted(outcomes.items()))}); best of {REPEAT}")
    print(f"engine (K v1 rule set):  {engine_rate:,.0f} assessments/s")
    print(f"hand-written K check:    {direct_rate:,.0f} assessments/s")
    print(
        f"ratio: engine is {ratio:.2f}x slower than the direct check (target within 3x): "
        f"{'OK' if ratio <= 3 else 'OVER TARGET'}"
    )


if __name__ == "__main__":
    main()
