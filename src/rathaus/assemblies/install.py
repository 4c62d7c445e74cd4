"""Installing the assembly notice (Versammlungsanzeige) for an assembly authority: the form and
its process model (ADR 0054).

Everything is data shipped in ``assemblies/data``: ``form.json`` (a form package without an
authority; it links itself to the authority's catalogue offer for LeiKa 99089016000000),
``process.bpmn`` with the task forms in ``forms/``. Installing the same data again changes
nothing. ``rathaus install-assemblies --authority <slug>`` and the demo call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from rathaus.core.models import Authority
from rathaus.forms import packages as form_packages
from rathaus.forms.models import FormDefinition
from rathaus.processes import packages as process_packages

DATA = Path(__file__).parent / "data"
FORM_PACKAGE = DATA / "form.json"
PROCESS_DIRECTORY = DATA
FORM_SLUG = "versammlungsanzeige"
LEIKA_KEY = "99089016000000"


class InstallError(ValueError):
    """The data cannot be installed; the message says why (for the command line)."""


@dataclass
class Report:
    form: str = ""
    process: str = ""
    offer: str = ""


def install(authority: Authority, *, actor_name: str = "rathaus") -> Report:
    """Install (or update) the notice form and its process for ``authority``."""
    package = form_packages.read(FORM_PACKAGE)
    report = Report()
    with transaction.atomic():
        version, report.form = form_packages.install(package, authority=authority)
        definition = version.definition
        offer = definition.offer
        report.offer = str(offer) if offer is not None else ""
        report.process = _install_process(authority, definition, actor_name)
    return report


def _install_process(authority: Authority, form: FormDefinition, actor_name: str) -> str:
    return process_packages.install_for_form(
        form, slug=f"{authority.slug}-versammlung", name="Versammlungsanzeige",
        directory=PROCESS_DIRECTORY, actor_name=actor_name,
    )  # fmt: skip


def notice_form(authority: Authority) -> FormDefinition | None:
    """The authority's published notice form, if installed."""
    return form_packages.published_form(authority, FORM_SLUG)
