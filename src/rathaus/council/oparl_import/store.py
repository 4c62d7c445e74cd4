"""Keeping the records of a walk: upsert by OParl id, then the references (second pass).

Rows are found by ``origin`` (the OParl id, unique per body) and saved with ``touch=False`` so
that they keep the source's ``created`` and ``modified``. The types are stored in an order in
which what a row must point to (a membership's person, an agenda item's meeting) is there first,
from this walk or an earlier one; the other references and the many-to-many ones are set once
every row exists, so the order of the lists at the source does not matter. A row that cannot be
kept (the database refuses it) is skipped with the reason, inside its own savepoint.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Model
from django.utils import timezone

from rathaus.core.files import release
from rathaus.council.models import Body, Paper
from rathaus.council.oparl_import.files import keep_checked
from rathaus.council.oparl_import.mapping import ORDER, SPECS, SUBORDINATED, Record
from rathaus.council.oparl_import.report import Report

CHUNK = 500


def store_body(body: Body, record: Record, report: Report) -> None:
    new = body.pk is None
    changed = _apply(body, record)
    if new:
        body.origin = record.origin
        body.created = record.created or timezone.now()
        body.modified = record.modified or timezone.now()
        body.save(touch=False)
        report.count("Body", "created")
    elif changed or body.origin != record.origin:
        body.origin = record.origin
        body.modified = record.modified or timezone.now()
        body.save(touch=False)
        report.count("Body", "updated")
    else:
        report.count("Body", "unchanged")


def store_all(body: Body, records: dict[tuple[str, str], Record], report: Report,
              progress: Callable[[str], None]) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Upsert every record; the rows kept, by type and OParl id."""
    kept: dict[str, dict[str, Any]] = defaultdict(dict)
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in records.values():
        by_kind[record.kind].append(record)
    resolver = _Resolver(body)
    for kind in ORDER:
        batch = by_kind.get(kind, [])
        if not batch:
            continue
        model = SPECS[kind].model
        existing = resolver.rows(kind, [record.origin for record in batch])
        for record in batch:
            row = _upsert(body, model, existing.get(record.origin), record, resolver, report)
            if row is not None:
                kept[kind][record.origin] = row
                resolver.known[kind][record.origin] = row.pk
        progress(f"  {len(batch)} {kind} stored")
    for kind in ORDER:
        for record in by_kind.get(kind, []):
            row = kept[kind].get(record.origin)
            if row is not None and not record.deleted:
                _late_references(row, record, resolver, report)
    return kept


def _upsert(body: Body, model: type[Model], row: Any, record: Record, resolver: _Resolver,
            report: Report) -> Any:  # fmt: skip
    spec = SPECS[record.kind]
    if record.deleted:
        if row is None:
            return None  # deleted before we ever saw it: nothing to keep
        if row.deleted:
            report.count(record.kind, "unchanged")
            return row
        row.deleted = True
        row.modified = record.modified or timezone.now()
        row.save(touch=False, update_fields=["deleted", "modified"])
        report.count(record.kind, "deleted")
        return row
    values = dict(record.fields)
    for name in spec.required_refs:
        ident = record.refs.get(name)
        pk = resolver.pk(SPECS[record.kind].refs[_prop(spec, name)][1], ident)
        if pk is None:
            report.skip(record.kind, record.origin, f"its {name.replace('_', ' ')} is unknown "
                                                    f"({ident or 'not named'})")  # fmt: skip
            return None
        values[f"{name}_id"] = pk
    start, end = values.get("start"), values.get("end")
    if record.kind == "Meeting" and start and end and end < start:
        report.note(record.kind, record.origin, "end: before the start")
        values["end"] = None
    if record.kind == "File" and values.get("text"):
        values["text_state"] = "done"
    let_go = keep_checked(row, values) if record.kind == "File" and row is not None else None
    if row is None:
        row = model(body=body, origin=record.origin, **values)
        row.created = record.created or timezone.now()
        row.modified = record.modified or timezone.now()
        outcome = "created"
    else:
        changed = any(getattr(row, name) != value for name, value in values.items())
        if not changed and not row.deleted:
            report.count(record.kind, "unchanged")
            return row
        for name, value in values.items():
            setattr(row, name, value)
        row.deleted = False
        row.modified = record.modified or timezone.now()
        if record.created:
            row.created = record.created
        outcome = "updated"
    try:
        with transaction.atomic():
            row.full_clean(exclude=_unchecked(model))
            row.save(touch=False)
    except Exception as exc:  # the database or a check refused this row only
        reason = getattr(exc, "message_dict", None) or str(exc)
        report.skip(record.kind, record.origin, f"not kept: {str(reason)[:200]}")
        return None
    if let_go is not None:
        release([let_go])  # the content kept here is no longer the source's
    report.count(record.kind, outcome)
    return row


