"""`rathaus import-catalog`: fast, idempotent, and clear about bad rows and broken files."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from rathaus.catalog.importer import CatalogFileError, import_catalog
from rathaus.catalog.models import LifeSituation, OzgService, Service, Topic
from tests.support import DATA

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

FULL = DATA / "ozg-katalog" / "leistungen.csv"
HEADER = "themenfeld,lebenslage,ozg_id,ozg_leistung,leika_schluessel,leistung,leika_typ,rechtsgrundlage,gesetze_kurz\n"


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


@pytest.mark.django_db
def test_full_catalogue_imports_and_a_second_run_changes_nothing():
    first = import_catalog(FULL.read_bytes())
    assert first.rows == 5251
    assert first.created == 5248
    assert Service.objects.exclude(leika_key=None).count() == 4813
    assert Service.objects.filter(leika_key=None).count() == 435
    assert Topic.objects.count() == 14
    assert OzgService.objects.count() == 557
    assert [line.split(":")[0] for line in first.rejected] == ["line 5251", "line 5252"]
    assert first.duplicates == ["line 4548: same service as line 4547, skipped"]
    second = import_catalog(FULL.read_bytes())
    assert (second.created, second.updated, second.unchanged) == (0, 0, 5248)


@pytest.mark.django_db
def test_rows_without_leika_key_are_kept():
    import_catalog(
        csv_bytes("Umwelt,Anlagen,10478,Stoffzulassung,nicht im LeiKa,Prüfung von Verpackungen,1,,")
    )
    service = Service.objects.get()
    assert service.leika_key is None
    assert service.ozg_service.ozg_id == "10478"


@pytest.mark.django_db
def test_changed_rows_are_updated():
    import_catalog(
        csv_bytes(
            "Familie,Geburt,10557,Geburtsurkunde,99027002012000,Geburtsurkunde Ausstellung,2/3,,"
        )
    )
    report = import_catalog(
        csv_bytes(
            "Familie,Geburt,10557,Geburtsurkunde,99027002012000,Geburtsurkunde Ausstellung,2/3,§ 62 PStG,PStG"
        )
    )
    assert (report.created, report.updated) == (0, 1)
    assert Service.objects.get().legal_basis == "§ 62 PStG"


@pytest.mark.django_db
def test_bad_rows_are_reported_with_line_numbers_and_good_rows_imported():
    report = import_catalog(
        csv_bytes(
            "Familie,Geburt,10557,Geburtsurkunde,99027002012000,Geburtsurkunde Ausstellung,2/3,,",
            "Familie,Geburt,10557,Geburtsurkunde,12345,Kaputt,2/3,,",
            "Familie,Geburt,1055,Geburtsurkunde,99027002000000,Geburtsurkunde,2/3,,",
            'Familie,Geburt,10557,Geburtsurkunde,99027002012001,"mehrzeiliger\nName",2/3,,',
            "Familie,Geburt,10557,Geburtsurkunde,99027002012002,,2/3,,",
            "Familie,Geburt,10557",
        )
    )
    assert report.created == 2
    assert report.rejected == [
        "line 3: invalid LeiKa key '12345' (14 digits starting with 99 expected)",
        "line 4: invalid OZG-ID '1055' (5 digits expected)",
        "line 7: the service name (leistung) is empty",
        "line 8: fewer fields than columns (truncated line?)",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b\n1,2\n", "line 1: missing column(s) themenfeld"),
        (HEADER.encode() + "Familie,Straße".encode("latin-1"), "line 2: the file is not UTF-8"),
    ],
)
@pytest.mark.django_db
def test_broken_files_are_refused_as_a_whole(data, message):
    with pytest.raises(CatalogFileError, match=re.escape(message)):
        import_catalog(data)
    assert not Service.objects.exists()


@pytest.mark.django_db
def test_command_reports_counts_and_fails_on_rejected_rows(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(
        csv_bytes(
            "Familie,Geburt,10557,Geburtsurkunde,99027002012000,Geburtsurkunde Ausstellung,2/3,,"
        )
    )
    call_command("import_catalog", str(good))
    assert "1 rows: 1 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("Familie,Geburt,10557,Geburtsurkunde,42,Kaputt,2/3,,"))
    with pytest.raises(CommandError, match="1 rejected"):
        call_command("import_catalog", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_catalog", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_life_situations_belong_to_their_topic():
    import_catalog(FULL.read_bytes())
    assert LifeSituation.objects.filter(topic__name="Familie & Kind").exists()
    assert not Topic.objects.filter(name__endswith=" ").exists()
