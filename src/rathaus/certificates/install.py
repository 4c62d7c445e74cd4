"""Installing the certificate portal for an authority: its fee table, the order form and the
process model (ADR 0050).

Everything is data shipped in ``certificates/data``: ``form.json`` (a form package without an
authority), ``process/`` (the BPMN model with its task forms) and ``fees/<authority>.json`` (the
authority's fees). :func:`install` puts them in place; installing the same data again changes
nothing. ``rathaus install-certificates --authority <slug>`` and the demo call it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from rathaus.core.models import Authority
from rathaus.core.service_tasks import service_tasks
from rathaus.forms import packages as form_packages
from rathaus.forms.models import FormDefinition
from rathaus.payments.models import Fee
from rathaus.processes import packages as process_packages

DATA = Path(__file__).parent / "data"
FORM_PACKAGE = DATA / "form.json"
PROCESS_DIRECTORY = DATA / "process"
FEES_DIRECTORY = DATA / "fees"
FORM_SLUG = "urkunde-bestellen"


class InstallError(ValueError):
    """The data cannot be installed; the message says why (for the command line)."""


@dataclass
class Report:
    fees: Counter[str] = field(default_factory=Counter)
    form: str = ""
    process: str = ""
    notes: list[str] = field(default_factory=list)


def fee_codes(package: Mapping[str, Any]) -> set[str]:
    """The fee-table codes the order form's fee declaration names."""
    items = (package.get("fee") or {}).get("items", [])
    return {item["fee"] for item in items if isinstance(item, dict) and item.get("fee")}


def read_fees(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InstallError(f"{path.name}: cannot be read as JSON ({exc})") from None
    rows = data.get("fees") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise InstallError(f"{path.name}: a fee file has a non-empty list 'fees'")
    for row in rows:
        missing = [name for name in ("code", "label", "amount_cents") if name not in row]
        if missing:
            raise InstallError(f"{path.name}: a fee has no {', '.join(missing)}: {row}")
        amounts = [row["amount_cents"], row.get("further_copy_cents") or 0]
        if not all(isinstance(value, int) and value >= 0 for value in amounts):
            raise InstallError(f"{path.name}: amounts are whole cents, not negative: {row}")
    return rows


def load_fees(authority: Authority, rows: list[dict[str, Any]]) -> Counter[str]:
    """Put the rows into the authority's fee table: new codes are added, changed ones updated
    (and made active), the same data changes nothing. Counts created/updated/unchanged."""
    tally: Counter[str] = Counter()
    for row in rows:
        values = {
            "label": row["label"],
            "amount_cents": row["amount_cents"],
            "further_copy_cents": row.get("further_copy_cents"),
            "legal_basis": row.get("legal_basis", ""),
            "active": True,
        }
        fee = Fee.objects.filter(authority=authority, code=row["code"]).first()
        if fee is None:
            Fee.objects.create(authority=authority, code=row["code"], **values)
            tally["created"] += 1
            continue
        changed = [name for name, value in values.items() if getattr(fee, name) != value]
        if changed:
            for name in changed:
                setattr(fee, name, values[name])
            fee.save(update_fields=changed)
            tally["updated"] += 1
        else:
            tally["unchanged"] += 1
    return tally


def missing_topics(bpmn: str) -> list[str]:
    """Service-task topics the model names that no app registered (a payments app missing)."""
    import re

    topics = set(re.findall(r'camunda:topic="([^"]+)"', bpmn))
    return sorted(topic for topic in topics if topic not in service_tasks)


def install(
    authority: Authority, *, fees_path: Path | None = None, actor_name: str = "rathaus"
) -> Report:
    """Install (or update) the fee table, the order form and its process for ``authority``."""
    report = Report()
    package = form_packages.read(FORM_PACKAGE)
    path = fees_path or FEES_DIRECTORY / f"{authority.slug}.json"
    if not path.exists():
        raise InstallError(
            f"no fee file for {authority.slug}: give one with --fees (format: "
            f"{FEES_DIRECTORY.name}/README.md)"
        )
    rows = read_fees(path)
    absent = fee_codes(package) - {row["code"] for row in rows}
    if absent:
        raise InstallError(f"{path.name} lacks the fee codes {', '.join(sorted(absent))}")
    with transaction.atomic():
        report.fees = load_fees(authority, rows)
        version, report.form = form_packages.install(package, authority=authority)
        report.process = _install_process(authority, version.definition, actor_name, report)
    return report


def _install_process(
    authority: Authority, form: FormDefinition, actor_name: str, report: Report
) -> str:
    bpmn, _forms = process_packages.read_directory(PROCESS_DIRECTORY)
    missing = missing_topics(bpmn)
    if missing:
        # Without the payment handlers the model cannot run; the form then follows the default
        # process until they are installed and this runs again.
        report.notes.append(
            "process model not installed: no handler for " + ", ".join(missing) + " yet"
        )
        return "skipped"
    return process_packages.install_for_form(
        form, slug=f"{authority.slug}-urkunde", name="Urkunde bestellen",
        directory=PROCESS_DIRECTORY, actor_name=actor_name,
    )  # fmt: skip


def order_form(authority: Authority) -> FormDefinition | None:
    """The authority's published certificate order form, if installed."""
    return form_packages.published_form(authority, FORM_SLUG)
