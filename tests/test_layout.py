"""The house plan of docs/architecture.md, checked: module sizes, the one writer of the case
timeline, the one recorder of document reads, and no pointers to files outside the repository."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 400


def _python_files(*folders: str) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        files += [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def _creations(path: Path, model: str) -> list[int]:
    """Lines of ``path`` that create ``model`` rows: ``Model(...)``, ``Model.objects.create``,
    ``bulk_create``, ``get_or_create`` or ``update_or_create``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == model:
            hits.append(node.lineno)
        elif isinstance(func, ast.Attribute) and func.attr in {
            "create",
            "bulk_create",
            "get_or_create",
            "update_or_create",
        }:
            target = func.value
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "objects"
                and isinstance(target.value, ast.Name)
                and target.value.id == model
            ):
                hits.append(node.lineno)
    return hits


@pytest.mark.parametrize(
    ("model", "allowed"),
    [
        ("CaseEvent", "cases/services/events.py"),
        ("DocumentAccess", "cases/services/access.py"),
    ],
)
def test_only_one_service_module_creates_timeline_and_access_rows(model, allowed):
    offenders = []
    for path in _python_files("cases", "portal", "eligibility"):
        rel = path.relative_to(ROOT).as_posix()
        if rel == allowed:
            continue
        offenders += [f"{rel}:{line}" for line in _creations(path, model)]
    assert offenders == [], f"{model} rows must be created only in {allowed}: {offenders}"


def test_the_scan_finds_a_creation_outside_the_services(tmp_path):
    # The check above would pass vacuously if the scan missed the usual spellings.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "CaseEvent.objects.create(case=c)\n"
        "CaseEvent.objects.bulk_create([CaseEvent(case=c)])\n"
        "DocumentAccess.objects.get_or_create(document=d)\n"
    )
    assert _creations(sample, "CaseEvent") == [1, 2, 2]
    assert _creations(sample, "DocumentAccess") == [3]


def test_no_module_in_cases_is_over_400_lines():
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in _python_files("cases")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these modules by sub-domain: {long}"


def test_reminders_package_holds_pure_helpers_only():
    allowed = {"__init__.py", "schedule.py", "emails.py", "ics.py"}
    present = {p.name for p in (ROOT / "cases" / "reminders").glob("*.py")}
    assert present <= allowed


def test_code_and_docs_never_point_outside_the_repository():
    outside = ("DESIGN.md", "CONVENTIONS.md", "STACK.md", "../shared", "shared/hooks")
    files = [
        *_python_files("cases", "portal", "eligibility", "bench"),
        ROOT / "README.md",
        *sorted((ROOT / "docs").rglob("*.md")),
        ROOT / "requirements.txt",
        ROOT / "requirements-dev.txt",
        ROOT / "Makefile",
    ]
    hits = [
        f"{p.relative_to(ROOT)}: {word}"
        for p in files
        if p.exists()
        for word in outside
        if word in p.read_text(encoding="utf-8")
    ]
    assert hits == []


def test_architecture_notes_name_the_files_of_the_three_questions():
    notes = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for question, path in [
        ("Who may download a document", "cases/permissions.py"),
        ("When is a requirement overdue", "cases/models/overdue.py"),
        ("What moves a case to ready", "cases/services/transitions.py"),
    ]:
        assert question in notes
        assert path in notes
        assert (ROOT / path).is_file()
