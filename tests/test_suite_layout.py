"""Test modules share code through tests/support.py and tests/factories.py, never each other."""

from __future__ import annotations

import ast

from tests.support import ROOT

# tests.exchange.installations: the two-installation harness, shared by the exchange tests'
# fixtures and bench/exchange.py (ADR 0055).
SHARED_MODULES = {
    "tests.support",
    "tests.factories",
    "tests.tasks_for_tests",
    "tests.exchange.installations",
}


def shared(name: str) -> bool:
    """The shared modules, and the factories package's own modules (one per app)."""
    return name in SHARED_MODULES or name.startswith("tests.factories.")


def imported_modules(source: str, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
    return found


def test_no_test_module_imports_another():
    offenders = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        package = ".".join(path.relative_to(ROOT).parts[:-1])
        wrong = {
            name
            for name in imported_modules(path.read_text(encoding="utf-8"), package)
            if (name == "tests" or name.startswith("tests.")) and not shared(name)
        }
        if wrong:
            offenders[str(path.relative_to(ROOT))] = sorted(wrong)
    assert offenders == {}


def test_the_check_sees_relative_and_absolute_imports():
    source = "from .conftest import x\nfrom ..support import y\nimport tests.cases.test_api\n"
    assert imported_modules(source, "tests.appointments") == {
        "tests.appointments.conftest",
        "tests.support",
        "tests.cases.test_api",
    }
