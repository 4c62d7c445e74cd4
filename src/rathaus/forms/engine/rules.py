"""Checks across questions (``layout["rules"]``): at least one / exactly one of several answers,
an answer required when a condition holds, comparisons between two answers and value ranges.

A rule names questions or groups by their path from the data root; rules inside repeatable
groups are not supported. A rule whose questions are not asked (hidden by a ``show_if`` of the
question or of a group around it) does not apply, nor one whose ``only_if`` groups are
unanswered (a rule of an optional group applies only when the group is filled in). Each
violation is reported at one question: the first one named (``at_least_one``,
``exactly_one``) or the one the rule is about.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.forms.engine.extensions import form_checks
from rathaus.forms.engine.layout import Condition, Element, condition_of, filled
from rathaus.forms.engine.paths import get_path, join

KINDS = ("at_least_one", "exactly_one", "required_if", "compare", "range", "check")
OPERATORS = ("<", "<=", ">", ">=", "==", "!=")


@dataclass(frozen=True)
class Rule:
    kind: str
    fields: tuple[str, ...]
    when: Condition | None = None
    op: str = ""
    other: str = ""
    minimum: Any = None
    maximum: Any = None
    message: str = ""
    source: str = ""
    only_if: tuple[str, ...] = ()  # groups that must be answered for the rule to apply
    check: str = ""  # a registered form check (``extensions.form_checks``), for kind "check"

    @property
    def paths(self) -> tuple[str, ...]:
        return (*self.fields, self.other) if self.other else self.fields


def parse(raw: Mapping[str, Any]) -> Rule:
    kind = str(raw["kind"])
    fields = tuple(str(item) for item in raw["fields"]) if "fields" in raw else (str(raw["field"]),)
    return Rule(
        kind=kind,
        fields=fields,
        when=condition_of(raw.get("when")),
        op=str(raw.get("op", "")),
        other=str(raw.get("other", "")),
        minimum=raw.get("min"),
        maximum=raw.get("max"),
        message=str(raw.get("message", "")),
        source=str(raw.get("source", "")),
        only_if=tuple(str(item) for item in raw.get("only_if", [])),
        check=str(raw.get("check", "")),
    )


def problems(raw_rules: Any, known: set[str]) -> list[str]:
    """Everything wrong with ``layout["rules"]``, in words for staff."""
    if raw_rules is None:
        return []
    if not isinstance(raw_rules, list):
        return ["The layout's 'rules' must be a list."]
    found: list[str] = []
    for number, raw in enumerate(raw_rules, start=1):
        where = f"Rule {number}"
        if not isinstance(raw, Mapping) or raw.get("kind") not in KINDS:
            found.append(f"{where} needs a 'kind' (one of {', '.join(KINDS)}).")
            continue
        kind = raw["kind"]
        if kind in {"at_least_one", "exactly_one"}:
            paths = raw.get("fields")
            if not isinstance(paths, list) or len(paths) < 2:
                found.append(f"{where} ({kind}) needs a list of at least two 'fields'.")
                continue
        else:
            paths = [raw.get("field")]
        if kind == "required_if":
            when = raw.get("when")
            if not isinstance(when, Mapping) or not isinstance(when.get("field"), str):
                found.append(f"{where} (required_if) needs 'when' with a 'field' path.")
                continue
            paths.append(when["field"])
        if kind == "compare":
            if raw.get("op") not in OPERATORS:
                found.append(f"{where} (compare) needs 'op', one of {' '.join(OPERATORS)}.")
            paths.append(raw.get("other"))
        if kind == "check" and raw.get("check") not in form_checks.ids():
            found.append(
                f"{where} (check) names {raw.get('check')!r}, which is not a registered check "
                f"(registered: {', '.join(form_checks.ids()) or 'none'})."
            )
        if kind == "range" and not any(
            isinstance(raw.get(key), int | float | str) for key in ("min", "max")
        ):
            found.append(f"{where} (range) needs 'min', 'max' or both.")
        only_if = raw.get("only_if", [])
        if not isinstance(only_if, list):
            found.append(f"{where}: 'only_if' must be a list of group paths.")
            only_if = []
        for path in [*paths, *only_if]:
            if not isinstance(path, str) or path not in known:
                found.append(f"{where} refers to {path!r}, which is not a question of this form.")
            elif "*" in path.split("."):
                found.append(f"{where} refers to {path!r} inside a repeatable group.")
    return found


def condition_chains(
    elements: Iterable[Element], prefix: str = ""
) -> Iterator[tuple[str, tuple[Condition, ...]]]:
    """Every question and group path with the conditions that must hold for it to be asked."""
    yield from _chains(elements, prefix, ())


def _chains(
    elements: Iterable[Element], prefix: str, above: tuple[Condition, ...]
) -> Iterator[tuple[str, tuple[Condition, ...]]]:
    for element in elements:
        if element.kind == "static":
            continue
        path = join(prefix, element.name)
        chain = (*above, element.condition) if element.condition is not None else above
        yield path, chain
        if element.kind == "group":
            yield from _chains(element.elements, path + (".*" if element.repeat else ""), chain)


def violations(
    rule: Rule,
    data: Mapping[str, Any],
    label: Callable[[str], str],
    asked: Callable[[str], bool],
    required_message: Callable[[str], str],
) -> list[tuple[str, str]]:
    """(path, German message) for every way the data breaks the rule; [] if it holds."""
    if not all(asked(path) for path in rule.paths):
        return []
    if not all(filled(get_path(data, path)) for path in rule.only_if):
        return []
    values = [get_path(data, path) for path in rule.fields]
    first = rule.fields[0]
    names = ", ".join(f"„{label(path)}“" for path in rule.fields)
    if rule.kind == "at_least_one":
        if not any(filled(value) for value in values):
            return [(first, rule.message or _("Please fill in at least one of: %(names)s.") % {
                "names": names})]  # fmt: skip
        return []
    if rule.kind == "exactly_one":
        count = sum(1 for value in values if filled(value))
        if count == 0:
            return [(first, rule.message or _("Please fill in one of: %(names)s.") % {
                "names": names})]  # fmt: skip
        if count > 1:
            return [(first, rule.message or _("Please fill in only one of: %(names)s.") % {
                "names": names})]  # fmt: skip
        return []
    if rule.kind == "required_if":
        if rule.when is not None and rule.when.holds(data) and not filled(values[0]):
            return [(first, rule.message or required_message(first))]
        return []
    if rule.kind == "compare":
        return _compare(rule, values[0], get_path(data, rule.other), label)
    if rule.kind == "range":
        return _range(rule, values[0])
    if rule.kind == "check":
        return form_checks.get(rule.check)(data)
    return []


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _holds(op: str, left: Any, right: Any) -> bool:
    try:
        # both sides are numbers or dates: every comparison is a bool
        outcome: bool = {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
            "==": left == right,
            "!=": left != right,
        }[op]
        return outcome
    except TypeError:
        return True  # different kinds of values: the schema reports the wrong one


def _compare(
    rule: Rule, value: Any, other: Any, label: Callable[[str], str]
) -> list[tuple[str, str]]:
    left, right = _comparable(value), _comparable(other)
    if left is None or right is None or _holds(rule.op, left, right):
        return []
    message = rule.message or compare_message(
        rule.op, isinstance(left, datetime.date), label(rule.other)
    )
    return [(rule.fields[0], message)]


# For each operator: (the message for two dates, the one for two numbers).
COMPARE_MESSAGES = {
    "<": (
        gettext_lazy("This date must be before “%(other)s”."),
        gettext_lazy("This number must be less than “%(other)s”."),
    ),
    "<=": (
        gettext_lazy("This date must not be after “%(other)s”."),
        gettext_lazy("This number must not be more than “%(other)s”."),
    ),
    ">": (
        gettext_lazy("This date must be after “%(other)s”."),
        gettext_lazy("This number must be more than “%(other)s”."),
    ),
    ">=": (
        gettext_lazy("This date must not be before “%(other)s”."),
        gettext_lazy("This number must not be less than “%(other)s”."),
    ),
    "==": (gettext_lazy("This answer must be the same as “%(other)s”."),) * 2,
    "!=": (gettext_lazy("This answer must differ from “%(other)s”."),) * 2,
}


def compare_message(op: str, dates: bool, other: str) -> str:
    for_dates, for_numbers = COMPARE_MESSAGES[op]
    return str(for_dates if dates else for_numbers) % {"other": other}


def _range(rule: Rule, value: Any) -> list[tuple[str, str]]:
    current = _comparable(value)
    if current is None:
        return []
    low, high = _comparable(rule.minimum), _comparable(rule.maximum)
    try:
        outside = (low is not None and current < low) or (high is not None and current > high)
    except TypeError:
        return []  # a date against a number bound: the definition is wrong, not the answer
    if not outside:
        return []
    return [(rule.fields[0], rule.message or range_message(rule))]


def range_message(rule: Rule) -> str:
    shown = {"min": _shown(rule.minimum), "max": _shown(rule.maximum)}
    if rule.minimum is not None and rule.maximum is not None:
        return _("Please enter a value from %(min)s to %(max)s.") % shown
    if rule.minimum is not None:
        return _("Please enter a value of at least %(min)s.") % shown
    return _("Please enter a value of at most %(max)s.") % shown


def for_browser(
    rule: Rule,
    label: Callable[[str], str],
    required_message: Callable[[str], str],
    is_date: Callable[[str], bool],
) -> dict[str, Any]:
    """The rule with its messages for the script that checks it before the page is sent."""
    names = ", ".join(f"„{label(path)}“" for path in rule.fields)
    first = rule.fields[0]
    messages: dict[str, str] = {}
    if rule.kind == "at_least_one":
        messages["none"] = _("Please fill in at least one of: %(names)s.") % {"names": names}
    elif rule.kind == "exactly_one":
        messages["none"] = _("Please fill in one of: %(names)s.") % {"names": names}
        messages["many"] = _("Please fill in only one of: %(names)s.") % {"names": names}
    elif rule.kind == "required_if":
        messages["none"] = required_message(first)
    elif rule.kind == "compare":
        messages["fail"] = compare_message(rule.op, is_date(first), label(rule.other))
    else:
        messages["fail"] = range_message(rule)
    if rule.message:
        messages = dict.fromkeys(messages, rule.message)
    when = rule.when
    return {
        "kind": rule.kind,
        "fields": list(rule.fields),
        "other": rule.other,
        "op": rule.op,
        "min": rule.minimum,
        "max": rule.maximum,
        "when": None if when is None else when.for_browser(),
        "only_if": list(rule.only_if),
        "messages": messages,
    }


def _shown(value: Any) -> str:
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)
