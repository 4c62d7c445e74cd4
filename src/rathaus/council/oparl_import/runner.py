"""One run of ``rathaus import-oparl``: System → Body → its lists → the council tables.

The walk reads everything first (:mod:`.client`, :mod:`.mapping`), then stores it in one
transaction (:mod:`.store`) with an audit entry ``council.oparl_imported``; the files' content
(``--files``) is fetched after that commit (:mod:`.files`). The audit entry also remembers,
per body, when the last complete run started: the next run asks only for what was
modified since (a few minutes earlier, so that clocks that differ a little lose nothing).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from rathaus.core import audit
from rathaus.core.models import AuditEvent, Authority
from rathaus.council.models import Body
from rathaus.council.oparl_import import files as file_contents
from rathaus.council.oparl_import.client import Client, Stop
from rathaus.council.oparl_import.mapping import BODY_LISTS, Record, kind_of, read_object
from rathaus.council.oparl_import.report import Report
from rathaus.council.oparl_import.store import store_all, store_body

ACTION = "council.oparl_imported"
OVERLAP = datetime.timedelta(minutes=5)


class ImportFailed(Exception):
    """Nothing could be read or the source does not fit; the message says why."""


def last_complete_run(authority: Authority, body_origin: str) -> datetime.datetime | None:
    """When the last complete import of this body into this authority started."""
    entry = (
        AuditEvent.objects.filter(action=ACTION, authority=authority, details__body=body_origin,
                                  details__complete=True)
        .order_by("-created_at").values_list("details", flat=True).first()
    )  # fmt: skip
    if not entry or not entry.get("started"):
        return None
    return datetime.datetime.fromisoformat(entry["started"])


def run(
    url: str, authority: Authority, *, body: str | None = None,
    since: datetime.datetime | None = None, full: bool = False, files: bool = False,
    max_pages: int | None = None, progress: Callable[[str], None] | None = None,
) -> Report:  # fmt: skip
    """Import the body at (or under) ``url`` into the council of ``authority``."""
    say = progress or (lambda line: None)
    started = timezone.now()
    report = Report(url)
    client = Client(report, max_pages=max_pages, progress=say)
    try:
        start = client.get(url)
    except Stop as exc:
        raise ImportFailed(str(exc)) from None
    if start is None:
        raise ImportFailed(f"{url} cannot be read: {report.problems[-1][1]}")
    source_body = _choose_body(client, url, start, body)
    origin = source_body["id"]
    local = Body.objects.filter(authority=authority).first()
    if local is not None and local.origin and local.origin != origin:
        raise ImportFailed(
            f"the council of {authority.slug} was imported from {local.origin}, not from {origin}"
        )
    if since is None and not full:
        previous = last_complete_run(authority, origin)
        since = previous - OVERLAP if previous else None
    say(f"Body {origin}" + (f", modified since {since.isoformat()}" if since else ", complete"))
    records: dict[tuple[str, str], Record] = {}
    body_records: list[Record] = []

    def keep(record: Record) -> None:
        report.objects += 1
        if record.kind == "Body":
            body_records.append(record)
            return
        key = (record.kind, record.origin)
        old = records.get(key)
        if old is None or _better(record, old):
            if old is not None:
                for name, ident in old.refs.items():
                    record.refs.setdefault(name, ident)
            records[key] = record

    read_object(source_body, url, report, emit=keep)
    try:
        for prop, kind in BODY_LISTS.items():
            address = source_body.get(prop)
            if not isinstance(address, str):
                continue  # not offered, or given inside the body (1.0 legislative terms)
            report.lists += 1
            say(f"{kind}: {address}")
            for page, item in client.walk(address, since.isoformat() if since else None):
                read_object(item, page, report, emit=keep)
    except Stop as exc:
        report.problem(url, f"{exc}; the walk stopped there")
    if not body_records:
        raise ImportFailed(f"{origin}: the body cannot be imported (it has no name)")
    with transaction.atomic():
        local = local or Body(authority=authority, name=body_records[0].fields["name"])
        store_body(local, body_records[0], report)
        kept = store_all(local, records, report, say)
        audit.record(ACTION, actor_name="system", authority=authority, obj=local, details={
            **report.as_details(), "body": origin, "started": started.isoformat(),
            "since": since.isoformat() if since else None,
        })  # fmt: skip
    if files:
        # after the commit, one short transaction per file: downloads, virus scans and text
        # reading must not hold the database's write lock (SQLite has only one)
        file_contents.fetch_all(client, local, kept.get("File", {}), report, say)
    return report


def _better(new: Record, old: Record) -> bool:
    """A list's object beats one given inside another; otherwise the newer one wins."""
    if old.embedded != new.embedded:
        return old.embedded
    return bool(new.modified and (old.modified is None or new.modified > old.modified))


def _choose_body(client: Client, url: str, start: Any, wanted: str | None) -> dict[str, Any]:
    kind = kind_of(start.get("type")) if isinstance(start, dict) else None
    if kind == "Body":
        bodies = [start]
    elif kind == "System":
        listed = start.get("body")
        if isinstance(listed, str):
            bodies = [item for _page, item in client.walk(listed)]
        elif isinstance(listed, list):
            bodies = listed
        else:
            raise ImportFailed(f"{url}: the system names no bodies")
        bodies = [client.get(b) if isinstance(b, str) else b for b in bodies]
        bodies = [b for b in bodies if isinstance(b, dict) and isinstance(b.get("id"), str)]
    else:
        raise ImportFailed(f"{url} is neither an OParl System nor a Body")
    if wanted:
        bodies = [b for b in bodies if b["id"] == wanted or b["id"].rstrip("/").endswith(
            "/" + wanted.strip("/"))]  # fmt: skip
    if len(bodies) == 1:
        chosen: dict[str, Any] = bodies[0]
        return chosen
    if not bodies:
        raise ImportFailed(f"{url}: no body " + (f"{wanted!r} " if wanted else "") + "found")
    names = ", ".join(f"{b['id']} ({b.get('name', '')})" for b in bodies)
    raise ImportFailed(f"{url} has several bodies; choose one with --body: {names}")
