"""Every user-visible string has its German translation."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from tests.support import ROOT

PACKAGE = ROOT / "src" / "rathaus"
PO = PACKAGE / "locale" / "de" / "LC_MESSAGES" / "django.po"


def msgids(po_text: str) -> set[str]:
    """The msgids of a .po file, with continuation lines joined."""
    ids: set[str] = set()
    current: list[str] | None = None
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            current = [line[len("msgid ") :]]
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            if current is not None:
                ids.add("".join(part.strip()[1:-1] for part in current))
            current = None
    return ids - {""}


def test_german_catalogue_is_complete():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "translated message" in result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    """makemessages on a copy of the code finds no string the catalogue lacks."""
    copy = tmp_path / "rathaus"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    (copy / "locale" / "de" / "LC_MESSAGES" / "django.po").unlink()
    django_admin = [sys.executable, "-m", "django"]
    subprocess.run(
        [*django_admin, "makemessages", "-l", "de", "-v", "0"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    found = msgids((copy / "locale" / "de" / "LC_MESSAGES" / "django.po").read_text("utf-8"))
    committed = msgids(PO.read_text(encoding="utf-8"))
    missing = found - committed
    assert not missing, f"run makemessages and translate: {sorted(missing)}"
    assert re.search(r'msgid "Staff login"\nmsgstr "Anmeldung', PO.read_text("utf-8"))
