"""Devices from CSV, on the staff upload page and with ``rathaus import-devices``: a good file
(UTF-8 or Windows-1252) imports every line; duplicates, unknown schools, bad values or a broken
encoding are reported per line and nothing is imported."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from rathaus.schools.models import Device, Room
from tests.factories.schools import DeviceFactory

pytestmark = pytest.mark.django_db
HEADER = "school;inventory_number;kind;serial;model;purchase_date;price;funding_source;warranty_end;managed_by;room\n"
GOOD = (
    HEADER
    + "grundschule-barleben;GS-100;Display;SN-1;Interaktives Display 86″;17.05.2021;4.899,00;DigitalPakt Schule;17.05.2026;Gemeinde;Klassenraum 1a\n"
    + "Grundschule Barleben;GS-101;iPad;SN-2;iPad 10,2″;17.05.2021;399,00;DigitalPakt Schule;;Gemeinde;Klassenraum 1a\n"
    + "grundschule-barleben;GS-102;Lehrergerät;SN-3;Notebook für Lehrkräfte;2021-08-01;899;Sofortausstattungsprogramm;;Land;\n"
)


def upload(client, content: bytes):
    return client.post(
        "/verwaltung/schulen/import/",
        {"file": SimpleUploadedFile("geraete.csv", content, "text/csv")},
    )


def test_a_good_utf8_file_imports_every_line(keeper, school):
    response = upload(keeper, GOOD.encode("utf-8-sig"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 Geräte importiert." in html
    assert "Kodierung der Datei: UTF-8." in html
    display = Device.objects.get(inventory_number="GS-100")
    assert (display.kind, display.price_cents, display.room.name) == (
        "display",
        489900,
        "Klassenraum 1a",
    )
    assert Device.objects.get(inventory_number="GS-102").managed_by == "land"
    assert Room.objects.filter(school=school).count() == 1


def test_a_windows_1252_file_is_recognised(keeper, school):
    content = GOOD.replace("″", '"').encode("cp1252")
    assert b"\xfc" in content  # the ü of "Lehrergerät" / "für" as one byte
    html = upload(keeper, content).content.decode()
    assert "Kodierung der Datei: Windows-1252." in html
    assert Device.objects.get(inventory_number="GS-102").model_name == "Notebook für Lehrkräfte"


def test_duplicates_and_unknown_schools_are_reported_per_line_and_nothing_is_imported(
    keeper, school
):
    DeviceFactory(school=school, inventory_number="GS-200")
    content = (
        HEADER
        + "grundschule-barleben;GS-300;iPad;SN-9;;;;;;;\n"
        + "grundschule-barleben;GS-300;iPad;SN-10;;;;;;;\n"
        + "Waldschule;GS-301;iPad;;;;;;;;\n"
        + "grundschule-barleben;GS-200;Beamer;;;31.02.2021;zwölf;;;;\n"
    ).encode()
    response = upload(keeper, content)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Es wurde nichts importiert" in html
    assert "Zeile 3: die Inventarnummer steht schon in Zeile 2" in html
    assert "Zeile 4: unbekannte Schule „Waldschule“" in html
    assert "unbekannte Geräteart „Beamer“" in html
    assert "das Datum „31.02.2021“ ist nicht lesbar" in html
    assert "der Preis „zwölf“ ist nicht lesbar" in html
    assert "ein Gerät mit dieser Inventarnummer ist schon gespeichert" in html
    assert Device.objects.count() == 1


def test_a_file_with_mixed_or_broken_encoding_imports_nothing(keeper, school):
    content = GOOD.encode("utf-8") + "grundschule-barleben;GS-103;Laptop;;Gerät;;;;;;\n".encode(
        "cp1252"
    )
    html = upload(keeper, content).content.decode()
    assert "Zeile 5: Die Zeile ist weder UTF-8 noch Windows-1252" in html
    assert Device.objects.count() == 0
    html = upload(
        keeper, HEADER.encode() + b"grundschule-barleben;GS-1\x81;iPad;;;;;;;;\n"
    ).content.decode()
    assert "Zeile 2: Die Zeile ist weder UTF-8 noch Windows-1252" in html
    assert Device.objects.count() == 0


def test_the_command_imports_with_a_summary_or_lists_the_bad_lines(school, tmp_path, capsys):
    good = tmp_path / "gut.csv"
    good.write_bytes(GOOD.encode())
    call_command("import_devices", str(good))
    out = capsys.readouterr().out
    assert "3 of 3 stored" in out
    assert "3 device(s) imported from 3 line(s) (encoding: UTF-8)." in out
    bad = tmp_path / "schlecht.csv"
    bad.write_bytes((HEADER + "Waldschule;X-1;iPad;;;;;;;;\n").encode())
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_devices", str(bad))
    assert "line 2:" in capsys.readouterr().err
    assert Device.objects.count() == 3


def test_a_first_line_without_the_needed_columns_names_them(school, tmp_path, capsys):
    """A header in other words (here German) is not read as lines with empty columns: the
    report names what is missing and which columns can be used."""
    wrong = tmp_path / "spalten.csv"
    wrong.write_bytes(b"Schule;Inventarnummer;Art\ngrundschule-barleben;GS-1;iPad\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_devices", str(wrong))
    errors = capsys.readouterr().err
    assert "line 1:" in errors
    assert "school, inventory_number, kind" in errors
    assert "ist leer" not in errors
    assert "is empty" not in errors
    assert not Device.objects.exists()
