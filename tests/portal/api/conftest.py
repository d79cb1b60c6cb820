"""Counts of the schemathesis run (printed at the end of the run)."""

from collections import Counter

# Requests sent by tests/portal/api/test_schemathesis.py, per persona (checked ones only: a
# failing check stops its test at that request).
SCHEMATHESIS_REQUESTS: Counter[str] = Counter()


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    total = sum(SCHEMATHESIS_REQUESTS.values())
    if total:
        per_persona = ", ".join(f"{name} {n}" for name, n in SCHEMATHESIS_REQUESTS.items())
        terminalreporter.write_line(f"schemathesis: {total} requests ({per_persona})")
