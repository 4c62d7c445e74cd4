"""OParl properties → council fields, one table per object type (docs/oparl-import.md).

:func:`read_object` turns one OParl object (1.0 or 1.1) into :class:`Record` s: its own fields,
the objects it names (kept as their OParl ids, resolved after the walk) and the objects it
carries inside (a meeting's agenda items, a paper's consultations, a person's memberships,
files and locations), which many 1.0 servers offer nowhere else.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from rathaus.council import models as council
from rathaus.council.oparl_import import values
from rathaus.council.oparl_import.report import Report

TEXT, LIST, DATE, DATETIME, BOOL, INT, URL, JSON = (
    "text", "list", "date", "datetime", "bool", "int", "url", "json",
)  # fmt: skip


@dataclass(frozen=True)
class TypeSpec:
    model: type[models.Model]
    fields: dict[str, tuple[str, str]]  # OParl property → (model field, kind)
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)  # → (FK field, OParl type)
    many: dict[str, tuple[str, str]] = field(default_factory=dict)  # → (M2M field, OParl type)
    embeds: dict[str, tuple[str, str]] = field(default_factory=dict)  # → (type, parent prop)
    name_fallbacks: tuple[str, ...] = ()  # properties that stand in for a missing name
    required_refs: tuple[str, ...] = ()  # FK fields without which the row cannot be kept


_FILES = {"auxiliaryFile": ("auxiliary_files", "File")}

SPECS: dict[str, TypeSpec] = {
    "Body": TypeSpec(council.Body, {
        "name": ("name", TEXT), "shortName": ("short_name", TEXT), "website": ("website", URL),
        "ags": ("ags", TEXT), "rgs": ("rgs", TEXT), "equivalent": ("equivalent", LIST),
        "contactEmail": ("contact_email", TEXT), "contactName": ("contact_name", TEXT),
        "classification": ("classification", TEXT),
        "licenseValidSince": ("license_valid_since", DATETIME),
        "oparlSince": ("oparl_since", DATETIME),
    }),
    "LegislativeTerm": TypeSpec(council.LegislativeTerm, {
        "name": ("name", TEXT), "startDate": ("start_date", DATE), "endDate": ("end_date", DATE),
    }),
    "Location": TypeSpec(council.Location, {
        "description": ("description", TEXT), "streetAddress": ("street_address", TEXT),
        "room": ("room", TEXT), "postalCode": ("postal_code", TEXT),
        "subLocality": ("sub_locality", TEXT), "locality": ("locality", TEXT),
        "geojson": ("geojson", JSON),
    }),
    "File": TypeSpec(council.File, {
        "name": ("name", TEXT), "fileName": ("file_name", TEXT), "mimeType": ("mime_type", TEXT),
        "date": ("date", DATE), "size": ("size", INT), "sha1Checksum": ("sha1_checksum", TEXT),
        "sha512Checksum": ("sha512_checksum", TEXT),
        "accessUrl": ("external_access_url", URL), "downloadUrl": ("external_download_url", URL),
        "fileLicense": ("file_license", URL), "text": ("text", TEXT),
    }, refs={"masterFile": ("master_file", "File")}, name_fallbacks=("fileName",)),
    "Organization": TypeSpec(council.Organization, {
        "name": ("name", TEXT), "shortName": ("short_name", TEXT),
        "organizationType": ("organization_type", TEXT),
        "classification": ("classification", TEXT), "post": ("post", LIST),
        "startDate": ("start_date", DATE), "endDate": ("end_date", DATE),
        "website": ("website", URL), "externalBody": ("external_body", URL),
    }, refs={"location": ("location", "Location"),
             "subOrganizationOf": ("sub_organization_of", "Organization")},
       name_fallbacks=("shortName",)),
    "Person": TypeSpec(council.Person, {
        "name": ("name", TEXT), "familyName": ("family_name", TEXT),
        "givenName": ("given_name", TEXT), "formOfAddress": ("form_of_address", TEXT),
        "affix": ("affix", TEXT), "title": ("title", LIST), "gender": ("gender", TEXT),
        "phone": ("phone", LIST), "email": ("email", LIST), "status": ("status", LIST),
        "life": ("life", TEXT), "lifeSource": ("life_source", TEXT),
    }, refs={"location": ("location", "Location"),
             "locationObject": ("location", "Location")},
       embeds={"membership": ("Membership", "person")}),
    "Membership": TypeSpec(council.Membership, {
        "role": ("role", TEXT), "votingRight": ("voting_right", BOOL),
        "startDate": ("start_date", DATE), "endDate": ("end_date", DATE),
    }, refs={"person": ("person", "Person"), "organization": ("organization", "Organization"),
             "onBehalfOf": ("on_behalf_of", "Organization")},
       required_refs=("person", "organization")),
    "Meeting": TypeSpec(council.Meeting, {
        "name": ("name", TEXT), "meetingState": ("meeting_state", TEXT),
        "cancelled": ("cancelled", BOOL), "start": ("start", DATETIME), "end": ("end", DATETIME),
    }, refs={"location": ("location", "Location"), "invitation": ("invitation", "File"),
             "resultsProtocol": ("results_protocol", "File"),
             "verbatimProtocol": ("verbatim_protocol", "File")},
       many={"organization": ("organizations", "Organization"),
             "participant": ("participants", "Person"), **_FILES},
       embeds={"agendaItem": ("AgendaItem", "meeting")}),
    "AgendaItem": TypeSpec(council.AgendaItem, {
        "number": ("number", TEXT), "order": ("order", INT), "name": ("name", TEXT),
        "public": ("public", BOOL), "result": ("result", TEXT),
        "resolutionText": ("resolution_text", TEXT), "start": ("start", DATETIME),
        "end": ("end", DATETIME),
    }, refs={"meeting": ("meeting", "Meeting"), "resolutionFile": ("resolution_file", "File")},
       many=dict(_FILES), name_fallbacks=("number",), required_refs=("meeting",)),
    "Paper": TypeSpec(council.Paper, {
        "name": ("name", TEXT), "reference": ("reference", TEXT), "date": ("date", DATE),
        "paperType": ("paper_type", TEXT),
    }, refs={"mainFile": ("main_file", "File")},
       many={"relatedPaper": ("related_papers", "Paper"),
             "superordinatedPaper": ("superordinated_papers", "Paper"),
             "location": ("locations", "Location"),
             "originatorPerson": ("originator_persons", "Person"),
             "underDirectionOf": ("under_direction_of", "Organization"),
             "originatorOrganization": ("originator_organizations", "Organization"),
             **_FILES},
       embeds={"consultation": ("Consultation", "paper")}, name_fallbacks=("reference",)),
    "Consultation": TypeSpec(council.Consultation, {
        "authoritative": ("authoritative", BOOL), "role": ("role", TEXT),
    }, refs={"paper": ("paper", "Paper"), "agendaItem": ("agenda_item", "AgendaItem"),
             "meeting": ("meeting", "Meeting")},
       many={"organization": ("organizations", "Organization")}),
}  # fmt: skip

# The order in which records are stored: what a row must point to comes first.
ORDER = ("Location", "LegislativeTerm", "File", "Organization", "Person", "Membership",
         "Meeting", "AgendaItem", "Paper", "Consultation")  # fmt: skip
# OParl 1.1 Body properties that name the lists (1.0 servers offer only some of them).
BODY_LISTS = {
    "legislativeTerm": "LegislativeTerm", "legislativeTermList": "LegislativeTerm",
    "organization": "Organization", "person": "Person", "meeting": "Meeting", "paper": "Paper",
    "agendaItem": "AgendaItem", "consultation": "Consultation", "file": "File",
    "locationList": "Location", "membership": "Membership",
}  # fmt: skip
SUBORDINATED = "subordinated"  # kept as the sub paper's superordinated_papers
# How deep objects may be given inside each other (real servers: a body's meeting's agenda item's
# file's master file, about five); deeper ones are skipped, so no answer can exhaust the stack.
MAX_DEPTH = 12
ORIGIN_LENGTH = council.File._meta.get_field("origin").max_length or 500
GEOJSON_DEPTH = 12  # a GeometryCollection of MultiPolygons nests about eight
_MEETING_STATES = {state.value.lower(): state.value for state in council.Meeting.State}
_ORGANIZATION_TYPES = {kind.value.lower(): kind.value for kind in council.Organization.Type}


@dataclass
class Record:
    """One OParl object as the council will keep it, its references still OParl ids."""

    kind: str
    origin: str
    source: str  # the page it was read from, for the report
    fields: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # FK field → OParl id
    many: dict[str, list[str]] = field(default_factory=dict)  # M2M field → OParl ids
    created: datetime.datetime | None = None
    modified: datetime.datetime | None = None
    deleted: bool = False
    embedded: bool = False


def kind_of(value: Any) -> str | None:
    """``Meeting`` for ``https://schema.oparl.org/1.1/Meeting`` (and the 1.0 forms)."""
    if not isinstance(value, str) or "oparl.org" not in value:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1]


