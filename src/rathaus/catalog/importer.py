"""Import of the OZG service catalogue CSV (one row per LeiKa service).

The import is idempotent: rows are matched by their natural key (the LeiKa key, or OZG-ID and
name for services the LeiKa does not list), new rows are created, changed rows updated and the
rest left alone. Malformed rows are reported with their line number in the file and skipped;
the good rows are imported all the same.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from rathaus.catalog import services as catalog_services
from rathaus.catalog.keys import is_leika_key
from rathaus.catalog.models import LifeSituation, OzgService, Service, Topic
from rathaus.core import pagecache

COLUMNS = (
    "themenfeld", "lebenslage", "ozg_id", "ozg_leistung", "leika_schluessel", "leistung",
    "leika_typ", "rechtsgrundlage", "gesetze_kurz",
)  # fmt: skip
NOT_IN_LEIKA = "nicht im LeiKa"
SAMPLE = Path(__file__).parent / "data" / "leistungen-sample.csv"
_OZG_ID = re.compile(r"\d{5}")


class CatalogFileError(Exception):
    """The file as a whole cannot be read (encoding, columns, broken CSV)."""


@dataclass
class Row:
    line: int
    topic: str
    life_situation: str
    ozg_id: str
    ozg_name: str
    leika_key: str | None
    name: str
    leika_type: str
    legal_basis: str
    laws: str

    @property
    def natural_key(self) -> tuple[str, str]:
        return ("leika", self.leika_key) if self.leika_key else (self.ozg_id, self.name)


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogFileError(
            f"line {line}: the file is not UTF-8 encoded (byte {exc.start}); "
            "save it as UTF-8 and try again"
        ) from None


def read_rows(data: bytes, report: Report) -> Iterator[Row]:
    """Parse and validate the rows; malformed ones go into ``report.rejected``."""
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    header = tuple(name.strip() for name in reader.fieldnames or ())
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise CatalogFileError(
            f"line 1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
        )
    reader.fieldnames = list(header)
    start = reader.line_num + 1
    try:
        for raw in reader:
            line, start = start, reader.line_num + 1
            report.rows += 1
            row, problem = _validate(line, raw)
            if problem:
                report.rejected.append(f"line {line}: {problem}")
            elif row is not None:
                yield row
    except csv.Error as exc:
        raise CatalogFileError(f"line {reader.line_num}: broken CSV ({exc})") from None


def _validate(line: int, raw: dict[str | None, str | list[str] | None]) -> tuple[Row | None, str]:
    if None in raw:
        return None, "more fields than columns"
    values = {
        key: value.strip() if isinstance(value, str) else ""
        for key, value in raw.items()
        if isinstance(key, str)
    }
    if any(raw.get(column) is None for column in COLUMNS):
        return None, "fewer fields than columns (truncated line?)"
    if not values["leistung"]:
        return None, "the service name (leistung) is empty"
    key = values["leika_schluessel"]
    if key in {NOT_IN_LEIKA, ""}:
        leika_key = None
    elif is_leika_key(key):
        leika_key = key
    else:
        return None, f"invalid LeiKa key {key!r} (14 digits starting with 99 expected)"
    ozg_id = values["ozg_id"]
    if ozg_id and not _OZG_ID.fullmatch(ozg_id):
        return None, f"invalid OZG-ID {ozg_id!r} (5 digits expected)"
    if ozg_id and not (values["themenfeld"] and values["lebenslage"] and values["ozg_leistung"]):
        return None, "an OZG-ID needs a Themenfeld, a Lebenslage and an OZG-Leistung"
    return Row(
        line=line, topic=values["themenfeld"], life_situation=values["lebenslage"],
        ozg_id=ozg_id, ozg_name=values["ozg_leistung"], leika_key=leika_key,
        name=values["leistung"][:300], leika_type=values["leika_typ"][:20],
        legal_basis=values["rechtsgrundlage"], laws=values["gesetze_kurz"][:300],
    ), ""  # fmt: skip


def import_catalog(data: bytes, progress: Callable[[str], None] | None = None) -> Report:
    """Import the whole file in one transaction and return what happened."""
    report = Report()
    rows: list[Row] = []
    first_line: dict[tuple[str, str], int] = {}
    for row in read_rows(data, report):
        if row.natural_key in first_line:
            report.duplicates.append(
                f"line {row.line}: same service as line {first_line[row.natural_key]}, skipped"
            )
            continue
        first_line[row.natural_key] = row.line
        rows.append(row)
    if progress:
        progress(f"{report.rows} rows read, {len(rows)} to import")
    with transaction.atomic():
        ozg_services = _import_structure(rows)
        _import_services(rows, ozg_services, report, progress)
    return report


def _import_structure(rows: list[Row]) -> dict[str, OzgService]:
    topics = {topic.name: topic for topic in Topic.objects.all()}
    for name in sorted({row.topic for row in rows if row.ozg_id} - set(topics)):
        topics[name] = Topic.objects.create(name=name, slug=_unique_slug(name, Topic))
    situations = {(ls.topic_id, ls.name): ls for ls in LifeSituation.objects.all()}
    ozg = {service.ozg_id: service for service in OzgService.objects.all()}
    for row in rows:
        if not row.ozg_id:
            continue
        topic = topics[row.topic]
        situation = situations.get((topic.pk, row.life_situation))
        if situation is None:
            situation = LifeSituation.objects.create(
                topic=topic, name=row.life_situation, slug=slugify(row.life_situation)[:150]
            )
            situations[(topic.pk, row.life_situation)] = situation
        existing = ozg.get(row.ozg_id)
        if existing is None:
            ozg[row.ozg_id] = OzgService.objects.create(
                ozg_id=row.ozg_id, name=row.ozg_name, life_situation=situation
            )
        elif (existing.name, existing.life_situation_id) != (row.ozg_name, situation.pk):
            existing.name, existing.life_situation = row.ozg_name, situation
            existing.save(update_fields=["name", "life_situation"])
    return ozg


def _unique_slug(name: str, model: type[Topic]) -> str:
    base = slugify(name)[:90] or "thema"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


_FIELDS = ("name", "ozg_service_id", "leika_type", "legal_basis", "laws")


def _import_services(
    rows: list[Row],
    ozg: dict[str, OzgService],
    report: Report,
    progress: Callable[[str], None] | None,
) -> None:
    existing: dict[tuple[str, str], Service] = {}
    for service in Service.objects.select_related("ozg_service").iterator(chunk_size=2000):
        if service.leika_key:
            existing[("leika", service.leika_key)] = service
        else:
            ozg_id = service.ozg_service.ozg_id if service.ozg_service else ""
            existing[(ozg_id, service.name)] = service
    new: list[Service] = []
    changed: list[Service] = []
    for row in rows:
        values = {
            "name": row.name,
            "ozg_service_id": ozg[row.ozg_id].pk if row.ozg_id else None,
            "leika_type": row.leika_type,
            "legal_basis": row.legal_basis,
            "laws": row.laws,
        }
        found = existing.get(row.natural_key)
        if found is None:
            service = Service(leika_key=row.leika_key, **values)
            service.ozg_service = ozg[row.ozg_id] if row.ozg_id else None
            service.search_name, service.search_extra = catalog_services.search_fields(service)
            new.append(service)
            continue
        service = found
        if any(getattr(service, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(service, name, value)
            service.ozg_service = ozg[row.ozg_id] if row.ozg_id else None
            service.search_name, service.search_extra = catalog_services.search_fields(service)
            changed.append(service)
        else:
            report.unchanged += 1
    if progress and (new or changed):
        progress(f"{len(new)} new, {len(changed)} to update")
    Service.objects.bulk_create(new, batch_size=500)
    Service.objects.bulk_update(changed, [*_FIELDS, "search_name", "search_extra"], batch_size=500)
    pagecache.invalidate_all()  # bulk writes send no signals
    report.created, report.updated = len(new), len(changed)
