"""Architecture rules of the eligibility app (docs/architecture.md, "Dependency direction")."""

import ast
from pathlib import Path

import pytest

ELIGIBILITY = Path(__file__).resolve().parents[2] / "eligibility"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", sorted(ELIGIBILITY.rglob("*.py")), ids=lambda p: str(p.relative_to(ELIGIBILITY))
)
def test_eligibility_never_imports_cases(path):
    assert not {n for n in _imports(path) if n == "cases" or n.startswith("cases.")}


@pytest.mark.parametrize(
    "path",
    sorted((ELIGIBILITY / "engine").rglob("*.py")),
    ids=lambda p: str(p.relative_to(ELIGIBILITY)),
)
def test_engine_is_pure(path):
    allowed = {"__future__", "datetime", "enum", "collections.abc", "dataclasses", "typing"}
    own = {n for n in _imports(path) if n.startswith("eligibility.engine.")}
    assert _imports(path) - own <= allowed


def test_engine_package_has_all_its_modules():
    # The purity check above must not pass vacuously (e.g. if the package moved).
    assert len(list((ELIGIBILITY / "engine").glob("*.py"))) >= 2
