"""No module in src/ grows past 600 lines unless its docstring says why."""

from __future__ import annotations

import ast

from tests.support import ROOT

LIMIT = 600


def test_long_modules_give_a_reason_in_their_docstring():
    unexplained = []
    for path in sorted((ROOT / "src" / "rathaus").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= LIMIT:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if f"than {LIMIT} lines" not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
    assert unexplained == []
