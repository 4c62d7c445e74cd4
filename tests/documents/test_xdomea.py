"""xdomea 3.0.0: the offer list (0501) and the hand-over (0503) of files, their import and the
hand-over step, checked against the official schemas shipped with rathaus."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree

from rathaus.core import files
from rathaus.core.models import StoredFile
from rathaus.documents import handover, services
from rathaus.documents import xdomea_schema as xs
from rathaus.documents.models import Document, File, FileEvent, Subject, Version
from rathaus.documents.xdomea_export import build_message, record_export, write_zip
from rathaus.documents.xdomea_import import ImportRejected, import_zip
from tests.factories import AuthorityFactory, OrgUnitFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

NS = {"x": xs.NS}
P1 = "6a1f0c3e-2b4d-4e8f-9a7b-1c2d3e4f5a6b"


def content(data: bytes, name: str, media_type: str = "text/plain") -> services.NewContent:
    return services.NewContent(files.store_bytes(data, name=name, media_type=media_type))


def make_file(unit=None, *, disposal=Subject.Disposal.ARCHIVE, closed_years_ago=None) -> File:
    """A file with two documents, the first with two versions (the second marked final)."""
    unit = unit or OrgUnitFactory(authority=AuthorityFactory(slug="barleben", name="Barleben"))
    subject = Subject.objects.filter(authority=unit.authority, code="32.10").first()
    subject = subject or SubjectFactory(
        authority=unit.authority,
        code="32.10",
        title="Gewerbe",
        retention_years=5,
        disposal=disposal,
    )
    clerk = UserFactory()
    file = services.create_file(unit=unit, title="Gewerbe Müller", subject=subject, user=clerk)
    letter = services.add_document(
        file,
        content(b"Entwurf", "antrag.txt"),
        title="Antrag",
        kind=Document.Kind.APPLICATION,
        direction=Document.Direction.INCOMING,
        user=clerk,
        received_on=dt.date(2026, 3, 2),
        sender="Firma Müller GmbH",
    )
    second = services.add_version(
        letter,
        content(b"%PDF-1.7 Antrag", "antrag.pdf", "application/pdf"),
        user=clerk,
        reason="unterschrieben",
    )
    services.mark_final(second, clerk)
    services.add_document(
        file,
        content(b"Vermerk", "vermerk (1).txt"),
        title="Vermerk",
        kind=Document.Kind.NOTE,
        direction=Document.Direction.INTERNAL,
        user=clerk,
    )
    if closed_years_ago is not None:
        services.close(
            file, clerk, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=365 * closed_years_ago)
        )
    return File.objects.get(pk=file.pk)


def export(kind: str, *chosen: File, **options) -> tuple[bytes, object]:
    buffer = io.BytesIO()
    message = write_zip(kind, list(chosen), buffer, authority=chosen[0].authority, **options)
    return buffer.getvalue(), message


def message_of(data: bytes) -> tuple[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".xml"))
        return name, etree.fromstring(archive.read(name))


def fingerprint(file: File) -> list:
    return [
        (
            d.title,
            d.kind,
            d.direction,
            d.received_on,
            d.sender,
            [
                (v.number, v.filename, v.media_type, v.size, v.sha256, v.reason, v.final)
                for v in d.versions.order_by("number")
            ],
        )
        for d in file.documents.order_by("created_at", "pk")
    ]


def rezip(data: bytes, change) -> bytes:
    """The ZIP with its members passed through ``change(name, content) -> [(name, content)]``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            for new_name, new_content in change(name, source.read(name)):
                target.writestr(new_name, new_content)
    return out.getvalue()


def test_the_shipped_schemas_compile_from_the_checkout():
    assert xs.SCHEMA_PATH.is_file()
    assert xs.schema() is not None


