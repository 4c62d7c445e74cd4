"""Importing a series of observations from CSV (``rathaus import-observations``).

The file has one observation per row: the time in the first column, the result in the second;
further columns are ignored. A header row is recognised by a first cell that is not a time.
The separator is ``;`` when the first line has one, else a tab when it has one, else ``,``.
Numbers may use a German decimal comma (``12,5`` or ``1.234,5``); without a comma a point is the
decimal point (``1.234`` is 1.234). Times are ISO 8601
(``2026-11-30T08:00:00+01:00``, ``2026-11-30 08:00``) or German (``30.11.2026 08:00``); a time
without a zone is taken in ``zone`` (default: the site's time zone).

Everything is checked before anything is stored: a file with bad rows imports nothing unless
``skip_bad`` is set; then the good rows are stored and the bad ones listed. Rows are stored
through ``ingest.store`` in batches, each batch whole or not at all.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from rathaus.opendata import ingest
from rathaus.opendata.models import Datastream

BATCH = 5000
_GERMAN_TIME = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_GERMAN_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+,\d+$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, no rows, unknown datastream)."""


@dataclass
class Report:
    rows: int = 0
    stored: int = 0
    header: bool = False
    bad: list[str] = field(default_factory=list)


def parse_time(text: str, zone: datetime.tzinfo) -> datetime.datetime:
    text = text.strip()
    match = _GERMAN_TIME.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        moment = datetime.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    else:
        moment = datetime.datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def parse_result(text: str, kind: str) -> Any:
    text = text.strip()
    if not text:
        raise ValueError("the value is empty")
    if kind == ingest.TRUTH:
        if text.lower() in {"true", "wahr", "1", "ja"}:
            return True
        if text.lower() in {"false", "falsch", "0", "nein"}:
            return False
        raise ValueError(f"{text!r} is not true or false")
    if kind not in ingest.NUMERIC_TYPES:
        return text
    if "," in text and _GERMAN_NUMBER.match(text):
        text = text.replace(".", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    return int(number) if kind == ingest.COUNT and number.is_integer() else number


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _separator(first_line: str) -> str:
    if ";" in first_line:
        return ";"
    if "\t" in first_line:
        return "\t"
    return ","


def read_rows(
    text: str, datastream: Datastream, zone: datetime.tzinfo, report: Report
) -> list[tuple[int, ingest.Reading]]:
    """(line number, reading) of every good row; bad rows go to ``report.bad``."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ImportFileError("the file has no rows")
    first = next(line for line in lines if line.strip())
    readings: list[tuple[int, ingest.Reading]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=_separator(first)), 1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            report.rows += 1
            report.bad.append(f"line {number}: expected a time and a value")
            continue
        try:
            moment = parse_time(row[0], zone)
        except ValueError:
            if not readings and not report.rows and not report.header:
                report.header = True
                continue
            report.rows += 1
            report.bad.append(f"line {number}: {row[0].strip()!r} is not a time")
            continue
        report.rows += 1
        try:
            result = parse_result(row[1], datastream.observation_type)
        except ValueError as exc:
            report.bad.append(f"line {number}: {exc}")
            continue
        readings.append((number, ingest.Reading(datastream.pk, moment, result)))
    return readings


def _checked(
    rows: list[tuple[int, ingest.Reading]], now: datetime.datetime, report: Report
) -> list[tuple[int, ingest.Reading]]:
    """The rows ``ingest`` accepts; the refused ones go to ``report.bad`` with their line."""
    good = []
    for offset in range(0, len(rows), BATCH):
        chunk = rows[offset : offset + BATCH]
        while chunk:
            try:
                ingest.check([reading for _, reading in chunk], now)
            except ingest.Refused as exc:
                line, _reading = chunk[exc.index]
                report.bad.append(f"line {line}: {exc.message}")
                good.extend(chunk[: exc.index])
                chunk = chunk[exc.index + 1 :]
                continue
            good.extend(chunk)
            break
    return good


def import_observations(
    data: bytes,
    datastream_id: int,
    *,
    zone: str | None = None,
    skip_bad: bool = False,
    progress: Callable[[int, int], None] | None = None,
    now: datetime.datetime | None = None,
) -> Report:
    """Check the whole file, then store it (or, with bad rows, nothing unless ``skip_bad``)."""
    datastream = Datastream.objects.filter(pk=datastream_id).first()
    if datastream is None:
        raise ImportFileError(f"there is no Datastream({datastream_id})")
    try:
        tz: datetime.tzinfo = zoneinfo.ZoneInfo(zone) if zone else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImportFileError(f"unknown time zone {zone!r}") from None
    try:
        text = decode(data)
    except UnicodeDecodeError:
        raise ImportFileError("the file is neither UTF-8 nor Windows-1252 text") from None
    report = Report()
    moment = now or timezone.now()
    rows = _checked(read_rows(text, datastream, tz, report), moment, report)
    report.bad.sort(key=lambda line: int(line.split()[1].rstrip(":")))
    if report.bad and not skip_bad:
        return report
    for offset in range(0, len(rows), BATCH):
        batch = [reading for _, reading in rows[offset : offset + BATCH]]
        report.stored += ingest.store(batch, now=moment)
        if progress:
            progress(report.stored, len(rows))
    return report
