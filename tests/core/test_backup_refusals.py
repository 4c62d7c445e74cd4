"""What `rathaus backup` and `rathaus restore` refuse, the stored files in an object store, the
configuration without secrets, and the scheduled backup with retention."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings

from rathaus.core import audit, housekeeping
from rathaus.core.backup import schedule
from tests.support import rathaus


def fresh_env(home: Path, **extra: str) -> dict[str, str]:
    """A new instance on SQLite in its own data directory."""
    env = dict(os.environ)
    env.pop("RATHAUS_DATABASE_URL", None)
    env.update(RATHAUS_DATA_DIR=str(home), **extra)
    env["RATHAUS_AUDIT_CHECKPOINT_FILE"] = str(home / "audit-checkpoints.jsonl")
    return env


def untouched(home: Path) -> bool:
    """Nothing of a restore arrived in the instance: no database, no stored files."""
    return not (home / "rathaus.sqlite3").exists() and not (home / "media").exists()


@pytest.fixture(scope="module")
def made_backup(tmp_path_factory, django_db_setup, django_db_blocker) -> Path:
    """One backup of what the test database holds committed (schema, postal codes)."""
    home = tmp_path_factory.mktemp("made")
    directory = home / "backup"
    with (
        django_db_blocker.unblock(),
        override_settings(RATHAUS_AUDIT_CHECKPOINT_FILE=home / "audit-checkpoints.jsonl"),
    ):
        audit.write_checkpoint()
        call_command("backup", str(directory))
    return directory


def test_a_backup_goes_only_into_an_empty_directory(tmp_path):
    directory = tmp_path / "backup"
    directory.mkdir()
    (directory / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(directory))
    assert [path.name for path in directory.iterdir()] == ["notes.txt"]


def flip_a_byte(path: Path) -> None:
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: flip_a_byte(d / "database.sqlite3"), "database.sqlite3: checksum failed, SHA-256"),
        (lambda d: (d / "config.json").write_text("{}"), "config.json: 2 bytes, the manifest says"),
        (lambda d: (d / "audit-checkpoints.jsonl").unlink(),
         "audit-checkpoints.jsonl is missing from the backup (partial backup)"),
        (lambda d: (d / "manifest.json").unlink(), "manifest.json is missing"),
    ],
    ids=["flipped-byte", "truncated", "file-missing", "no-manifest"],
)  # fmt: skip
def test_a_damaged_or_partial_backup_is_refused_and_nothing_is_restored(
    made_backup, tmp_path, damage, message
):
    directory = tmp_path / "backup"
    shutil.copytree(made_backup, directory)
    if not (directory / "audit-checkpoints.jsonl").exists():
        pytest.fail("the backup should hold the audit checkpoint file")
    damage(directory)
    home = tmp_path / "fresh"
    refused = rathaus("restore", str(directory), env=fresh_env(home), timeout=120)
    assert refused.returncode != 0
    assert message in refused.stderr
    assert untouched(home)
    verify = rathaus("backup", "--verify", str(directory), env=fresh_env(home), timeout=120)
    assert verify.returncode != 0
    assert message in verify.stderr


def test_a_missing_stored_file_names_its_checksum(made_backup, tmp_path):
    directory = tmp_path / "backup"
    shutil.copytree(made_backup, directory)
    # A stored file that the manifest lists but that is gone from the backup.
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    key = "files/blobs/ab/cd/abcd" + "0" * 60
    manifest["files"][key] = {"size": 8, "sha256": "abcd" + "0" * 60}
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(CommandError, match=f"{key} is missing from the backup"):
        call_command("backup", "--verify", str(directory))


@pytest.mark.django_db
def test_the_configuration_is_kept_without_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("RATHAUS_PAYMENT_SANDBOX_API_KEY", "geheimer-schluessel-4711")
    monkeypatch.setenv("RATHAUS_BACKUP_KEEP", "3")
    directory = tmp_path / "backup"
    call_command("backup", str(directory))
    assert directory.stat().st_mode & 0o777 == 0o700  # personal data: the service account only
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))["variables"]
    assert config["RATHAUS_BACKUP_KEEP"] == "3"
    assert config["RATHAUS_PAYMENT_SANDBOX_API_KEY"] == "(set; a secret, not in the backup)"
    for path in directory.rglob("*"):
        if path.is_file():
            assert b"geheimer-schluessel-4711" not in path.read_bytes(), path


@pytest.mark.django_db
def test_the_worker_makes_scheduled_backups_and_keeps_the_newest(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(housekeeping, "_jobs", {})
    settings.RATHAUS_BACKUP_DIR = ""
    schedule.register()
    assert housekeeping.registered() == []  # off without a directory

    root = tmp_path / "backups"
    settings.RATHAUS_BACKUP_DIR = str(root)
    settings.RATHAUS_BACKUP_INTERVAL_HOURS = 6
    settings.RATHAUS_BACKUP_KEEP = 2
    schedule.register()
    root.mkdir()
    unfinished = root / "rathaus-20261207T000000Z"  # a backup whose worker died
    unfinished.mkdir()
    (unfinished / "database.sqlite3").write_bytes(b"half")
    (root / "notes").mkdir()  # not ours: never removed

    made = []
    for hour in (1, 7, 13):
        with time_machine.travel(f"2026-12-07 {hour:02d}:00:00+00:00", tick=False):
            made.append(housekeeping.run_due())
        with time_machine.travel(f"2026-12-07 {hour + 1:02d}:00:00+00:00", tick=False):
            made.append(housekeeping.run_due())  # not due yet: one backup per interval
    assert made == [["core.backup"], [], ["core.backup"], [], ["core.backup"], []]
    assert sorted(path.name for path in root.iterdir()) == [
        "notes", "rathaus-20261207T070000Z", "rathaus-20261207T130000Z",
    ]  # fmt: skip
    for name in ("rathaus-20261207T070000Z", "rathaus-20261207T130000Z"):
        call_command("backup", "--verify", str(root / name))
