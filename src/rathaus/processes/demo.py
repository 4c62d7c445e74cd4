"""Demo: the "Anliegen an die Gemeinde" of Barleben runs its own process model."""

from __future__ import annotations

from pathlib import Path

from rathaus.core.demo import Tally
from rathaus.forms.models import FormDefinition
from rathaus.processes import packages
from rathaus.processes.models import ProcessModel

ANLIEGEN_DIRECTORY = Path(__file__).parent / "data" / "anliegen"


def load(tally: Tally) -> None:
    form = FormDefinition.objects.filter(authority__slug="barleben", slug="anliegen").first()
    if form is None:
        return
    model = tally.upsert(
        ProcessModel,
        {"slug": "barleben-anliegen"},
        {"name": "Anliegen beantworten", "authority": form.authority, "form": form},
    )
    bpmn, forms = packages.read_directory(ANLIEGEN_DIRECTORY)
    _version, created = packages.add_version(model, bpmn, forms, actor_name="rathaus demo-data")
    tally[f"ProcessVersion: {'created' if created else 'unchanged'}"] += 1