def read_object(
    obj: Any, source: str, report: Report, *, parent: tuple[str, str] | None = None,
    embedded: bool = False, emit: Callable[[Record], None], depth: int = 0,
) -> None:  # fmt: skip
    """Hand ``emit`` the record of ``obj`` and of every object it carries; what cannot be
    read is reported (skipped or noted) instead."""
    if depth > MAX_DEPTH:
        report.skip("?", source, f"objects given inside each other more than {MAX_DEPTH} deep")
        return
    if not isinstance(obj, dict):
        report.skip("?", source, "the list holds something that is not an object")
        return
    kind = kind_of(obj.get("type"))
    origin = obj.get("id")
    if kind is None:
        report.skip("?", _where(origin, source), "the object has no OParl type")
        return
    if not isinstance(origin, str) or not origin.startswith(("http://", "https://")):
        report.skip(kind, source, "the object has no id")
        return
    if len(origin) > ORIGIN_LENGTH:  # an id cannot be cut: it would name another object
        report.skip(kind, source, f"the id is longer than {ORIGIN_LENGTH} characters")
        return
    spec = SPECS.get(kind)
    if spec is None:
        if kind != "System":
            report.ignore(kind, origin)
        return
    record = Record(kind, origin, source, embedded=embedded)
    record.created = _moment(obj, "created", record, report)
    record.modified = _moment(obj, "modified", record, report)
    if obj.get("deleted") is True:
        record.deleted = True
        emit(record)
        return
    for prop, (name, how) in spec.fields.items():
        if prop in obj and obj[prop] is not None:
            _field(record, spec, prop, name, how, obj[prop], report)
    _common(record, obj, report)
    if parent is not None and parent[0] in spec.refs:
        record.refs.setdefault(spec.refs[parent[0]][0], parent[1])
    for prop, (name, _target) in spec.refs.items():
        if prop in obj and obj[prop] not in (None, ""):
            try:
                ident, inner = values.reference(obj[prop])
            except values.Unreadable as exc:
                report.note(kind, origin, f"{prop}: {exc}")
                continue
            record.refs[name] = ident
            if inner is not None:
                read_object(inner, source, report, embedded=True, emit=emit, depth=depth + 1)
    for prop, (name, _target) in spec.many.items():
        if prop in obj and obj[prop] not in (None, ""):
            try:
                found = values.references(obj[prop])
            except values.Unreadable as exc:
                report.note(kind, origin, f"{prop}: {exc}")
                continue
            record.many[name] = [ident for ident, _inner in found]
            for _ident, inner in found:
                if inner is not None:
                    read_object(inner, source, report, embedded=True, emit=emit, depth=depth + 1)
    for prop, (_target, parent_prop) in spec.embeds.items():
        inners = obj.get(prop)
        for inner in inners if isinstance(inners, list) else [inners]:
            if isinstance(inner, dict):
                read_object(inner, source, report, parent=(parent_prop, origin), embedded=True,
                            emit=emit, depth=depth + 1)  # fmt: skip
    if kind == "Paper":
        _subordinated(obj, record, report)
    if kind == "Body":
        for prop in ("legislativeTerm", "location"):
            given = obj.get(prop)
            for inner in given if isinstance(given, list) else [given]:
                if isinstance(inner, dict):
                    read_object(inner, source, report, embedded=True, emit=emit, depth=depth + 1)
    if not _named(record, spec, obj, report):
        return
    emit(record)


