"""Counts of the schemathesis run (printed at the end of the run)."""

# Requests sent by tests/portal/api/test_schemathesis.py, per persona.
SCHEMATHESIS_REQUESTS: dict[str, int] = {"applicant": 0, "advisor": 0}


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    total = sum(SCHEMATHESIS_REQUESTS.values())
    if total:
        terminalreporter.write_line(
            f"schemathesis: {total} generated requests "
            f"(applicant {SCHEMATHESIS_REQUESTS['applicant']}, "
            f"advisor {SCHEMATHESIS_REQUESTS['advisor']})"
        )
