"""``FormSpec``: a checked form version that reads posted answers, validates data and lists
its questions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rathaus.forms.engine.definition import definition_problems
from rathaus.forms.engine.errors import DefinitionError
from rathaus.forms.engine.layout import Element, Step, all_paths, build, fields_of
from rathaus.forms.engine.messages import error_messages, required_message
from rathaus.forms.engine.paths import INDEX, delete_path, get_path, set_path, template_of
from rathaus.forms.engine.reading import deepcopy, hidden, prune, read_elements
from rathaus.forms.engine.rules import Rule, condition_chains, for_browser, violations
from rathaus.forms.engine.rules import parse as parse_rule
from rathaus.forms.engine.widgets import FORMAT_CHECKER, FormValidator


class FormSpec:
    """A checked form version, ready to render and validate."""

    def __init__(self, schema: Mapping[str, Any], layout: Mapping[str, Any]) -> None:
        problems = definition_problems(schema, layout)
        if problems:
            raise DefinitionError(problems)
        self.schema = schema
        self.layout = layout
        self.validator = FormValidator(schema, format_checker=FORMAT_CHECKER)
        self.steps: tuple[Step, ...] = tuple(
            Step(
                id=str(step["id"]),
                title=str(step.get("title", "")),
                description=str(step.get("description", "")),
                elements=tuple(build(schema, schema, raw) for raw in step["elements"]),
            )
            for step in layout["steps"]
        )
        self.notes: list[str] = [str(note) for note in layout.get("notes", [])]
        self.rules: tuple[Rule, ...] = tuple(parse_rule(raw) for raw in layout.get("rules", []))
        self._chains = {
            path: chain for step in self.steps for path, chain in condition_chains(step.elements)
        }
        self.field_templates: dict[str, Element] = dict(self.fields())
        self.group_templates: dict[str, Element] = {}
        self._step_by_template: dict[str, int] = {}
        for index, step in enumerate(self.steps):
            for path, element in all_paths(step.elements, ""):
                self._step_by_template[path] = index
                if element.kind == "group":
                    self.group_templates[path] = element

    # paths ---------------------------------------------------------------------------------------

    def step_index(self, step_id: str) -> int | None:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        return None

    def fields(self) -> Iterator[tuple[str, Element]]:
        """Every question with its path template (repeat indexes as ``*``)."""
        for step in self.steps:
            yield from fields_of(step.elements, "")

    def step_of_template(self, template: str) -> int | None:
        parts = template.split(".")
        while parts:
            found = self._step_by_template.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return None

    # reading posted answers ----------------------------------------------------------------------

    def read_step(self, index: int, post: Any, data: Mapping[str, Any]) -> dict[str, Any]:
        """The data after the answers posted for one step (a Django QueryDict or similar).

        Values that cannot be converted are kept as typed, so that nothing is lost and the
        validation can say what is wrong.
        """
        result: dict[str, Any] = deepcopy(data)
        read_elements(self.steps[index].elements, post, result, "")
        return self.prune(result)

    def prune(self, data: dict[str, Any]) -> dict[str, Any]:
        """Drop the answers of questions that are hidden by their condition."""
        for step in self.steps:
            prune(step.elements, data, data)
        return data

    def hidden_answers(self, data: Any) -> list[str]:
        """Paths answered although their condition says the question is not asked."""
        found: list[str] = []
        if isinstance(data, dict):
            for step in self.steps:
                hidden(step.elements, data, data, "", found)
        return found

    def repeat_action(self, post: Any, data: dict[str, Any]) -> bool:
        """Handle the add/remove buttons of repeatable groups; True if one was pressed."""
        add = post.get("_add")
        if add:
            entries = get_path(data, add)
            if entries is None:
                entries = []
            if isinstance(entries, list) and self._is_repeat_path(add):
                entries.append({})
                set_path(data, add, entries)
                return True
        remove = post.get("_remove")
        if remove and "." in remove:
            parent, _sep, index = remove.rpartition(".")
            entries = get_path(data, parent)
            if INDEX.match(index) and isinstance(entries, list) and int(index) < len(entries):
                del entries[int(index)]
                if not entries:
                    delete_path(data, parent)
                return True
        return False

    def _is_repeat_path(self, path: str) -> bool:
        template = template_of(path)
        group = self.group_templates.get(template)
        return group is not None and group.repeat

    # validation ----------------------------------------------------------------------------------

    def errors(self, data: Any, step: int | None = None) -> dict[str, list[str]]:
        """German messages by field path ("" for the form as a whole); only one step if given."""
        result: dict[str, list[str]] = {}
        for error in self.validator.iter_errors(data):
            for path, message in error_messages(error, self.field_templates, self.group_templates):
                if step is not None and self.step_of_template(template_of(path)) != step:
                    continue
                messages = result.setdefault(path, [])
                if message not in messages:
                    messages.append(message)
        if isinstance(data, Mapping):
            for path, message in self.rule_errors(data):
                if step is not None and self.step_of_template(template_of(path)) != step:
                    continue
                messages = result.setdefault(path, [])
                if message not in messages:
                    messages.append(message)
        return result

    def asked(self, data: Mapping[str, Any], path: str) -> bool:
        """Whether the question or group at ``path`` is asked, given the answers."""
        return all(condition.holds(data) for condition in self._chains.get(path, ()))

    def label(self, path: str) -> str:
        element = self.field_templates.get(path) or self.group_templates.get(path)
        return element.label if element is not None else path

    def browser_rules(self, step: int) -> list[dict[str, Any]]:
        """The rules whose questions are all on one step, for the page's script."""
        found = []
        for rule in self.rules:
            if rule.kind == "check":
                continue  # a package's check runs on the server only
            paths = [*rule.paths, *rule.only_if]
            paths += [rule.when.path] if rule.when is not None else []
            if any(self.step_of_template(path) != step for path in paths):
                continue
            found.append(
                for_browser(
                    rule,
                    self.label,
                    lambda path: required_message(
                        self.field_templates.get(path) or self.group_templates.get(path)
                    ),
                    lambda path: getattr(self.field_templates.get(path), "widget", "") == "date",
                )
            )
        return found

    def rule_errors(self, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(path, German message) for every rule of the layout the data breaks."""
        found: list[tuple[str, str]] = []
        for rule in self.rules:
            found.extend(
                violations(
                    rule,
                    data,
                    self.label,
                    lambda path: self.asked(data, path),
                    lambda path: required_message(
                        self.field_templates.get(path) or self.group_templates.get(path)
                    ),
                )
            )
        return found

    def unexpected_paths(self, data: Any, prefix: str = "", template: str = "") -> list[str]:
        """Keys in the data that are neither a question nor a group of this form."""
        if not isinstance(data, dict):
            return []
        found = []
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            inner = f"{template}.{key}" if template else str(key)
            if inner in self.field_templates:
                continue
            group = self.group_templates.get(inner)
            if group is None:
                found.append(path)
            elif group.repeat and isinstance(value, list):
                for index, entry in enumerate(value):
                    found.extend(self.unexpected_paths(entry, f"{path}.{index}", inner + ".*"))
            else:
                found.extend(self.unexpected_paths(value, path, inner))
        return found

    def is_valid(self, data: Any) -> bool:
        if any(True for _error in self.validator.iter_errors(data)):
            return False
        return not (isinstance(data, Mapping) and self.rule_errors(data))

    # prefill ------------------------------------------------------------------------------------

    def prefill_fields(self) -> list[tuple[str, Element]]:
        """Questions outside repeatable groups that the account's profile can answer."""
        return [
            (path, element)
            for path, element in self.fields()
            if element.prefill and "*" not in path.split(".")
        ]