def _where(origin: Any, source: str) -> str:
    return origin if isinstance(origin, str) and origin.startswith("http") else source


def _moment(
    obj: dict[str, Any], prop: str, record: Record, report: Report
) -> datetime.datetime | None:
    try:
        return values.date_time(obj.get(prop))
    except values.Unreadable as exc:
        report.note(record.kind, record.origin, f"{prop}: {exc}")
        return None


def _field(record: Record, spec: TypeSpec, prop: str, name: str, how: str, value: Any,
           report: Report) -> None:  # fmt: skip
    model_field: Any = spec.model._meta.get_field(name)
    try:
        if how == TEXT:
            text, shortened = values.text(value, getattr(model_field, "max_length", None))
            if shortened:
                report.note(record.kind, record.origin, f"{prop}: shortened")
            if name == "meeting_state" and text:
                text = _MEETING_STATES.get(text.lower(), "")
                if not text:
                    raise values.Unreadable(f"{value!r} is no meeting state of OParl 1.1")
            if name == "organization_type" and text:
                text = _ORGANIZATION_TYPES.get(text.lower(), council.Organization.Type.OTHER)
            record.fields[name] = text
        elif how == LIST:
            record.fields[name] = values.text_list(value)
        elif how == DATE:
            record.fields[name] = values.date(value)
        elif how == DATETIME:
            record.fields[name] = values.date_time(value)
        elif how == BOOL:
            record.fields[name] = values.boolean(value)
        elif how == INT:
            record.fields[name] = values.integer(value)
        elif how == URL:
            record.fields[name] = values.url(value, model_field.max_length)
        elif how == JSON:
            if not isinstance(value, dict):
                raise values.Unreadable("not a GeoJSON object")
            if values.too_deep(value, GEOJSON_DEPTH):
                raise values.Unreadable(f"nested more than {GEOJSON_DEPTH} deep")
            record.fields[name] = value
    except values.Unreadable as exc:
        report.note(record.kind, record.origin, f"{prop}: {exc}")