def _unchecked(model: type[Model]) -> list[str]:
    """Fields full_clean leaves to the second pass or to the database (references, origin)."""
    return [f.name for f in model._meta.get_fields()
            if f.is_relation or f.name in {"origin", "license"}]  # fmt: skip


def _prop(spec: Any, field_name: str) -> str:
    return str(next(prop for prop, (name, _kind) in spec.refs.items() if name == field_name))


def _late_references(row: Any, record: Record, resolver: _Resolver, report: Report) -> None:
    spec = SPECS[record.kind]
    changed_fields = []
    for prop, (name, target) in spec.refs.items():
        if name in spec.required_refs:
            continue
        ident = record.refs.get(name)
        pk = resolver.pk(target, ident) if ident else None
        if ident and pk is None:
            report.note(record.kind, record.origin, f"{prop}: {ident} is unknown")
        if getattr(row, f"{name}_id") != pk:
            setattr(row, f"{name}_id", pk)
            changed_fields.append(f"{name}_id")
    if changed_fields:
        row.save(touch=False, update_fields=changed_fields)
    for prop, (name, target) in spec.many.items():
        if name not in record.many:
            continue  # not given: left as it is (the other side of related papers)
        idents = record.many[name]
        pks = set()
        for ident in idents:
            pk = resolver.pk(target, ident)
            if pk is None:
                report.note(record.kind, record.origin, f"{prop}: {ident} is unknown")
            else:
                pks.add(pk)
        manager = getattr(row, name)
        if set(manager.values_list("pk", flat=True)) != pks:
            manager.set(pks)
    for ident in record.many.get(SUBORDINATED, []):
        pk = resolver.pk("Paper", ident)
        if pk is not None:
            Paper.superordinated_papers.through.objects.get_or_create(
                from_paper_id=pk, to_paper_id=row.pk
            )


class _Resolver:
    """OParl id → primary key per type, for this body, asked for in chunks and remembered."""

    def __init__(self, body: Body) -> None:
        self.body = body
        self.known: dict[str, dict[str, int]] = defaultdict(dict)
        self.missing: dict[str, set[str]] = defaultdict(set)

    def rows(self, kind: str, origins: Iterable[str]) -> dict[str, Any]:
        model: Any = SPECS[kind].model
        found: dict[str, Any] = {}
        origins = list(origins)
        for start in range(0, len(origins), CHUNK):
            chunk = origins[start : start + CHUNK]
            rows = model._default_manager.filter(body=self.body, origin__in=chunk)
            if kind == "File":
                rows = rows.select_related("stored")  # the media type of checked content
            for row in rows:
                found[row.origin] = row
        return found

    def pk(self, kind: str, ident: str | None) -> int | None:
        if not ident:
            return None
        known = self.known[kind]
        if ident in known:
            return known[ident]
        if ident in self.missing[kind]:
            return None
        row = (SPECS[kind].model._default_manager.filter(body=self.body, origin=ident)
               .values_list("pk", flat=True).first())  # fmt: skip
        if row is None:
            self.missing[kind].add(ident)
            return None
        known[ident] = int(row)
        return int(row)


def _apply(body: Body, record: Record) -> bool:
    changed = False
    for name, value in record.fields.items():
        if getattr(body, name) != value:
            setattr(body, name, value)
            changed = True
    return changed


__all__ = ["DatabaseError", "store_all", "store_body"]
