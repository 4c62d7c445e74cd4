"""What a service package adds to its forms: checks and scripts (ADR 0054).

**Checks** (``{"kind": "check", "check": "<id>", "field": "<path>"}`` in ``layout["rules"]``):
the built-in rule kinds compare answers with each other. A rule that needs the law of one
service (the 48-hour notice period of an assembly, a GeoJSON line) is a function that a service
package registers in ``form_checks`` in its ``AppConfig.ready()`` and names in its form's
layout; the engine runs it wherever it checks the other rules (each posted step, the check page,
the API), not in the browser. The rule applies while its ``field`` is asked. A check takes the
form's data and gives ``(path, German message)`` for every problem, ``[]`` when the data is fine;
it must not raise for unexpected data (the schema reports wrong types).

**Scripts** (``"scripts": ["<id>"]`` in the layout): a package's JavaScript and CSS for the step
pages of its form, e.g. a map to draw a route. The form must work without them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rathaus.core.plugins import Registry

Check = Callable[[Mapping[str, Any]], list[tuple[str, str]]]

form_checks: Registry[Check] = Registry("form check")


@dataclass(frozen=True)
class FormScript:
    """Static files (paths under STATIC_URL) and settings for the script, read when a page is
    shown; the settings reach the page as JSON (``json_script``, id ``form-script-<id>``)."""

    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    options: Callable[[], dict[str, Any]] = field(default=dict)


form_scripts: Registry[FormScript] = Registry("form script")


def scripts_of(layout: Mapping[str, Any]) -> list[tuple[str, FormScript]]:
    """The registered scripts a layout names, in its order (unknown ids are skipped: the
    definition check reports them, and the form works without its scripts)."""
    found = []
    for script_id in layout.get("scripts", []) or []:
        if isinstance(script_id, str) and script_id in form_scripts.ids():
            found.append((script_id, form_scripts.get(script_id)))
    return found


def script_problems(raw: Any) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        return ["The layout's 'scripts' must be a list of script names."]
    return [
        f"The layout names the script {item!r}, which is not registered "
        f"(registered: {', '.join(form_scripts.ids()) or 'none'})."
        for item in raw
        if item not in form_scripts.ids()
    ]