def _common(record: Record, obj: dict[str, Any], report: Report) -> None:
    try:
        record.fields["keyword"] = values.text_list(obj.get("keyword"))
    except values.Unreadable as exc:
        report.note(record.kind, record.origin, f"keyword: {exc}")
    try:
        record.fields["license"] = values.url(obj.get("license"), 300)
    except values.Unreadable as exc:
        report.note(record.kind, record.origin, f"license: {exc}")


def _named(record: Record, spec: TypeSpec, obj: dict[str, Any], report: Report) -> bool:
    """False (and skipped) when the model needs a name and the object has none."""
    # Location, Membership and Consultation have no name.
    names: list[Any] = [f for f in spec.model._meta.get_fields() if f.name == "name"]
    if not names or names[0].blank or record.fields.get("name"):
        return True
    for prop in spec.name_fallbacks:
        text = obj.get(prop)
        if isinstance(text, str) and text.strip():
            record.fields["name"] = text.strip()[: names[0].max_length]
            return True
    if record.kind == "Person":
        parts = [record.fields.get("given_name", ""), record.fields.get("family_name", "")]
        if any(parts):
            name = " ".join(part for part in parts if part)
            record.fields["name"] = name[: names[0].max_length]
            return True
    report.skip(record.kind, record.origin, "the object has no name")
    return False


def _subordinated(obj: dict[str, Any], record: Record, report: Report) -> None:
    """``subordinatedPaper`` is the other side of ``superordinatedPaper``: kept there."""
    try:
        found = values.references(obj.get("subordinatedPaper"))
    except values.Unreadable as exc:
        report.note(record.kind, record.origin, f"subordinatedPaper: {exc}")
        return
    if found:
        record.many[SUBORDINATED] = [ident for ident, _inner in found]
