"""The demo's file plan (``data/demo-file-plan.json``), its e-files (``data/demo-files.json``,
see :mod:`rathaus.documents.demo_files`) and the files of the demo's cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.documents.models import Subject

FILE_PLAN = Path(__file__).parent / "data" / "demo-file-plan.json"


def file_plan() -> dict[str, list[dict[str, Any]]]:
    return dict(json.loads(FILE_PLAN.read_text(encoding="utf-8"))["authorities"])


def load(tally: Tally) -> None:
    """Load the file plan of each demo authority and the demo's e-files, then file every case
    of them that lacks something (the demo may run without a worker)."""
    from rathaus.cases.models import Case
    from rathaus.documents import demo_files, filing

    for slug, entries in file_plan().items():
        authority = Authority.objects.filter(slug=slug).first()
        if authority is None:
            continue
        subjects: dict[str, Subject] = {}
        for entry in entries:
            parent = entry["parent"]
            subjects[entry["code"]] = tally.upsert(
                Subject,
                {"authority": authority, "code": entry["code"]},
                {
                    "title": entry["title"],
                    "parent": subjects[parent] if parent else None,
                    "retention_years": entry["retention_years"],
                    "disposal": entry.get("disposal", Subject.Disposal.DESTROY),
                    "legal_basis": entry.get("legal_basis", ""),
                },
            )
    demo_files.load(tally)
    for slug in file_plan():
        authority = Authority.objects.filter(slug=slug).first()
        if authority is None:
            continue
        filed = filing.file_all(Case.objects.filter(authority=authority))
        if filed:
            tally["Case filed: updated"] += filed
