"""Row locks lock the row they are for.

``select_for_update()`` with ``select_related()`` makes PostgreSQL lock every joined row too:
an authority, a unit or a payment request would then be locked by every task that locks one of
its e-files, cases or refunds, and those tasks wait for each other or deadlock with requests that
write the authority's audit chain (the load run found one). A lock that reads related rows along
names its own table with ``of=("self",)``.
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src" / "rathaus"


def _chain(node: ast.expr) -> list[ast.Call]:
    """The method calls of ``a.b(...).c(...).d(...)`` from the outermost inwards."""
    calls: list[ast.Call] = []
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            calls.append(node)
            node = node.func
        else:
            node = node.value
    return calls


def _name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def joined_locks(tree: ast.AST) -> list[int]:
    """Line numbers of select_for_update() without ``of`` in a chain that also joins."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        chain = _chain(node)
        names = [_name(call) for call in chain]
        if "select_related" not in names:
            continue
        for call in chain:
            if _name(call) == "select_for_update" and not any(
                keyword.arg == "of" for keyword in call.keywords
            ):
                found.add(call.lineno)
    return sorted(found)


def test_the_check_finds_a_lock_that_joins():
    tree = ast.parse(
        "a = Case.objects.select_for_update().select_related('unit').get(pk=1)\n"
        "b = Case.objects.select_related('unit').select_for_update().filter(pk=1)\n"
        "c = Case.objects.select_for_update(of=('self',)).select_related('unit').get(pk=1)\n"
        "d = Case.objects.select_for_update().get(pk=1)\n"
    )
    assert joined_locks(tree) == [1, 2]


def test_no_lock_in_the_code_locks_the_rows_it_joins():
    offenders = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line in joined_locks(ast.parse(path.read_text(), str(path)))
    ]
    assert offenders == []