@pytest.mark.django_db
def test_an_offer_list_0501_names_the_files_with_their_archival_metadata_and_is_valid():
    file = make_file(closed_years_ago=7)

    data, message = export(xs.OFFER, file, receiver="Landesarchiv Sachsen-Anhalt")
    name, root = message_of(data)

    assert xs.schema_errors(etree.ElementTree(root)) == []
    assert name == f"{message.process_id}_Aussonderung.Anbieteverzeichnis.0501.xml"
    assert message.zip_name == f"{message.process_id}_Aussonderung.Anbieteverzeichnis.0501.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [name]  # no primary files in an offer list
    assert root.findtext("x:Kopf/x:ProzessID", namespaces=NS) == message.process_id
    assert root.findtext("x:Kopf/x:Nachrichtentyp/code", namespaces=NS) == "0501"
    assert root.findtext("x:Kopf/x:Absender/x:Institution/x:Name", namespaces=NS) == "Barleben"
    assert root.findtext("x:Kopf/x:Empfaenger/x:Institution/x:Name", namespaces=NS) == (
        "Landesarchiv Sachsen-Anhalt"
    )
    assert root.findtext("x:Kopf/x:SendendesSystem/x:Produktname", namespaces=NS) == "rathaus"
    akte = root.find("x:Schriftgutobjekt/x:Akte", NS)
    assert akte.findtext("x:AllgemeineMetadaten/x:Kennzeichen", namespaces=NS) == file.number
    assert akte.findtext("x:AllgemeineMetadaten/x:Betreff", namespaces=NS) == "Gewerbe Müller"
    assert (
        akte.findtext("x:AllgemeineMetadaten/x:Aktenplaneinheit/x:Kennzeichen", namespaces=NS)
        == "32.10"
    )
    archival = akte.find("x:ArchivspezifischeMetadaten", NS)
    assert archival.findtext("x:Aufbewahrungsdauer/x:AnzahlJahre", namespaces=NS) == "5"
    assert archival.findtext("x:Aussonderungsart/x:Aussonderungsart/code", namespaces=NS) == "B"
    assert archival.findtext("x:Bewertungsvorschlag/code", namespaces=NS) == "A"
    assert archival.findtext("x:Aufbewahrungsende", namespaces=NS) == (
        file.retention_ends_on.isoformat()
    )
    begun = timezone.localtime(file.created_at).date().isoformat()
    assert akte.findtext("x:Laufzeit/x:Beginn", namespaces=NS) == begun
    assert akte.findtext("x:Laufzeit/x:Ende", namespaces=NS) is not None
    assert akte.find("x:Akteninhalt", NS) is None


@pytest.mark.django_db
def test_a_destroy_subject_is_proposed_for_destruction_and_the_parent_receives():
    parent = AuthorityFactory(slug="boerde", name="Landkreis Börde")
    unit = OrgUnitFactory(authority=AuthorityFactory(slug="barleben", parent=parent))
    file = make_file(unit, disposal=Subject.Disposal.DESTROY)

    root, _primary = build_message(xs.OFFER, [file], authority=file.authority)

    assert root.findtext(".//x:Aussonderungsart/x:Aussonderungsart/code", namespaces=NS) == "V"
    assert root.findtext(".//x:Bewertungsvorschlag/code", namespaces=NS) == "V"
    assert root.findtext("x:Kopf/x:Empfaenger/x:Institution/x:Name", namespaces=NS) == (
        "Landkreis Börde"
    )


@pytest.mark.django_db
def test_the_configured_archive_receives_the_messages(settings):
    settings.RATHAUS_XDOMEA_ARCHIVE = "Stadtarchiv Magdeburg"
    file = make_file()

    root, _primary = build_message(xs.OFFER, [file], authority=file.authority)

    assert root.findtext("x:Kopf/x:Empfaenger/x:Institution/x:Name", namespaces=NS) == (
        "Stadtarchiv Magdeburg"
    )


