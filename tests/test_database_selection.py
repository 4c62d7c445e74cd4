"""The PostgreSQL pass runs only the database-specific tests (ADR 0036): a test module that
uses what behaves differently from one database to the other must say so with the
``database`` mark, or the second pass would not run it."""

from __future__ import annotations

import ast
import re

from tests.support import ROOT

# What behaves differently on SQLite and PostgreSQL: transactions seen from other connections
# and row locks, integrity errors, the number of queries, the migrations, raw SQL.
DATABASE_SPECIFIC = re.compile(
    r"transaction=True|transactional_db|select_for_update|IntegrityError"
    r"|django_assert_max_num_queries|django_assert_num_queries|CaptureQueriesContext"
    r"|from django\.db import [^\n]*\bconnection\b|connection\.vendor|\.raw\(|\.cursor\("
    r"|MigrationExecutor|call_command\(\s*\"migrate\""
)


def marked(text: str) -> bool:
    """A module-level ``pytestmark`` that names ``pytest.mark.database`` (not a line inside a
    string, such as the script a concurrency test runs in another process)."""
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            return "pytest.mark.database" in ast.unparse(node.value)
    return False


CONTRACT = re.compile(r"^pytestmark = pytest\.mark\.contract$", re.M)


def modules_of(root=ROOT / "tests") -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
        for path in sorted(root.rglob("test_*.py"))
        # browser and contract tests drive HTTP, not SQL, and run once (ADR 0026); this
        # module names the patterns it looks for, and test_row_locks.py reads the source code
        # for them without a database
        if "browser" not in path.parts
        and path.name not in {"test_database_selection.py", "test_row_locks.py"}
    ]


def unmarked(modules: list[tuple[str, str]]) -> list[str]:
    return [
        f"{name}: uses {DATABASE_SPECIFIC.search(text).group(0)!r}"  # type: ignore[union-attr]
        for name, text in modules
        if DATABASE_SPECIFIC.search(text) and not marked(text) and not CONTRACT.search(text)
    ]


def test_every_module_that_uses_database_specific_behaviour_runs_on_postgresql():
    missing = unmarked(modules_of())
    assert not missing, "add `pytestmark = pytest.mark.database` to:\n" + "\n".join(missing)


def test_the_check_sees_a_module_without_the_mark():
    modules = [
        ("a.py", "@pytest.mark.django_db(transaction=True)\ndef test_x(): ..."),
        (
            "b.py",
            "pytestmark = [pytest.mark.django_db, pytest.mark.database]\nx.select_for_update()",
        ),
        ("c.py", "def test_y(django_assert_max_num_queries): ..."),
        ("d.py", "def test_z(): assert 1 + 1 == 2"),
        ("e.py", 'CLIENT = """\npytestmark = pytest.mark.database\n"""\nx.select_for_update()'),
    ]
    assert unmarked(modules) == [
        "a.py: uses 'transaction=True'",
        "c.py: uses 'django_assert_max_num_queries'",
        "e.py: uses 'select_for_update'",
    ]


def test_every_database_mark_is_a_module_mark():
    """The mark written as text must take effect: no ``pytestmark`` line stranded in a string."""
    stranded = [
        name
        for name, text in modules_of()
        if "pytestmark = pytest.mark.database" in text and not marked(text)
    ]
    assert not stranded, stranded


def test_the_postgresql_pass_selects_by_the_mark():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    postgres_lines = [line for line in makefile.splitlines() if "with_postgres.py" in line]
    assert postgres_lines
    marks = "database and not browser and not contract and not sqlite_pass"
    assert all(f"-m '{marks}'" in line for line in postgres_lines)
    # `make test` runs its PostgreSQL pass through scripts/test_passes.py, with the same marks;
    # its SQLite pass leaves out what needs PostgreSQL, like `make unit`
    assert "scripts/test_passes.py" in makefile
    assert "pytest -m 'not browser and not postgresql'" in makefile
    passes = (ROOT / "scripts" / "test_passes.py").read_text(encoding="utf-8")
    assert f'POSTGRES_MARKS = "{marks}"' in passes
    assert 'SQLITE_MARKS = "not browser and not postgresql"' in passes
