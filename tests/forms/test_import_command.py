"""`rathaus import-xdatenfelder FILE`: an XDatenfelder file becomes an online form."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from rathaus.forms.engine import FormSpec
from rathaus.forms.models import FormDefinition, FormVersion
from rathaus.forms.xdatenfelder import NS_V2, convert
from tests.support import DATA, database_env, rathaus

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

XDF = DATA / "xdatenfelder"
REAL = XDF / "v2" / "S00000246v1.1_xdf2.xml"
BARLEBEN_AGS = "15083040"


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_xdatenfelder", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def fim_ids(schema: Any) -> set[str]:
    """Every x-fim-id anywhere in a JSON Schema."""
    found: set[str] = set()
    if isinstance(schema, dict):
        if isinstance(schema.get("x-fim-id"), str):
            found.add(schema["x-fim-id"])
        for value in schema.values():
            found |= fim_ids(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= fim_ids(value)
    return found


def input_field_ids(path: Path) -> set[str]:
    """The ids of the Datenfelder of an XDatenfelder 2 file that ask for a value."""
    ns = {"xdf": NS_V2}
    root = SafeET.parse(path).getroot()
    ids = set()
    for element in root.iter(f"{{{NS_V2}}}datenfeld"):
        identifier = element.findtext("xdf:identifikation/xdf:id", namespaces=ns)
        kind = element.findtext("xdf:feldart/code", namespaces=ns) or ""
        if identifier and kind.strip() != "label":
            ids.add(identifier.strip())
    return ids


def test_imports_the_real_schema_completely(barleben):
    output = run(str(REAL), "--authority", BARLEBEN_AGS)
    converted = convert(REAL.read_bytes())
    definition = FormDefinition.objects.get(authority=barleben, slug="s00000246")
    version = definition.versions.get()
    assert version.number == 1
    assert version.status == FormVersion.Status.DRAFT
    assert version.source == "FIM S00000246 v1.1"
    assert definition.title == converted.title
    assert version.schema == converted.schema
    assert version.layout == converted.layout
    expected = input_field_ids(REAL)
    assert len(expected) > 50
    assert expected <= fim_ids(version.schema)
    notes = version.layout["notes"]
    assert notes
    assert f"form:      {converted.title}" in output
    assert "slug:      s00000246" in output
    assert "version:   1 (in preparation), FIM S00000246 v1.1" in output
    spec = FormSpec(version.schema, version.layout)
    assert f"content:   {len(spec.steps)} steps, {len(spec.field_templates)} questions" in output
    assert f"warnings:  {len(converted.warnings)}" in output
    assert f"rules translated: 32, not translated: {len(notes)} (kept as notes for staff)" in output
    assert "address:   /antrag/s00000246/ (on barleben.localhost)" in output
    assert "New form:" in output


def test_second_import_becomes_version_2(barleben):
    simple = str(XDF / "v3" / "simple.xml")
    run(simple)  # the default authority, Barleben
    output = run(simple, "--authority", "barleben")
    definition = FormDefinition.objects.get(authority=barleben, slug="g60000000088")
    assert [v.number for v in definition.versions.order_by("number")] == [1, 2]
    assert "New version:" in output
    assert "version 2, in preparation" in output


def test_publish_and_own_slug(barleben):
    output = run(str(XDF / "v3" / "simple.xml"), "--slug", "anschrift", "--publish")
    definition = FormDefinition.objects.get(authority=barleben, slug="anschrift")
    assert definition.published_version().number == 1
    assert "published, at /antrag/anschrift/" in output
    page = Client(HTTP_HOST="barleben.localhost").get("/antrag/anschrift/")
    assert page.status_code == 200
    assert "Anschrift in Deutschland" in page.content.decode()


def test_imports_for_another_authority_by_slug(barleben):
    run(str(XDF / "v3" / "simple.xml"), "--authority", "landkreis-boerde")
    assert FormDefinition.objects.get(slug="g60000000088").authority.slug == "landkreis-boerde"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("v3/unexpected-node.xml", ["unexpected-node.xml", "unexpected element <unknown>"]),
        ("v2/unknown-namespace.xml", ["unknown-namespace.xml", "unknown namespace"]),
        ("v3/missing-id-node.xml", ["missing <id>"]),
    ],
)
def test_invalid_files_are_refused_with_the_problem(barleben, name, words):
    with pytest.raises(CommandError) as raised:
        run(str(XDF / name))
    message = str(raised.value)
    assert "\n" not in message
    for word in words:
        assert word in message
    assert not FormDefinition.objects.exclude(
        slug__in=["anliegen", "meldebescheinigung", "urkunde-bestellen", "versammlungsanzeige"]
    ).exists()


def test_unknown_authority_and_missing_file_are_refused(barleben, tmp_path):
    with pytest.raises(CommandError, match="unknown authority 'nirgendwo'"):
        run(str(XDF / "v3" / "simple.xml"), "--authority", "nirgendwo")
    with pytest.raises(CommandError, match="unknown authority '99999999'"):
        run(str(XDF / "v3" / "simple.xml"), "--authority", "99999999")
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "fehlt.xml"))
    with pytest.raises(CommandError, match="--slug"):
        run(str(XDF / "v3" / "simple.xml"), "--slug", "Nicht Gültig")


@pytest.mark.django_db(transaction=True)
def test_the_console_command_exits_non_zero_with_one_line(barleben):
    env = database_env()
    broken = rathaus("import-xdatenfelder", str(XDF / "v3" / "unexpected-node.xml"), env=env)
    assert broken.returncode != 0
    assert broken.stderr.strip().count("\n") == 0
    assert "unexpected element <unknown>" in broken.stderr
    unknown = rathaus(
        "import-xdatenfelder", str(XDF / "v3" / "simple.xml"), "--authority", "x", env=env
    )
    assert unknown.returncode != 0
    assert "unknown authority 'x'" in unknown.stderr
    done = rathaus(
        "import-xdatenfelder",
        str(XDF / "v3" / "simple.xml"),
        "--authority",
        BARLEBEN_AGS,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "/antrag/g60000000088/" in done.stdout
    assert FormDefinition.objects.filter(authority=barleben, slug="g60000000088").exists()