@pytest.mark.django_db
def test_a_hand_over_0503_carries_every_version_as_a_primary_file_in_the_zip():
    file = make_file()

    data, message = export(xs.HAND_OVER, file)
    name, root = message_of(data)

    assert xs.schema_errors(etree.ElementTree(root)) == []
    assert name == f"{message.process_id}_Aussonderung.Aussonderung.0503.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.namelist()
        assert members[0] == name
        assert len(members) == 4
        assert message.primary_files == 3
        versions = root.findall(".//x:Dokument/x:Version", NS)
        assert [v.findtext("x:Nummer", namespaces=NS) for v in versions] == ["1", "2", "1"]
        for version, stored in zip(
            versions, Version.objects.order_by("document__pk", "number"), strict=False
        ):
            member = version.findtext("x:Format/x:Primaerdokument/x:Dateiname", namespaces=NS)
            assert re.fullmatch(r"[0-9a-f-]{36}_[^/]+", member)
            assert member in members
            assert hashlib.sha256(archive.read(member)).hexdigest() == stored.sha256
            assert (
                version.findtext("x:Format/x:Primaerdokument/x:DateinameOriginal", namespaces=NS)
                == stored.filename
            )
    codes = [v.findtext("x:Format/x:Name/code", namespaces=NS) for v in versions]
    assert codes == ["045", "018", "045"]
    fields = {
        f.findtext("x:Name", namespaces=NS): f.findtext("x:Wert", namespaces=NS)
        for f in root.findall(".//x:Feldgruppe/x:Feld", NS)
    }
    assert fields[xs.FIELD_SHA256] in {v.sha256 for v in Version.objects.all()}
    assert file.documents.count() == 2  # exporting changes nothing


@pytest.mark.django_db
def test_a_hand_over_imports_back_into_an_identical_file():
    file = make_file(closed_years_ago=1)
    data, message = export(xs.HAND_OVER, file)
    target = OrgUnitFactory(authority=AuthorityFactory(slug="boerde", name="Landkreis Börde"))
    subject = SubjectFactory(authority=target.authority, code="10.1", retention_years=30)

    imported = import_zip(io.BytesIO(data), unit=target, subject=subject)

    (copy,) = imported.files
    assert fingerprint(copy) == fingerprint(file)
    assert (copy.origin, copy.origin_detail, copy.org_unit, copy.subject, copy.title) == (
        File.Origin.IMPORT,
        "Barleben",
        target,
        subject,
        "Gewerbe Müller",
    )
    assert copy.status == File.Status.OPEN
    assert copy.number != file.number
    event = copy.events.get(kind="file_imported")
    assert event.detail["process_id"] == message.process_id
    assert event.detail["number"] == file.number
    with pytest.raises(ImportRejected, match="bereits importiert"):
        import_zip(io.BytesIO(data), unit=target, subject=subject)


@pytest.mark.django_db
def test_a_message_against_the_schema_is_refused_with_its_errors_and_nothing_is_kept():
    file = make_file()
    data, _message = export(xs.HAND_OVER, file)

    def break_it(name, body):
        if name.endswith(".xml"):
            body = body.replace(
                b"<xdomea:Betreff>Gewerbe",
                b"<xdomea:Unsinn>x</xdomea:Unsinn><xdomea:Betreff>Gewerbe",
                1,
            )
        return [(name, body)]

    before = (File.objects.count(), Document.objects.count(), StoredFile.objects.count())
    with pytest.raises(ImportRejected) as refused:
        import_zip(io.BytesIO(rezip(data, break_it)), unit=file.org_unit)

    assert "xdomea 3.0.0" in refused.value.problems[0]
    assert any(re.match(r"Zeile \d+: .*Unsinn", p) for p in refused.value.problems[1:])
    assert (File.objects.count(), Document.objects.count(), StoredFile.objects.count()) == before


@pytest.mark.django_db
def test_a_zip_without_a_primary_file_is_refused_naming_it():
    file = make_file()
    data, _message = export(xs.HAND_OVER, file)
    dropped = next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.endswith(".pdf"))
    stored_before = StoredFile.objects.count()

    with pytest.raises(ImportRejected) as refused:
        import_zip(
            io.BytesIO(rezip(data, lambda n, b: [] if n == dropped else [(n, b)])),
            unit=file.org_unit,
        )

    assert refused.value.problems == [f"Primärdatei fehlt im ZIP: {dropped}"]
    assert StoredFile.objects.count() == stored_before
    assert File.objects.filter(origin=File.Origin.IMPORT).count() == 0


