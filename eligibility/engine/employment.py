"""The work-experience criterion: qualifying years of teaching or research, overlapping jobs
counted once."""

from __future__ import annotations

import datetime as dt

from eligibility.engine.criteria import FastFn, Node, matches_fields
from eligibility.engine.facts import EmploymentFact, Facts, Tri
from eligibility.engine.results import CriterionResult


def _merged_days(periods: list[tuple[dt.date, dt.date]]) -> int:
    """Total days covered by ``periods`` (start inclusive, end exclusive), overlaps once."""
    total = 0
    current_start: dt.date | None = None
    current_end: dt.date | None = None
    for start, end in sorted(periods):
        if current_end is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None and current_start is not None:
        total += (current_end - current_start).days
    return total


DAYS_PER_YEAR = 365.25


class ExperienceYears(Node):
    """Years of teaching or research (per the criterion's filters) up to the reference date,
    overlapping jobs counted once. Passes with at least one qualifying job and at least
    ``min_years`` in total."""

    __slots__ = ()

    def explain_key(self) -> str:
        """``experience_any`` when ``min_years`` is 0 (one qualifying job suffices), so no
        explanation reads "at least 0 needed"."""
        return "experience_any" if not self.spec.get("min_years", 0) else self.type

    def _qualifies(self, job: EmploymentFact) -> tuple[Tri, str]:
        spec = self.spec
        if job.start is None:
            return Tri.UNKNOWN, "employment.dates"
        fields = spec.get("fields")
        unknown_key = ""
        if fields:
            if not job.field_code:
                unknown_key = "employment.field"
            elif not matches_fields(job.field_code, fields):
                return Tri.FAIL, ""
        if spec.get("teaching_or_research", True):
            if job.teaching_or_research is None:
                unknown_key = unknown_key or "employment.teaching_or_research"
            elif not job.teaching_or_research:
                return Tri.FAIL, ""
        if spec.get("institution_recognized", False):
            if job.institution_recognized is None:
                unknown_key = unknown_key or "employment.institution"
            elif not job.institution_recognized:
                return Tri.FAIL, ""
        return (Tri.UNKNOWN, unknown_key) if unknown_key else (Tri.PASS, "")

    def fast(self) -> FastFn:
        spec = self.spec
        if spec.get("min_years", 0) > 0:
            return super().fast()
        # Same decisions as ``_qualifies`` (a job passes, fails or is unknown), inlined.
        prefixes = tuple(spec.get("fields") or ())
        need_teaching = spec.get("teaching_or_research", True)
        need_recognized = spec.get("institution_recognized", False)

        def run(facts: Facts) -> int:
            jobs = facts.employment
            if jobs is None:
                return 1
            result = 0
            for job in jobs:
                if job.start is None:
                    result = 1
                    continue
                value = 2
                if prefixes:
                    if not job.field_code:
                        value = 1
                    elif not job.field_code.startswith(prefixes):
                        continue
                if need_teaching:
                    if job.teaching_or_research is None:
                        value = 1
                    elif not job.teaching_or_research:
                        continue
                if need_recognized:
                    if job.institution_recognized is None:
                        value = 1
                    elif not job.institution_recognized:
                        continue
                if value == 2:
                    return 2
                result = 1
            return result

        return run

    def evaluate(self, facts: Facts) -> CriterionResult:
        min_years = self.spec.get("min_years", 0)
        if facts.employment is None:
            return CriterionResult(
                self, Tri.UNKNOWN, {"min": min_years, "years": 0}, ("employment",)
            )
        on = facts.reference_date
        sure: list[tuple[dt.date, dt.date]] = []
        maybe: list[tuple[dt.date, dt.date]] = []
        missing: set[str] = set()
        undated_maybe = False
        for job in facts.employment:
            result, key = self._qualifies(job)
            if result is Tri.FAIL:
                continue
            if job.start is None:
                undated_maybe = True
                missing.add(key)
                continue
            end = min(job.end or on, on)
            period = (job.start, max(end, job.start))
            if result is Tri.PASS:
                sure.append(period)
            else:
                maybe.append(period)
                missing.add(key)
        sure_years = _merged_days(sure) / DAYS_PER_YEAR
        params = {"min": min_years, "years": round(sure_years, 1)}
        if sure and sure_years >= min_years:
            return CriterionResult(self, Tri.PASS, params)
        possible_years = _merged_days(sure + maybe) / DAYS_PER_YEAR
        if undated_maybe or ((sure or maybe) and possible_years >= min_years):
            return CriterionResult(self, Tri.UNKNOWN, params, tuple(sorted(missing)))
        return CriterionResult(self, Tri.FAIL, params)
