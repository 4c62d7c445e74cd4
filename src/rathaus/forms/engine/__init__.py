"""The forms engine: reads a form version (JSON Schema + layout), turns posted answers into data,
validates data with German messages and prepares everything the templates show.

The format is described in ``docs/forms.md``. Nothing here touches the database, so the same
functions serve the pages, the API and the property tests. The modules, each with one reason to
change:

- ``widgets``: the field types, the JSON types they store, the string formats checked and the
  validator (Draft 2020-12 plus ``formatMinimum``/``formatMaximum`` for dates);
- ``layout``: the layout read into steps, elements, choices and conditions;
- ``paths``: reading and writing data by path (``children.0.name``);
- ``reading``: posted answers turned into data, hidden answers dropped;
- ``messages``: German messages for validation errors;
- ``definition``: every problem of a schema/layout pair, for staff;
- ``spec``: ``FormSpec``, which ties them together;
- ``errors``: ``DefinitionError``.
"""

from rathaus.forms.engine.definition import definition_problems
from rathaus.forms.engine.errors import DefinitionError
from rathaus.forms.engine.layout import Choice, Condition, Element, Step
from rathaus.forms.engine.paths import delete_path, get_path, set_path, template_of
from rathaus.forms.engine.spec import FormSpec
from rathaus.forms.engine.widgets import (
    ADDRESS_PARTS,
    FORMAT_CHECKER,
    PREFILL_SOURCES,
    UPLOAD_ID,
    WIDGET_TYPES,
    WIDGETS,
)

__all__ = [
    "ADDRESS_PARTS",
    "FORMAT_CHECKER",
    "PREFILL_SOURCES",
    "UPLOAD_ID",
    "WIDGETS",
    "WIDGET_TYPES",
    "Choice",
    "Condition",
    "DefinitionError",
    "Element",
    "FormSpec",
    "Step",
    "definition_problems",
    "delete_path",
    "get_path",
    "set_path",
    "template_of",
]
