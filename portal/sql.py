"""Statements the ORM builds once per process and runs many times (issue 18: an upload's
fixed cost).

Building the SQL of a query with correlated subqueries costs Django far more than PostgreSQL
spends running it: the per-case summary's UPDATE (``cases/models/summary.py``) takes about
10 ms of Python to compile and 2 ms to run (``bench/uploads.py``, this 2-core machine). A
``CompiledUpdate`` (and ``CompiledSelect`` for a query) asks the ORM for that SQL once per
database alias, with marker values standing for the keys, and afterwards only swaps the real
keys into the parameters. The SQL is the ORM's own, so each database gets its own dialect,
and nothing is written by hand.

Only for statements whose SQL does not depend on the moment they run: the expressions must
be the same each time (no ``now()`` computed in Python, no per-call values other than the
key).
"""

from collections.abc import Callable
from typing import Any, cast

from django.db import connections, models
from django.db.models import QuerySet, sql

# Never a primary key (the portal's keys are positive), and unlikely among a statement's
# other parameters; compiling checks where each one appears. The n-th key is _MARKER - n.
_MARKER = -7_301_946_285


def _marks(params: list[Any], keys: int, name: str) -> list[list[int]]:
    """For each of ``keys`` markers, the indexes of ``params`` it fills (at least one each)."""
    found = [[i for i, value in enumerate(params) if value == _MARKER - n] for n in range(keys)]
    if not all(found):
        raise RuntimeError(f"{name}: a key is missing from the compiled parameters")
    return found


class CompiledUpdate:
    """``model.objects.filter(pk=<key>).update(**values())`` for one row, its SQL built once
    per database alias.

    ``values`` returns the ``{column: expression}`` of the UPDATE; it is called once per alias.
    ``run(pk, using=...)`` returns the number of rows updated (0 or 1). Raises
    ``RuntimeError`` when compiling, if the marker key is not exactly one parameter of the
    statement (the expressions would then not be safe to reuse)."""

    def __init__(self, model: type[models.Model], values: Callable[[], dict[str, Any]]):
        self.model = model
        self.values = values
        self._compiled: dict[str, tuple[str, list[Any], int]] = {}

    def compile(self, using: str) -> tuple[str, list[Any], int]:
        """(SQL, parameters with the marker key, index of the marker) for ``using``."""
        compiled = self._compiled.get(using)
        if compiled is None:
            base = self.model._default_manager.filter(pk=_MARKER).query
            query = cast(sql.UpdateQuery, base.chain(sql.UpdateQuery))
            query.add_update_values(self.values())
            statement, params = query.get_compiler(using).as_sql()
            (marks,) = _marks(list(params), 1, self.model.__name__)
            if len(marks) != 1:
                raise RuntimeError(f"{self.model.__name__}: the key is {len(marks)} parameters")
            compiled = (statement, list(params), marks[0])
            self._compiled[using] = compiled
        return compiled

    def run(self, pk: int, *, using: str = "default") -> int:
        statement, params, mark = self.compile(using)
        bound = list(params)
        bound[mark] = pk
        with connections[using].cursor() as cursor:
            cursor.execute(statement, bound)
            return int(cursor.rowcount)


class CompiledSelect:
    """The rows of ``build(*keys)`` (a queryset of ``build``'s model), its SQL built once per
    database alias and number of keys; rows come back as model instances with the queryset's
    annotations as attributes (``Manager.raw``), so ``build`` may not use ``select_related``,
    ``only``/``defer`` or ``values``.

    ``build`` receives integer keys (primary or foreign keys) and must use each in the
    queryset; ``run(*keys, using=...)`` returns a list. Raises ``RuntimeError`` when compiling
    if a key does not appear among the parameters."""

    def __init__(self, model: type[models.Model], build: Callable[..., QuerySet[Any]]):
        self.model = model
        self.build = build
        self._compiled: dict[tuple[str, int], tuple[str, list[Any], list[list[int]]]] = {}

    def run(self, *keys: int, using: str = "default") -> list[Any]:
        compiled = self._compiled.get((using, len(keys)))
        if compiled is None:
            markers = [_MARKER - n for n in range(len(keys))]
            queryset = self.build(*markers)
            statement, params = queryset.query.get_compiler(using).as_sql()
            found = _marks(list(params), len(keys), self.model.__name__)
            compiled = (statement, list(params), found)
            self._compiled[(using, len(keys))] = compiled
        statement, params, marks = compiled
        bound = list(params)
        for key, indexes in zip(keys, marks, strict=True):
            for index in indexes:
                bound[index] = key
        return list(self.model._default_manager.db_manager(using).raw(statement, bound))
