"""The shared query-count helper: a page or API list must cost the same number of queries
whatever the number of rows (the convention of every list test)."""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(call: Callable[[], Any]) -> int:
    """Run ``call`` and return the number of SQL queries it made."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def assert_flat_queries(
    call: Callable[[], Any], grow: Callable[[], Any], *, at_most: int | None = None
) -> int:
    """Count the queries of ``call``, run ``grow`` (which adds rows), count again: both counts
    must be equal (and at most ``at_most`` when given). Returns the count."""
    first = count_queries(call)
    grow()
    second = count_queries(call)
    assert first == second, f"query count grew with rows: {first} -> {second}"
    if at_most is not None:
        assert second <= at_most, f"{second} queries, expected at most {at_most}"
    return second
