"""Devices from a CSV file (``rathaus import-devices`` and the staff upload page): every line is
checked before anything is stored, and one bad line stores nothing. The report names each
problem with its line number: duplicates (in the file or already stored), unknown schools,
unknown kinds, dates and prices that cannot be read, and lines in a broken encoding.

The encoding is found per line: UTF-8 (with or without BOM) or Windows-1252 (what Excel writes
on German Windows). A file that mixes both, or has bytes neither can read, is broken; the lines
that cannot be read are named."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.schools.models import Device, Room, School

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 20_000
COLUMNS = (
    "school",
    "inventory_number",
    "kind",
    "serial",
    "model",
    "purchase_date",
    "price",
    "funding_source",
    "warranty_end",
    "managed_by",
    "room",
)
REQUIRED = ("school", "inventory_number", "kind")
KINDS = {
    "display": "display",
    "tafel": "display",
    "interaktives display": "display",
    "ipad": "ipad",
    "laptop": "laptop",
    "notebook": "laptop",
    "teacher": "teacher",
    "lehrergerät": "teacher",
    "lehrkraftgerät": "teacher",
    "network": "network",
    "netzwerk": "network",
}
MANAGERS = {"": "town", "town": "town", "gemeinde": "town", "schulträger": "town", "land": "land"}


@dataclass
class Report:
    encoding: str = ""
    lines: int = 0
    created: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, message))


def decode(data: bytes, report: Report) -> str | None:
    """The text of the file, or None (with the broken lines in the report)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    utf8_lines, broken = 0, []
    for number, raw in enumerate(data.splitlines(), start=1):
        if b"\x00" in raw:
            broken.append(number)
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            broken.append(number)
        else:
            utf8_lines += not raw.isascii()
    if not broken:
        report.encoding = "UTF-8"
        return data.decode("utf-8")
    if not utf8_lines:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            if "\x00" not in text:
                report.encoding = "Windows-1252"
                return text
    for number in broken:
        report.problem(
            number,
            _(
                "The line is neither UTF-8 nor Windows-1252 (broken or mixed "
                "encoding). Save the file as UTF-8 and try again."
            ),
        )
    return None


def _day(value: str) -> dt.date | None:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def cents(value: str) -> int:
    """Euros as written in Germany (1.234,56) or plainly (1234.56), in cents."""
    text = value.replace("€", "").replace(" ", "")
    if "," in text:  # German: 1.234,56
        text = text.replace(".", "").replace(",", ".")
    amount = Decimal(text)
    if amount < 0 or amount > 1_000_000 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidOperation(value)
    return int(amount * 100)


def _rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The column names of the first line and every further line with its number."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    rows = [
        (reader.line_num, {key: (value or "").strip() for key, value in row.items() if key})
        for row in reader
    ]
    return list(reader.fieldnames), rows