@pytest.mark.django_db
def test_a_primary_file_changed_after_the_export_is_refused():
    file = make_file()
    data, _message = export(xs.HAND_OVER, file)
    changed = rezip(data, lambda n, b: [(n, b + b"!" if n.endswith(".pdf") else b)])

    with pytest.raises(ImportRejected, match="SHA-256"):
        import_zip(io.BytesIO(changed), unit=file.org_unit)


@pytest.mark.django_db
@pytest.mark.parametrize("bad_name", ["../../etc/passwd", "/var/x.txt", "ordner/x.txt", "a\\b"])
def test_a_path_in_a_zip_member_name_is_refused(bad_name):
    file = make_file()
    data, _message = export(xs.HAND_OVER, file)

    with pytest.raises(ImportRejected, match="Unzulässiger Dateiname"):
        import_zip(
            io.BytesIO(
                rezip(
                    data, lambda n, b: [(n, b)] + ([(bad_name, b"x")] if n.endswith(".xml") else [])
                )
            ),
            unit=file.org_unit,
        )


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    file = make_file()
    data, _message = export(xs.HAND_OVER, file)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("bomb.txt", b"\0" * (20 * 1024 * 1024), zipfile.ZIP_DEFLATED)

    with pytest.raises(ImportRejected, match="ZIP-Bombe"):
        import_zip(io.BytesIO(out.getvalue()), unit=file.org_unit)


@pytest.mark.django_db
def test_something_that_is_no_zip_or_holds_another_message_is_refused():
    file = make_file()
    with pytest.raises(ImportRejected, match="keine ZIP-Datei"):
        import_zip(io.BytesIO(b"not a zip"), unit=file.org_unit)
    offer, _message = export(xs.OFFER, file)
    with pytest.raises(ImportRejected, match="genau eine Nachricht"):
        import_zip(io.BytesIO(offer), unit=file.org_unit)


@pytest.mark.django_db
def test_handing_over_releases_the_content_and_records_the_archive(
    django_capture_on_commit_callbacks,
):
    file = make_file(closed_years_ago=7)
    keys = set(Version.objects.values_list("file__key", flat=True))
    _data, message = export(xs.HAND_OVER, file, process_id=P1)
    record_export([file], message, "Landesarchiv Sachsen-Anhalt", None)

    with django_capture_on_commit_callbacks(execute=True):
        handover.hand_over(file, None, receiver="Landesarchiv Sachsen-Anhalt", process_id=P1)

    file.refresh_from_db()
    assert file.status == File.Status.HANDED_OVER
    assert file.is_gone
    assert not Document.objects.filter(file=file).exists()
    assert not any(files.blob_exists(key) for key in keys)
    event = FileEvent.objects.get(file=file, kind="handed_over")
    assert event.detail == {
        "receiver": "Landesarchiv Sachsen-Anhalt",
        "process_id": P1,
        "documents": 2,
        "versions": 3,
        "remarks": [],
    }


@pytest.mark.django_db
def test_a_hand_over_message_exported_before_a_new_document_hands_nothing_over():
    file = make_file()
    early = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    _data, message = export(xs.HAND_OVER, file, process_id=early)
    record_export([file], message, "Landesarchiv Sachsen-Anhalt", None)
    services.add_document(
        file, content(b"Nachtrag", "nachtrag.txt"), title="Nachtrag",
        kind=Document.Kind.LETTER, direction=Document.Direction.INCOMING,
    )  # fmt: skip
    services.close(file, None, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=365 * 7))

    with pytest.raises(services.FileRefused, match=early):
        handover.hand_over(file, None, receiver="Landesarchiv", process_id=early)

    assert Document.objects.filter(file=file).count() == 3
    assert File.objects.get(pk=file.pk).status == File.Status.CLOSED


