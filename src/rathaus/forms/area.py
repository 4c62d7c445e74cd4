"""A form's validation with the checks that need the database: an address question marked
``in_area`` must lie in the area of the authority that offers the form (``core.streets``)."""

from __future__ import annotations

from typing import Any

from rathaus.core.streets import address_problem
from rathaus.forms.engine import FormSpec, get_path
from rathaus.forms.models import FormVersion


def errors(
    version: FormVersion, spec: FormSpec, data: Any, step: int | None = None
) -> dict[str, list[str]]:
    """``spec.errors`` plus the area check, German messages by field path."""
    result = spec.errors(data, step=step)
    for path, element in spec.fields():
        if not element.in_area or "*" in path.split(".") or path in result:
            continue
        if step is not None and spec.step_of_template(path) != step:
            continue
        address = get_path(data, path) if isinstance(data, dict) else None
        if not isinstance(address, dict):
            continue
        problem = address_problem(
            version.definition.authority,
            street=str(address.get("street", "")),
            postal_code=str(address.get("postal_code", "")),
            place=str(address.get("place", "")),
        )
        if problem:
            result[path] = [problem]
    return result
