"""What a restore takes from a backup (only what the manifest lists, never a symbolic link) and
the modes of the files a backup is written with."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rathaus.core.files.store import store_bytes
from tests.support import fresh_instance, rathaus

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def database_file(directory: Path) -> str:
    return json.loads((directory / "manifest.json").read_text("utf-8"))["database"]["file"]


@pytest.fixture
def backup_with_a_file(settings, tmp_path) -> tuple[Path, str]:
    """A backup holding one stored file; its key in the file store."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATHAUS_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    (tmp_path / "audit-checkpoints.jsonl").write_text("", encoding="utf-8")
    stored = store_bytes(b"%PDF-1.4 Bescheid", name="bescheid.pdf", media_type="application/pdf")
    directory = tmp_path / "backup"
    call_command("backup", str(directory))
    return directory, stored.key


@pytest.mark.django_db(transaction=True)
def test_every_file_of_a_backup_is_readable_only_by_the_service_account(backup_with_a_file):
    directory, key = backup_with_a_file
    modes = {
        path.relative_to(directory).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in [directory, *directory.rglob("*")]
    }
    assert {"manifest.json", "config.json", database_file(directory), f"files/{key}"} <= set(modes)
    assert "audit-checkpoints.jsonl" in modes
    for name, mode in modes.items():
        wanted = 0o700 if (directory / name).is_dir() else 0o600
        assert mode == wanted, f"{name}: {oct(mode)}"


@pytest.mark.django_db(transaction=True)
def test_a_restore_copies_only_the_stored_files_the_manifest_lists(backup_with_a_file, tmp_path):
    directory, key = backup_with_a_file
    stray = directory / "files" / "blobs" / "ee" / "ff" / ("eeff" + "0" * 60)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"not in the manifest")
    home = tmp_path / "fresh"
    with fresh_instance(home) as env:
        restored = rathaus("restore", str(directory), env=env, timeout=120)
    assert restored.returncode == 0, restored.stderr
    blobs = home / "media" / "blobs"
    assert [path.relative_to(home / "media").as_posix() for path in blobs.rglob("*")
            if path.is_file()] == [key]  # fmt: skip
    assert (home / "media" / key).read_bytes() == b"%PDF-1.4 Bescheid"


def link_the_database_copy(directory: Path) -> str:
    """The database copy replaced by a link to an identical file outside the backup."""
    name = database_file(directory)
    outside = directory.parent / "elsewhere"
    shutil.move(directory / name, outside)
    (directory / name).symlink_to(outside)
    return f"{name} is a symbolic link"


def link_a_file_outside(directory: Path) -> str:
    """A link the manifest does not list, next to the stored files, to a file outside."""
    secret = directory.parent / "secret.txt"
    secret.write_text("not for the file store", encoding="utf-8")
    (directory / "files" / "blobs" / "secret").symlink_to(secret)
    return "files/blobs/secret is a symbolic link"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("link", [link_the_database_copy, link_a_file_outside])
def test_a_backup_with_a_symbolic_link_is_refused_and_nothing_is_restored(
    backup_with_a_file, tmp_path, link
):
    directory, _key = backup_with_a_file
    message = link(directory)
    with pytest.raises(CommandError, match=message):
        call_command("backup", "--verify", str(directory))
    home = tmp_path / "fresh"
    with fresh_instance(home) as env:
        refused = rathaus("restore", str(directory), env=env, timeout=120)
    assert refused.returncode != 0
    assert message in refused.stderr
    assert not (home / "rathaus.sqlite3").exists()
    assert not (home / "media").exists()
