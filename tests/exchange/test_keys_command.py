"""``rathaus exchange-keys`` and ``rathaus exchange-own``: keys in a file, destinations, senders."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rathaus.core.models import Authority, OrgUnit
from rathaus.exchange import crypto, receiving
from rathaus.exchange.models import OwnDestination, Sender


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_exchange_keys_writes_a_private_file_and_prints_the_public_keys(
    tmp_path: Path, settings: Any
) -> None:
    path = tmp_path / "keys.json"

    printed = json.loads(run("exchange_keys", "--out", str(path), "--size", "2048"))

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {key["use"] for key in printed["keys"]} == {"enc", "sig"}
    assert all("d" not in key for key in printed["keys"])
    settings.RATHAUS_EXCHANGE_KEY_FILE = str(path)
    assert crypto.public_keys() == printed
    token = crypto.encrypt(b"geheim", crypto.encryption_key())
    assert crypto.decrypt(token) == b"geheim"


def test_exchange_keys_refuses_to_replace_a_key_file_without_force(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text("alt")

    with pytest.raises(CommandError, match="--force"):
        run("exchange_keys", "--out", str(path), "--size", "2048")
    assert path.read_text() == "alt"

    run("exchange_keys", "--out", str(path), "--size", "2048", "--force")
    assert "keys" in json.loads(path.read_text())


def test_exchange_keys_needs_a_place_and_a_sensible_size(tmp_path: Path, settings: Any) -> None:
    settings.RATHAUS_EXCHANGE_KEY_FILE = ""
    with pytest.raises(CommandError, match="--out"):
        run("exchange_keys")
    with pytest.raises(CommandError, match="--size"):
        run("exchange_keys", "--out", str(tmp_path / "k.json"), "--size", "1024")
    with pytest.raises(CommandError, match="does not exist"):
        run("exchange_keys", "--out", str(tmp_path / "fehlt" / "k.json"), "--size", "2048")


@pytest.mark.django_db
def test_exchange_own_adds_a_destination_and_prints_its_id() -> None:
    authority = Authority.objects.create(slug="lk", name="Landkreis", ags="15083000")
    unit = OrgUnit.objects.create(authority=authority, slug="versammlung", name="Versammlung")

    printed = run(
        "exchange_own", "add", "--authority", "lk", "--unit", "versammlung",
        "--leika", "99089016000000", "--ars", "15083", "1509",
    ).strip()  # fmt: skip

    destination = OwnDestination.objects.get(destination_id=printed)
    assert (destination.authority, destination.org_unit, destination.name) == (
        authority, unit, "Versammlung",
    )  # fmt: skip
    assert (destination.leika_keys, destination.areas) == (["99089016000000"], ["15083", "1509"])
    assert printed in run("exchange_own", "list")


@pytest.mark.django_db
def test_exchange_own_names_the_choices_for_an_unknown_authority_or_unit() -> None:
    authority = Authority.objects.create(slug="lk", name="Landkreis", ags="15083000")
    OrgUnit.objects.create(authority=authority, slug="versammlung", name="Versammlung")

    with pytest.raises(CommandError, match=r"choose one of: .*lk"):
        run("exchange_own", "add", "--authority", "gibtsnicht", "--leika", "99089016000000",
            "--ars", "15083")  # fmt: skip
    with pytest.raises(CommandError, match="choose one of: versammlung"):
        run("exchange_own", "add", "--authority", "lk", "--unit", "bau", "--leika",
            "99089016000000", "--ars", "15083")  # fmt: skip
    with pytest.raises(CommandError, match="14 digits"):
        run("exchange_own", "add", "--authority", "lk", "--leika", "123", "--ars", "15083")
    assert not OwnDestination.objects.exists()


@pytest.mark.django_db
def test_exchange_own_sender_prints_a_token_that_only_its_hash_is_kept_of() -> None:
    token = run("exchange_own", "sender", "--name", "Gemeinde Barleben").strip()

    sender = Sender.objects.get()
    assert sender.name == "Gemeinde Barleben"
    assert sender.token_sha256 == receiving.token_hash(token) != token
    assert receiving.sender_for(token) == sender


@pytest.mark.django_db
def test_a_sender_token_never_starts_with_a_dash(monkeypatch) -> None:
    """The operator passes it as ``--token TOKEN``; a leading "-" would read as an option."""
    drawn = iter(["-starts-with-a-dash", "-again", "fine-token"])
    monkeypatch.setattr(receiving.secrets, "token_urlsafe", lambda size: next(drawn))

    _sender, token = receiving.create_sender("Gemeinde Barleben")

    assert token == "fine-token"
