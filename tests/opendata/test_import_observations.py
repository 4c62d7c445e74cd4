"""``rathaus import-observations``: CSV series with German numbers, headers and time zones."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command

from rathaus.opendata import importer
from rathaus.opendata.models import LatestObservation, Observation
from tests.factories import DatastreamFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
COUNT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation"


def _values(stream):
    return list(
        Observation.objects.filter(datastream=stream)
        .order_by("phenomenon_time_start")
        .values_list("phenomenon_time_start", "result_number")
    )


def test_a_german_file_with_header_semicolons_and_decimal_commas():
    stream = DatastreamFactory()
    data = (
        "Zeit;PM10 (µg/m³);Bemerkung\n30.11.2026 08:00;12,5;\n30.11.2026 09:00;1.234,5;geprüft\n"
    ).encode("cp1252")

    report = importer.import_observations(data, stream.pk, now=NOW)

    assert (report.rows, report.stored, report.header, report.bad) == (2, 2, True, [])
    # Times without a zone are Barleben time (CET, UTC+1).
    assert _values(stream) == [
        (datetime.datetime(2026, 11, 30, 7, 0, tzinfo=UTC), 12.5),
        (datetime.datetime(2026, 11, 30, 8, 0, tzinfo=UTC), 1234.5),
    ]
    assert LatestObservation.objects.get(datastream=stream).result_number == 1234.5


def test_iso_times_with_offsets_commas_and_no_header():
    stream = DatastreamFactory()
    data = b"2026-11-30T08:00:00Z,1.234\n2026-11-30T10:00:00+02:00,4\n\n"

    report = importer.import_observations(data, stream.pk, now=NOW)

    assert (report.stored, report.header) == (2, False)
    assert _values(stream) == [
        (datetime.datetime(2026, 11, 30, 8, 0, tzinfo=UTC), 1.234),
        (datetime.datetime(2026, 11, 30, 8, 0, tzinfo=UTC), 4.0),
    ]


def test_a_named_time_zone_is_used_for_times_without_one():
    stream = DatastreamFactory()

    importer.import_observations(b"2026-11-30 08:00,1\n", stream.pk, zone="UTC", now=NOW)

    assert _values(stream) == [(datetime.datetime(2026, 11, 30, 8, 0, tzinfo=UTC), 1.0)]


def test_bad_rows_are_listed_by_line_and_nothing_is_imported():
    stream = DatastreamFactory()
    data = (
        b"time;value\n"
        b"2026-11-30 08:00;1\n"
        b"gestern;2\n"
        b"2026-11-30 09:00;viel\n"
        b"2026-11-30 10:00\n"
        b"2027-06-01 10:00;3\n"
    )

    report = importer.import_observations(data, stream.pk, now=NOW)

    assert report.stored == 0
    assert report.bad == [
        "line 3: 'gestern' is not a time",
        "line 4: 'viel' is not a number",
        "line 5: expected a time and a value",
        "line 6: phenomenonTime lies in the future",
    ]
    assert not Observation.objects.exists()


def test_skip_bad_stores_the_good_rows():
    stream = DatastreamFactory()
    data = b"2026-11-30 08:00;1\n2026-11-30 09:00;x\n2026-11-30 10:00;3\n"

    report = importer.import_observations(data, stream.pk, skip_bad=True, now=NOW)

    assert (report.stored, report.bad) == (2, ["line 2: 'x' is not a number"])
    assert [value for _, value in _values(stream)] == [1.0, 3.0]


def test_counts_must_be_whole_numbers():
    stream = DatastreamFactory(observation_type=COUNT)

    report = importer.import_observations(b"2026-11-30 08:00;2,5\n", stream.pk, now=NOW)

    assert report.bad == ["line 1: result must be a whole number for this datastream"]


def test_batches_are_stored_whole(monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    stream = DatastreamFactory()
    rows = "".join(f"2026-11-30 0{hour}:00;{hour}\n" for hour in range(5))
    seen = []

    report = importer.import_observations(
        rows.encode(), stream.pk, now=NOW, progress=lambda done, total: seen.append((done, total))
    )

    assert report.stored == 5
    assert seen == [(2, 5), (4, 5), (5, 5)]


@pytest.mark.parametrize(
    ("data", "zone", "message"),
    [
        (b"", None, "the file has no rows"),
        (b"2026-11-30 08:00;1\n", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(data, zone, message):
    stream = DatastreamFactory()

    with pytest.raises(importer.ImportFileError, match=message):
        importer.import_observations(data, stream.pk, zone=zone, now=NOW)


def test_the_command_reports_progress_and_a_summary(tmp_path, capsys):
    stream = DatastreamFactory()
    path = tmp_path / "pm10.csv"
    path.write_text("Zeit;Wert\n30.11.2026 08:00;12,5\n", encoding="utf-8")

    call_command("import_observations", str(path), "--datastream", str(stream.pk))

    out = capsys.readouterr().out
    assert "1 of 1 stored" in out
    assert "1 rows after a header: 1 stored, 0 bad" in out


def test_the_command_fails_with_the_bad_lines_and_imports_nothing(tmp_path, capsys):
    stream = DatastreamFactory()
    path = tmp_path / "pm10.csv"
    path.write_text("30.11.2026 08:00;12,5\n30.11.2026 09:00;-\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_observations", str(path), "--datastream", str(stream.pk))

    assert "line 2: '-' is not a number" in capsys.readouterr().err
    assert not Observation.objects.exists()


def test_the_command_names_a_missing_file_and_a_missing_datastream(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_observations", str(tmp_path / "nope.csv"), "--datastream", "1")
    path = tmp_path / "x.csv"
    path.write_text("2026-11-30 08:00;1\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"there is no Datastream\(999999\)"):
        call_command("import_observations", str(path), "--datastream", "999999")