def _check(
    number: int,
    row: dict[str, str],
    schools: dict[str, School],
    seen: dict[str, int],
    report: Report,
) -> dict[str, Any] | None:
    errors = []
    for column in REQUIRED:
        if not row.get(column):
            errors.append(_("the column “%(column)s” is empty") % {"column": column})
    school = schools.get(row.get("school", "").lower())
    if row.get("school") and school is None:
        errors.append(_("unknown school “%(school)s”") % {"school": row["school"]})
    kind = KINDS.get(row.get("kind", "").lower())
    if row.get("kind") and kind is None:
        errors.append(_("unknown kind “%(kind)s”") % {"kind": row["kind"]})
    manager = MANAGERS.get(row.get("managed_by", "").lower())
    if manager is None:
        errors.append(_("“managed_by” must be Gemeinde or Land"))
    values: dict[str, Any] = {}
    for column in ("purchase_date", "warranty_end"):
        try:
            values[column] = _day(row[column]) if row.get(column) else None
        except ValueError:
            errors.append(
                _("the date “%(value)s” cannot be read (DD.MM.YYYY)") % {"value": row[column]}
            )
    try:
        values["price_cents"] = cents(row["price"]) if row.get("price") else None
    except (InvalidOperation, ValueError):
        errors.append(
            _("the price “%(value)s” cannot be read (e.g. 499,00)") % {"value": row["price"]}
        )
    number_key = "inv:" + row.get("inventory_number", "").lower()
    serial_key = f"serial:{school.pk if school else ''}:{row.get('serial', '').lower()}"
    for key, label in ((number_key, _("inventory number")), (serial_key, _("serial number"))):
        if key.endswith(":"):
            continue
        if seen.get(key) == 0:
            errors.append(_("a device with this %(what)s is stored already") % {"what": label})
        elif key in seen:
            errors.append(
                _("the %(what)s is in line %(line)s already") % {"what": label, "line": seen[key]}
            )
        else:
            seen[key] = number
    if errors or school is None:
        report.problem(number, "; ".join(errors))
        return None
    return {
        "school": school,
        "kind": kind,
        "inventory_number": row["inventory_number"],
        "serial": row.get("serial", ""),
        "model_name": row.get("model", ""),
        "funding_source": row.get("funding_source", ""),
        "managed_by": manager,
        "room_name": row.get("room", ""),
        "line": number,
        **values,
    }


def _stored(rows: list[tuple[int, dict[str, str]]], schools: QuerySet[School]) -> dict[str, int]:
    """The keys of devices stored already (line 0): inventory numbers, serials per school."""
    numbers = [row.get("inventory_number", "") for _line, row in rows]
    serials = [row.get("serial", "") for _line, row in rows if row.get("serial")]
    stored = {
        "inv:" + number.lower(): 0
        for number in Device.objects.filter(inventory_number__in=numbers).values_list(
            "inventory_number", flat=True
        )
    }
    for school_id, serial in Device.objects.filter(
        school__in=schools, serial__in=serials
    ).values_list("school_id", "serial"):
        stored[f"serial:{school_id}:{serial.lower()}"] = 0
    return stored


def run(
    data: bytes,
    *,
    schools: QuerySet[School],
    actor: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check every line, then store all devices in one transaction — or none."""
    report = Report()
    text = decode(data, report)
    if text is None:
        return report
    by_key = {}
    for school in schools:
        by_key[school.code.lower()] = school
        by_key[school.name.lower()] = school
    checked = []
    try:
        header, rows = _rows(text)
    except csv.Error as error:
        report.problem(0, _("The file is no readable CSV: %(error)s") % {"error": error})
        return report
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        # without them every line would only say that its columns are empty
        message = _(
            "The first line names the columns. Missing: %(missing)s. Columns that can be used: "
            "%(known)s."
        ) % {"missing": ", ".join(missing), "known": ", ".join(COLUMNS)}
        report.problem(1, message)
        return report
    report.lines = len(rows)
    if not rows:
        report.problem(0, _("The file has no lines with devices."))
    if len(rows) > MAX_LINES:
        report.problem(0, _("At most %(max)s lines at once.") % {"max": MAX_LINES})
        return report
    seen = _stored(rows, schools)
    for number, row in rows:
        item = _check(number, row, by_key, seen, report)
        if item is not None:
            checked.append(item)
    report.problems.sort()
    if not report.ok:
        return report
    with transaction.atomic():
        for done, item in enumerate(checked, start=1):
            room_name = item.pop("room_name")
            item.pop("line")
            if room_name:
                item["room"], _new = Room.objects.get_or_create(
                    school=item["school"], name=room_name[:100]
                )
            Device.objects.create(**item)
            if progress:
                progress(done, len(checked))
        report.created = len(checked)
        for school in {item["school"] for item in checked}:
            audit.record(
                "schools.devices.imported",
                actor=actor,
                authority=school.authority,
                obj=school,
                details={"devices": report.created},
            )
    return report