@pytest.mark.django_db(transaction=True)
def test_only_closed_files_after_their_retention_without_hold_are_handed_over():
    still_running = make_file(closed_years_ago=1)
    with pytest.raises(services.FileRefused, match="Aufbewahrungsfrist"):
        handover.hand_over(still_running, None, receiver="Archiv", process_id="p")
    held = make_file(OrgUnitFactory(authority=still_running.authority), closed_years_ago=7)
    services.hold(held, UserFactory(), "Klage")
    with pytest.raises(services.FileRefused, match="Aufbewahrungssperre"):
        handover.hand_over(held, None, receiver="Archiv", process_id="p")
    assert Document.objects.filter(file__in=[still_running, held]).count() == 4


@pytest.mark.django_db
def test_export_command_writes_one_zip_and_hands_over_only_when_asked(tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    file = make_file(closed_years_ago=7)
    open_file = make_file(OrgUnitFactory(authority=file.authority))
    out = io.StringIO()

    call_command("export_xdomea", "--out", str(tmp_path), "--authority", "barleben", stdout=out)

    (written,) = tmp_path.iterdir()
    assert written.name.endswith("_Aussonderung.Aussonderung.0503.zip")
    assert f"  {file.number}  Gewerbe Müller (2 documents, 3 versions)" in out.getvalue()
    assert "2 file(s), 6 primary file(s)" in out.getvalue()
    assert File.objects.filter(status=File.Status.HANDED_OVER).count() == 0

    out = io.StringIO()
    call_command(
        "export_xdomea",
        file.number,
        open_file.number,
        "--out",
        str(tmp_path),
        "--authority",
        "barleben",
        "--hand-over",
        stdout=out,
    )

    assert f"  handed over {file.number}" in out.getvalue()
    assert f"  kept {open_file.number}:" in out.getvalue()
    assert "handed over to" in out.getvalue().lower()
    assert "1 file(s); kept: 1" in out.getvalue()
    assert len(list(tmp_path.iterdir())) == 2


@pytest.mark.django_db
def test_export_command_refuses_unknown_files_and_hand_over_of_an_offer(tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    file = make_file()
    with pytest.raises(CommandError, match="no such file with content here: 99/1"):
        call_command("export_xdomea", "99/1", "--out", str(tmp_path), "--authority", "barleben")
    with pytest.raises(CommandError, match="--hand-over needs --kind 0503"):
        call_command(
            "export_xdomea",
            file.number,
            "--out",
            str(tmp_path),
            "--kind",
            "0501",
            "--authority",
            "barleben",
            "--hand-over",
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_import_command_prints_the_new_file_or_the_problems(tmp_path):
    file = make_file()
    data, _message = export(xs.HAND_OVER, file)
    good = tmp_path / "good.zip"
    good.write_bytes(data)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rezip(data, lambda n, b: [] if n.endswith(".pdf") else [(n, b)]))
    unit = OrgUnitFactory(authority=file.authority, slug="ordnungsamt")
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="was not imported; nothing was kept"):
        call_command("import_xdomea", str(bad), "--authority", "barleben", stderr=err)
    assert "Primärdatei fehlt im ZIP" in err.getvalue()

    call_command(
        "import_xdomea",
        str(good),
        "--authority",
        "barleben",
        "--unit",
        "ordnungsamt",
        "--subject",
        "32.10",
        stdout=out,
    )

    copy = File.objects.get(origin=File.Origin.IMPORT)
    assert (copy.org_unit, copy.subject.code) == (unit, "32.10")
    assert f"{copy.number}  Gewerbe Müller (2 documents)" in out.getvalue()
    assert "Imported 1 file(s) from Barleben" in out.getvalue()


@pytest.mark.django_db
def test_the_import_command_exits_with_status_1_when_it_refuses(tmp_path, capsys):
    from rathaus.cli import main

    make_file()
    path = tmp_path / "leer.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)

    with pytest.raises(SystemExit) as exited:
        main(["rathaus", "import-xdomea", str(path), "--authority", "barleben"])

    assert exited.value.code == 1
    assert "genau eine Nachricht" in capsys.readouterr().err


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<xdomea:Aussonderung.Aussonderung.0503 xmlns:xdomea="urn:xoev-de:xdomea:schema:3.0.0">
  <xdomea:Kopf>
    <xdomea:ProzessID>{pid}</xdomea:ProzessID>
    <xdomea:Nachrichtentyp><code>0503</code></xdomea:Nachrichtentyp>
    <xdomea:Erstellungszeitpunkt>2026-11-30T10:00:00</xdomea:Erstellungszeitpunkt>
    <xdomea:Absender><xdomea:Institution><xdomea:Name>Stadt Wolmirstedt</xdomea:Name>
    </xdomea:Institution></xdomea:Absender>
    <xdomea:Empfaenger><xdomea:Institution><xdomea:Name>Barleben</xdomea:Name>
    </xdomea:Institution></xdomea:Empfaenger>
    <xdomea:Importbestaetigung>1</xdomea:Importbestaetigung>
    <xdomea:RueckmeldungArchivkennung>0</xdomea:RueckmeldungArchivkennung>
    <xdomea:Empfangsbestaetigung>0</xdomea:Empfangsbestaetigung>
  </xdomea:Kopf>
  <xdomea:Schriftgutobjekt><xdomea:Vorgang>
    <xdomea:Identifikation><xdomea:ID>{vorgang}</xdomea:ID></xdomea:Identifikation>
    <xdomea:AllgemeineMetadaten><xdomea:Betreff>Baumfällung Lindenallee</xdomea:Betreff>
      <xdomea:Kennzeichen>67.2/2025/12</xdomea:Kennzeichen></xdomea:AllgemeineMetadaten>
    <xdomea:Dokument>
      <xdomea:Identifikation><xdomea:ID>{doc}</xdomea:ID></xdomea:Identifikation>
      <xdomea:AllgemeineMetadaten><xdomea:Betreff>Antrag</xdomea:Betreff></xdomea:AllgemeineMetadaten>
      <xdomea:Posteingangsdatum>2025-05-02</xdomea:Posteingangsdatum>
      <xdomea:Version><xdomea:Nummer/><xdomea:Format>
        <xdomea:Name listVersionID="1.0"><code>018</code></xdomea:Name>
        <xdomea:Version>1.7</xdomea:Version>
        <xdomea:Primaerdokument><xdomea:Dateiname>{pdf}</xdomea:Dateiname></xdomea:Primaerdokument>
      </xdomea:Format></xdomea:Version>
    </xdomea:Dokument>
  </xdomea:Vorgang></xdomea:Schriftgutobjekt>
  <xdomea:Schriftgutobjekt><xdomea:Dokument>
    <xdomea:Identifikation><xdomea:ID>{loose}</xdomea:ID></xdomea:Identifikation>
    <xdomea:Version><xdomea:Nummer>1</xdomea:Nummer><xdomea:Format>
      <xdomea:Name listVersionID="1.0"><code>100</code></xdomea:Name>
      <xdomea:SonstigerName>Markdown</xdomea:SonstigerName>
      <xdomea:Version/>
      <xdomea:Primaerdokument><xdomea:Dateiname>{md}</xdomea:Dateiname></xdomea:Primaerdokument>
    </xdomea:Format></xdomea:Version>
  </xdomea:Dokument></xdomea:Schriftgutobjekt>
</xdomea:Aussonderung.Aussonderung.0503>
"""


@pytest.mark.django_db
def test_a_message_of_another_system_without_rathaus_extensions_is_imported():
    import uuid

    ids = {key: str(uuid.uuid4()) for key in ("pid", "vorgang", "doc", "loose")}
    pdf, md = f"{uuid.uuid4()}_Antrag Fällung.pdf", f"{uuid.uuid4()}.md"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{ids['pid']}_Aussonderung.Aussonderung.0503.xml",
                         FOREIGN.format(pdf=pdf, md=md, **ids).encode())  # fmt: skip
        archive.writestr(pdf, b"%PDF-1.7 Antrag")
        archive.writestr(md, b"# Vermerk")
    unit = OrgUnitFactory()

    imported = import_zip(io.BytesIO(out.getvalue()), unit=unit)

    vorgang, loose = imported.files
    assert imported.sender == "Stadt Wolmirstedt"
    assert (vorgang.title, vorgang.origin_detail) == (
        "Baumfällung Lindenallee",
        "Stadt Wolmirstedt",
    )
    document = vorgang.documents.get()
    version = document.versions.get()
    assert (document.title, document.direction, document.received_on) == (
        "Antrag",
        Document.Direction.INCOMING,
        dt.date(2025, 5, 2),
    )
    assert (version.filename, version.media_type) == ("Antrag Fällung.pdf", "application/pdf")
    assert version.sha256 == hashlib.sha256(b"%PDF-1.7 Antrag").hexdigest()
    assert loose.title == "Dokumente von Stadt Wolmirstedt"
    assert loose.documents.get().versions.get().filename == md  # nothing but the UUID


@pytest.mark.django_db
def test_a_primary_file_the_virus_scanner_flags_refuses_the_whole_message(settings):
    from rathaus.core.scanning import ScanResult, scanners

    class Alarmed:
        name = "alarmed"

        def scan(self, stream):
            return ScanResult(clean=b"Entwurf" not in stream.read(), signature="Test-Signatur")

        def ping(self):
            return None

    file = make_file()
    data, _message = export(xs.HAND_OVER, file)
    settings.RATHAUS_VIRUS_SCANNER = "none"
    stored_before = StoredFile.objects.count()

    with scanners.override("none", Alarmed), pytest.raises(ImportRejected) as refused:
        import_zip(io.BytesIO(data), unit=file.org_unit)

    (problem,) = refused.value.problems
    assert problem.endswith("_antrag.txt enthält einen Virus.")
    assert StoredFile.objects.count() == stored_before


@pytest.mark.django_db
def test_a_damaged_zip_is_refused_as_damaged():
    file = make_file()
    data, _message = export(xs.HAND_OVER, file)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = archive.infolist()[0]  # the message, deflated
    start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    damaged = bytearray(data)
    for offset in range(start + 10, start + 40):
        damaged[offset] ^= 0x5A

    with pytest.raises(ImportRejected, match="ZIP-Datei ist beschädigt"):
        import_zip(io.BytesIO(bytes(damaged)), unit=file.org_unit)
    assert not File.objects.filter(origin=File.Origin.IMPORT).exists()
    assert not Subject.objects.filter(code=services.UNASSIGNED_CODE).exists()


def test_the_demo_files_export_valid_messages_that_import_back_identically(barleben):
    from rathaus.core.models import Authority
    from rathaus.documents.xdomea_export import exportable

    demo_files = list(exportable(barleben))
    assert demo_files
    assert sum(file.documents.count() for file in demo_files) > len(demo_files)
    offer, _message = export(xs.OFFER, *demo_files)
    hand_over, _message = export(xs.HAND_OVER, *demo_files)
    for data in (offer, hand_over):
        _name, root = message_of(data)
        assert xs.schema_errors(etree.ElementTree(root)) == []

    landkreis = Authority.objects.get(slug="landkreis-boerde")
    unit = landkreis.org_units.order_by("position", "pk").first()
    imported = import_zip(io.BytesIO(hand_over), unit=unit, subject=None)

    assert len(imported.files) == len(demo_files)
    copies = {
        copy.events.get(kind="file_imported").detail["number"]: copy for copy in imported.files
    }
    for original in demo_files:
        assert fingerprint(copies[original.number]) == fingerprint(original)
