"""The repository works for someone who clones it alone: nothing is read from beside it."""

from __future__ import annotations

import contextlib
import os
import re

from tests.support import DATA, ROOT, OutsideReads


def test_a_read_beside_the_checkout_is_caught(outside_reads, monkeypatch) -> None:
    # The installed audit hook, watching a checkout outside the temporary directory: where the
    # real checkout lies in it (a clone in /tmp), everything beside it is temporary and allowed.
    root = os.path.join(os.sep, "srv", "towns", "rathaus")
    monkeypatch.setattr(outside_reads, "root", root)
    monkeypatch.setattr(outside_reads, "parent", os.path.dirname(root))
    monkeypatch.setattr(outside_reads, "temp", os.path.join(os.sep, "var", "tmp", "none"))
    beside = os.path.join(os.path.dirname(root), "beside-the-checkout", "README.md")
    # The open is seen before it fails: whether the file exists does not matter.
    with contextlib.suppress(OSError), open(beside, "rb"):
        pass
    with contextlib.suppress(OSError):
        os.listdir(os.path.dirname(root))
    with contextlib.suppress(OSError), open(os.path.join(root, "README.md"), "rb"):
        pass
    found = outside_reads.take()
    assert beside in found
    assert os.path.dirname(root) in found
    assert os.path.join(root, "README.md") not in found


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
