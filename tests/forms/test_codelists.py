"""Code lists (ADR 0032): `rathaus import-codelist FILE`, coded FIM fields as choices, and
versions that wait for a missing code list."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rathaus.core.models import AuditEvent
from rathaus.forms import services
from rathaus.forms.engine import DefinitionError, FormSpec
from rathaus.forms.models import CodeList, FormDefinition, Submission
from rathaus.forms.xdatenfelder import convert
from tests.support import DATA, database_env, log_in, rathaus, render_step

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

MEDIUM = DATA / "codelists" / "Medium_1.0.xml"
MEDIUM_URN = "urn:xoev-de:xdomea:codeliste:medium"
ELECTRONIC = "Elektronisch: Das Schriftgutobjekt liegt ausschließlich in elektronischer Form vor."


def coded_schema(urn: str = MEDIUM_URN, version: str = "1.0") -> bytes:
    """The XDatenfelder 2 select fixture, its field referencing the given code list."""
    xml = (DATA / "xdatenfelder" / "v2" / "select.xml").read_text(encoding="utf-8")
    xml = xml.replace("urn:de:example_1", f"{urn}_{version}")
    xml = xml.replace(
        "<xdf:canonicalIdentification>urn:de:example</xdf:canonicalIdentification>\n"
        "                            <xdf:version>1</xdf:version>",
        f"<xdf:canonicalIdentification>{urn}</xdf:canonicalIdentification>\n"
        f"                            <xdf:version>{version}</xdf:version>",
    )
    assert urn in xml
    return xml.encode()


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def import_schema(tmp_path, xml: bytes) -> tuple[str, FormDefinition]:
    path = tmp_path / "schema.xml"
    path.write_bytes(xml)
    output = run("import_xdatenfelder", str(path), "--authority", "barleben", "--slug", "medium")
    return output, FormDefinition.objects.get(slug="medium")


@pytest.mark.django_db
def test_a_real_genericode_file_is_imported_by_urn_and_version():
    output = run("import_codelist", str(MEDIUM))
    code_list = CodeList.objects.get()
    assert (code_list.urn, code_list.version, code_list.name) == (MEDIUM_URN, "1.0", "Medium")
    assert code_list.codes[0] == ["001", ELECTRONIC]
    assert [code for code, _ in code_list.codes] == ["001", "002", "003"]
    assert f"{MEDIUM_URN} version 1.0 (Medium): 3 codes, new" in output
    assert "Imported 1 code list(s)" in output
    # Importing it again replaces it: still one list per URN and version.
    assert "3 codes, replaced" in run("import_codelist", str(MEDIUM))
    assert CodeList.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"<gc:CodeList", "not well-formed XML"),
        (b"<CodeList/>", "not a genericode <CodeList>"),
        (
            b'<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/">'
            b"<Identification><CanonicalUri>urn:x</CanonicalUri></Identification></gc:CodeList>",
            "needs a <CanonicalUri> and a <Version>",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_message(tmp_path, content, message):
    path = tmp_path / "liste.xml"
    path.write_bytes(content)
    with pytest.raises(CommandError) as refused:
        run("import_codelist", str(path))
    assert "liste.xml: not a usable genericode code list" in str(refused.value)
    assert message in str(refused.value)
    assert not CodeList.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_named():
    with pytest.raises(CommandError, match="no such file"):
        run("import_codelist", "/nowhere/liste.xml")


@pytest.mark.django_db
def test_a_coded_field_becomes_choices_and_refuses_other_values():
    run("import_codelist", str(MEDIUM))
    from rathaus.forms import codelists

    converted = convert(coded_schema(), codelists.lookup)
    assert converted.missing_code_lists == []
    prop = converted.schema["properties"]["f123_hinweis"]
    assert prop["enum"] == ["001", "002", "003"]
    assert prop["x-code-list"] == {"urn": MEDIUM_URN, "version": "1.0"}
    element = converted.layout["steps"][0]["elements"][0]
    assert element["widget"] == "radio"
    assert element["choices"][0] == {"value": "001", "label": ELECTRONIC}
    spec = FormSpec(converted.schema, converted.layout)
    assert spec.is_valid({"f123_hinweis": "002"})
    assert "f123_hinweis" in spec.errors({"f123_hinweis": "Elektronisch"})
    html = render_step(spec, 0, {})
    assert 'value="001"' in html
    assert "Elektronisch: Das Schriftgutobjekt" in html


@pytest.mark.django_db
def test_a_coded_field_stores_the_code_and_shows_the_label(barleben, tmp_path, client):
    run("import_codelist", str(MEDIUM))
    output, definition = import_schema(tmp_path, coded_schema())
    assert "code lists missing: 0" in output
    services.publish(definition.versions.get())
    body = {"data": {"f123_hinweis": "004"}}
    refused = client.post("/api/v1/forms/medium/submissions", json.dumps(body),
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 422
    body = {"data": {"f123_hinweis": "001"}}
    response = client.post("/api/v1/forms/medium/submissions", json.dumps(body),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert submission.data == {"f123_hinweis": "001"}
    from rathaus.forms.engine.layout import fields_of

    spec = FormSpec(submission.form_version.schema, submission.form_version.layout)
    [(_path, element)] = list(fields_of(spec.steps[0].elements, ""))
    from rathaus.forms.rendering import display_lines

    assert display_lines(element, "001", {}) == [ELECTRONIC]


@pytest.mark.django_db
def test_a_missing_code_list_is_reported_and_blocks_publishing(barleben, tmp_path):
    output, definition = import_schema(tmp_path, coded_schema())
    assert "code lists missing: 1" in output
    assert f"- {MEDIUM_URN} version 1.0" in output
    version = definition.versions.get()
    assert services.version_missing(version) == [(MEDIUM_URN, "1.0")]
    with pytest.raises(DefinitionError) as refused:
        services.publish(version)
    assert any(MEDIUM_URN in problem for problem in refused.value.problems)
    assert definition.published_version() is None


@pytest.mark.django_db
def test_accepting_free_text_makes_it_publishable_and_is_audited(barleben, tmp_path):
    _output, definition = import_schema(tmp_path, coded_schema())
    version = services.accept_free_text(definition.versions.get(), accept=True)
    published = services.publish(version)
    assert published.status == "published"
    assert published.schema["properties"]["f123_hinweis"]["type"] == "string"
    event = AuditEvent.objects.get(action="form.code_list_free_text")
    assert event.details == {"accepted": True, "missing": [[MEDIUM_URN, "1.0"]]}


@pytest.mark.django_db
def test_importing_the_code_list_later_completes_the_waiting_version(barleben, tmp_path):
    _output, definition = import_schema(tmp_path, coded_schema())
    output = run("import_codelist", str(MEDIUM))
    assert "form medium version 1: 1 code list(s) applied, 0 still missing" in output
    version = definition.versions.get()
    assert services.version_missing(version) == []
    assert version.schema["properties"]["f123_hinweis"]["enum"] == ["001", "002", "003"]
    assert services.publish(version).status == "published"


@pytest.mark.django_db
def test_another_version_of_the_list_does_not_count():
    run("import_codelist", str(MEDIUM))
    from rathaus.forms import codelists

    converted = convert(coded_schema(version="2.0"), codelists.lookup)
    assert converted.missing_code_lists == [(MEDIUM_URN, "2.0")]


@pytest.mark.django_db
def test_staff_see_the_missing_lists_and_accept_free_text(barleben, tmp_path, client):
    _output, definition = import_schema(tmp_path, coded_schema())
    staff = log_in(client, "ordnungsamt")
    base = f"/verwaltung/formulare/{definition.pk}/versionen/1/"
    page = staff.get(base).content.decode()
    assert "1 Codeliste fehlt" in page
    assert f"<code>{MEDIUM_URN}</code> Version 1.0" in page
    refused = staff.post(f"{base}veroeffentlichen/")
    assert refused.status_code == 400
    assert MEDIUM_URN in refused.content.decode()
    response = staff.post(f"{base}codelisten/", {"free_text": "yes"})
    assert response["Location"] == base
    assert "Freitext wird für diese Fragen angenommen" in staff.get(base).content.decode()
    event = AuditEvent.objects.get(action="form.code_list_free_text")
    assert event.actor.username == "ordnungsamt"
    assert staff.post(f"{base}veroeffentlichen/").status_code == 302
    assert definition.published_version().number == 1


@pytest.mark.django_db
def test_publish_at_import_is_refused_while_a_list_is_missing(barleben, tmp_path):
    path = tmp_path / "schema.xml"
    path.write_bytes(coded_schema())
    forms_before = FormDefinition.objects.count()
    with pytest.raises(CommandError) as refused:
        run("import_xdatenfelder", str(path), "--authority", "barleben", "--publish")
    assert f"code lists are not imported: {MEDIUM_URN} version 1.0" in str(refused.value)
    assert FormDefinition.objects.count() == forms_before  # nothing was stored


@pytest.mark.django_db(transaction=True)
def test_the_console_command_refuses_a_bad_file_in_one_line(barleben, tmp_path):
    env = database_env()
    path = tmp_path / "kaputt.xml"
    path.write_bytes(b"<gc:CodeList")
    broken = rathaus("import-codelist", str(path), env=env)
    assert broken.returncode != 0
    assert broken.stderr.strip().count("\n") == 0
    assert "kaputt.xml: not a usable genericode code list" in broken.stderr
    imported = rathaus("import-codelist", str(MEDIUM), env=env)
    assert imported.returncode == 0, imported.stderr
    assert "Imported 1 code list(s)" in imported.stdout


REAL_LISTS = [
    ("urn:xpersonenstand:schluesseltabelle:geschlecht", "3"),
    ("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat", "2023-02-24"),
    ("urn:de:fim:codeliste:anschrift-inland-oder-ausland", "2021-06-18"),
]


@pytest.mark.django_db
def test_staff_importing_a_real_schema_are_told_which_lists_to_fetch(barleben, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = log_in(client, "ordnungsamt")
    xml = (DATA / "xdatenfelder" / "v2" / "S00000246v1.1_xdf2.xml").read_bytes()
    response = staff.post(
        "/verwaltung/formulare/importieren/", {"file": SimpleUploadedFile("s246.xml", xml)}
    )
    assert response.status_code == 302, response.content.decode()
    report = staff.get(response["Location"]).content.decode()
    assert "7 Codelisten fehlen" in report
    for urn, version in REAL_LISTS:
        assert f"<code>{urn}</code> Version {version}" in report
    assert "Freitext für diese Fragen zulassen" in report
    version = FormDefinition.objects.get(slug="s00000246").versions.get()
    assert len(services.version_missing(version)) == 7
