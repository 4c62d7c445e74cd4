"""The repository works for someone who clones it alone: nothing is read from beside it."""

from __future__ import annotations

import contextlib
import os
import re

from tests.support import DATA, ROOT, OutsideReads


def test_a_read_beside_the_checkout_is_caught(outside_reads) -> None:
    beside = ROOT.parent / "beside-the-checkout" / "README.md"
    # The open is seen before it fails: whether the file exists does not matter.
    with contextlib.suppress(OSError), open(beside, "rb"):
        pass
    with contextlib.suppress(OSError):
        os.listdir(ROOT.parent)
    found = outside_reads.take()
    assert str(beside) in found
    assert str(ROOT.parent) in found


def test_reads_inside_the_checkout_and_in_the_temporary_directory_are_allowed(
    outside_reads, tmp_path
) -> None:
    (DATA / "README.md").read_bytes()
    (tmp_path / "x.txt").write_text("x")
    os.listdir(ROOT / "src")
    assert outside_reads.take() == []


def test_every_data_folder_is_named_in_the_data_readme() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    folders = {path.relative_to(DATA).parts[0] for path in DATA.rglob("*") if path.is_file()}
    folders.discard("README.md")
    assert folders
    for folder in sorted(folders):
        assert re.search(rf"`{re.escape(folder)}/", readme), f"{folder} is not in the README"


def test_a_checkout_inside_the_temporary_directory_is_watched_too(tmp_path) -> None:
    watcher = OutsideReads(tmp_path / "clone" / "rathaus")
    assert watcher.outside(str(tmp_path / "clone" / "beside" / "README.md"))
    assert not watcher.outside(str(tmp_path / "clone" / "rathaus" / "README.md"))
    assert not watcher.outside("/usr/lib/python3/dist-packages/x.py")
