"""FIM rules (`regel`) translated into conditions and checks of the form (ADR 0033).

A rule's text (XDF 2 `definition`, XDF 3 `freitextRegel`) is read with the patterns below; a
rule is translated only when *every* sentence matches one of them and every element it names
is found exactly once near the element the rule is attached to. Everything else is listed as
untranslated (id, version, name, text, reason) for staff. Scripts (`script`/`skript`) are free
JavaScript and are never executed or parsed; no shared schema carries a usable one.

Understood sentences (upper/lower case, `Feld`/`Datenfeld`/`Feldgruppe`/`Datenfeldgruppe`,
`sein`/`werden`, line breaks and the quoted names after ids and codes do not matter):

- `Wenn das Feld A = 001 [ODER = 002 …], dann muss B befüllt sein.` -> B is required when A has
  one of the values (`required_if`).
- `Wenn das Feld A <> 001 [UND <> 002 …], dann darf B nicht befüllt sein.` -> B is shown only
  when A has one of the values (`show_if` with `in`); its answers are dropped otherwise.
- `Es muss mindestens eines der Felder A, B oder C befüllt sein.` -> `at_least_one`.
- `Es muss entweder A oder B befüllt sein.` -> `exactly_one`.
- `Wenn A nicht leer [ist], dann darf B nicht leer sein.` / `Wenn A befüllt ist, dann muss B
  befüllt sein.` -> B is required when A is answered (`required_if` with `filled`).
- `[Das Datum] A muss vor|nach|früher als|später als|kleiner als|größer als|gleich [dem
  Datum] B liegen|sein.` (or `darf nicht …` for the opposite) -> `compare`.
- `A muss zwischen 1 und 10 liegen.`, `A muss mindestens 1 sein.`, `A darf höchstens 10
  sein.` -> `range`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from rathaus.forms.xdatenfelder.constants import JSON
from rathaus.forms.xdatenfelder.document import _Rule

_QUOTED = r'(?:"[^"]*"|„[^“”"]*[“”"]|“[^”]*”)'
_REFERENCE = re.compile(
    r"(?:\b(?:das|die|der|dem|den)\s+)?(?:\b(?:Datenfeldgruppe|Feldgruppe|Datenfeld|Feld|Gruppe)"
    rf"\s+)?\b([FG]\d{{6,}})\b\s*(?:{_QUOTED})?",
    re.IGNORECASE,
)
_VALUE = re.compile(rf"\s*(<>|!=|≠|=)\s*([^\s\"„“,]+?)\s*(?:{_QUOTED})?(?=[\s,.]|$)")
_FILLER = re.compile(r"\b(?:das|dem|der|des) (?:datum|wert|feldes)\b ?", re.IGNORECASE)
_ID = r"@([FG]\d+)"
_NUMBER = r"(-?\d+(?:[.,]\d+)?)"
_I = re.IGNORECASE
_SHOW_POS = re.compile(
    rf"wenn {_ID} (=[^\s,]+(?: oder =[^\s,]+)*),? dann muss {_ID} befüllt sein", _I
)  # fmt: skip
_SHOW_NEG = re.compile(
    rf"wenn {_ID} (<>[^\s,]+(?: und <>[^\s,]+)*),? dann darf {_ID} nicht befüllt sein", _I
)  # fmt: skip
_AT_LEAST = re.compile(
    r"es muss mindestens (?:eines|eins|ein|eine) der (?:daten)?feld(?:er|gruppen) "
    rf"({_ID}(?:(?:,| oder| und|, oder|, und) {_ID})+) befüllt sein",
    _I,
)
_EITHER = re.compile(rf"es muss entweder ({_ID}(?: oder {_ID})+) befüllt sein", _I)
_FILLED_THEN = re.compile(
    rf"wenn {_ID} (?:nicht leer|befüllt)(?: ist)?,? (?:dann )?"
    rf"(?:darf {_ID} nicht leer sein|muss {_ID} befüllt sein)",
    _I,
)
_OPERATORS = {
    "vor": "<", "früher als": "<", "kleiner als": "<", "nach": ">", "später als": ">",
    "größer als": ">", "kleiner oder gleich": "<=", "größer oder gleich": ">=", "gleich": "==",
}  # fmt: skip
_OPPOSITE = {"<": ">=", ">": "<=", "<=": ">", ">=": "<", "==": "!=", "!=": "=="}
_COMPARE = re.compile(
    rf"{_ID} (muss|darf nicht) ({'|'.join(sorted(_OPERATORS, key=len, reverse=True))}) "
    rf"{_ID} (?:liegen|sein)",
    _I,
)
_BETWEEN = re.compile(rf"{_ID} muss zwischen {_NUMBER} und {_NUMBER} (?:liegen|sein)", _I)
_BOUND = re.compile(rf"{_ID} (?:muss|darf) (mindestens|höchstens) {_NUMBER} (?:sein|betragen)", _I)


class Untranslatable(Exception):
    """The reason, in German for staff."""


@dataclass
class _Clause:
    kind: str
    ids: list[str]
    values: list[str] = field(default_factory=list)
    op: str = ""
    bounds: tuple[str | None, str | None] = (None, None)


def canonical(text: str) -> str:
    """The rule text with element references as `@F123`, values as `=001`, spaces collapsed."""
    text = _REFERENCE.sub(lambda m: f" @{m.group(1).upper()} ", text)
    text = _VALUE.sub(lambda m: f" {'<>' if m.group(1) != '=' else '='}{m.group(2)} ", text)
    text = _FILLER.sub("", text)
    text = re.sub(r"\b(?:aus)?gefüllt\b", "befüllt", text, flags=_I)
    text = re.sub(r"\bbefüllt werden\b", "befüllt sein", text, flags=_I)
    text = re.sub(r"\s+([,.])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return text


def clauses(text: str) -> list[_Clause]:
    """The rule's sentences as clauses; Untranslatable when one is not understood."""
    found: list[_Clause] = []
    for sentence in (s.strip() for s in re.split(r"\.(?:\s+|$)", canonical(text))):
        if sentence:
            found.append(_clause(sentence))
    if not found:
        raise Untranslatable("Die Regel hat keinen Text.")
    return found


def _clause(sentence: str) -> _Clause:
    if match := _SHOW_POS.fullmatch(sentence):
        values = [part.strip()[1:] for part in re.split(r" oder ", match[2], flags=_I)]
        return _Clause("if_equals_required", [match[1], match[3]], values)
    if match := _SHOW_NEG.fullmatch(sentence):
        values = [part.strip()[2:] for part in re.split(r" und ", match[2], flags=_I)]
        return _Clause("unless_equals_hidden", [match[1], match[3]], values)
    if match := _AT_LEAST.fullmatch(sentence):
        return _Clause("at_least_one", re.findall(_ID, match[1]))
    if match := _EITHER.fullmatch(sentence):
        return _Clause("exactly_one", re.findall(_ID, match[1]))
    if match := _FILLED_THEN.fullmatch(sentence):
        return _Clause("if_filled_required", [match[1], match[2] or match[3]])
    if match := _COMPARE.fullmatch(sentence):
        op = _OPERATORS[match[3].lower()]
        return _Clause(
            "compare", [match[1], match[4]], op=op if match[2] == "muss" else _OPPOSITE[op]
        )
    if match := _BETWEEN.fullmatch(sentence):
        return _Clause("range", [match[1]], bounds=(match[2], match[3]))
    if match := _BOUND.fullmatch(sentence):
        low = match[3] if match[2].lower() == "mindestens" else None
        return _Clause("range", [match[1]], bounds=(low, None if low else match[3]))
    raise Untranslatable(f"Der Satz „{sentence[:200]}“ entspricht keinem bekannten Muster.")


def id_key(ident: str) -> tuple[str, str, int] | None:
    """F60000240 (XDF 2) and F60000000240 (XDF 3) name the same element."""
    match = re.fullmatch(r"([A-Za-z])(\d{5})(\d+)", ident.strip())
    return (match[1].upper(), match[2], int(match[3])) if match else None


# --- the form's elements ----------------------------------------------------------------------


@dataclass
class _Node:
    path: str
    key: tuple[str, str, int] | None
    raw: JSON  # the layout element
    parent: JSON  # the object schema that holds the property
    schema: JSON  # the property's schema


def nodes(schema: JSON, layout: JSON) -> list[_Node]:
    found: list[_Node] = []
    for step in layout.get("steps", []):
        found.extend(_walk(step.get("elements", []), schema, ""))
    return found


def _walk(elements: list[JSON], parent: JSON, prefix: str) -> Iterator[_Node]:
    for raw in elements:
        name = raw.get("group", raw.get("field"))
        if name is None or name not in parent.get("properties", {}):
            continue
        prop = parent["properties"][name]
        path = f"{prefix}.{name}" if prefix else str(name)
        ident = prop.get("x-fim-id")
        if ident is None and prop.get("type") == "array":  # a repeatable field, wrapped
            ident = prop.get("items", {}).get("properties", {}).get("value", {}).get("x-fim-id")
        yield _Node(path, id_key(str(ident)) if ident else None, raw, parent, prop)
        if "group" in raw:
            inner = prop.get("items", {}) if raw.get("repeat") else prop
            yield from _walk(
                raw.get("elements", []), inner, path + (".*" if raw.get("repeat") else "")
            )


def resolve(ids: list[str], scope: str, all_nodes: list[_Node]) -> dict[str, _Node]:
    """Each id's element nearest to `scope`: its subtree first, then each level above; within
    a level the least nested element, which must be the only one at its depth."""
    parts = scope.split(".") if scope else []
    while True:
        here = ".".join(parts)
        inside = [
            n for n in all_nodes if not here or n.path == here or n.path.startswith(here + ".")
        ]
        found: dict[str, _Node] = {}
        for ident in ids:
            matches = [n for n in inside if n.key is not None and n.key == id_key(ident)]
            nearest = min((n.path.count(".") for n in matches), default=0)
            matches = [n for n in matches if n.path.count(".") == nearest]
            if len(matches) > 1:
                raise Untranslatable(
                    f"{ident} kommt hier mehrfach vor; die Regel ist nicht eindeutig."
                )
            if matches:
                found[ident] = matches[0]
        if len(found) == len(ids):
            return found
        if not parts:
            missing = ", ".join(ident for ident in ids if ident not in found)
            raise Untranslatable(f"{missing} ist kein Element dieses Formulars.")
        parts.pop()


# --- applying the rules -----------------------------------------------------------------------


@dataclass
class RuleOutcome:
    translated: list[JSON] = field(default_factory=list)
    untranslated: list[JSON] = field(default_factory=list)


def apply(schema: JSON, layout: JSON, uses: list[tuple[_Rule, list[str]]]) -> RuleOutcome:
    """Translate each rule at each of its places (scope paths); change schema and layout only
    when the rule translates at every place."""
    outcome = RuleOutcome()
    all_nodes = nodes(schema, layout)
    rules: list[JSON] = list(layout.get("rules", []))
    for rule, scopes in uses:
        entry: JSON = {"id": rule.id, "version": rule.version, "name": rule.name}
        try:
            parsed = clauses(rule.definition or rule.text)
            changes = [
                change
                for scope in scopes or [""]
                for change in _translate(rule, parsed, scope, all_nodes)
            ]
            _check_conflicts(changes)
        except Untranslatable as reason:
            outcome.untranslated.append({**entry, "text": rule.text, "reason": str(reason)})
            continue
        for change in changes:
            if change[0] == "show_if":
                node, condition = change[1], change[2]
                node.raw["show_if"] = condition
                required = node.parent.get("required", [])
                name = node.path.rsplit(".", 1)[-1]
                if name in required:
                    required.remove(name)
                    if not required:
                        del node.parent["required"]
                    rules.append({"kind": "required_if", "field": node.path, "when": condition,
                                  "source": rule.id})  # fmt: skip
            else:
                rules.append(change[1])
        outcome.translated.append(entry)
    if rules:
        layout["rules"] = _unique(rules)
    return outcome


# What a rule changes: a rule for the layout, or the condition under which a question is shown.
_Change = tuple[Literal["rule"], JSON] | tuple[Literal["show_if"], _Node, JSON]


def _unique(rules: list[JSON]) -> list[JSON]:
    seen: list[JSON] = []
    for rule in rules:
        if rule not in seen:
            seen.append(rule)
    return seen


def _check_conflicts(changes: list[_Change]) -> None:
    """One condition per element: an element with another condition (from an earlier rule or
    from another sentence of this one) leaves the rule untranslated."""
    planned: dict[int, JSON] = {}
    for change in changes:
        if change[0] != "show_if":
            continue
        node, condition = change[1], change[2]
        existing = planned.get(id(node.raw), node.raw.get("show_if"))
        if existing is not None and existing != condition:
            raise Untranslatable(f"{node.path} hat schon eine andere Bedingung.")
        planned[id(node.raw)] = condition


def _translate(
    rule: _Rule, parsed: list[_Clause], scope: str, all_nodes: list[_Node]
) -> list[_Change]:
    ids = list(dict.fromkeys(ident for clause in parsed for ident in clause.ids))
    found = resolve(ids, scope, all_nodes)
    for node in found.values():
        if "*" in node.path.split("."):
            raise Untranslatable(f"{node.path} liegt in einer wiederholbaren Gruppe.")
    changes: list[_Change] = []
    source: JSON = {"source": rule.id}
    guards = _optional_groups(scope, all_nodes)
    if guards:
        source["only_if"] = guards
    for clause in parsed:
        paths = [found[ident].path for ident in clause.ids]
        if clause.kind in {"if_equals_required", "unless_equals_hidden"}:
            controlling, target = found[clause.ids[0]], found[clause.ids[1]]
            if target.path == controlling.path or controlling.path.startswith(target.path + "."):
                raise Untranslatable("Die Bedingung hängt vom Element selbst ab.")
            condition: JSON = {"field": controlling.path, "in": _typed(controlling, clause.values)}
            if clause.kind == "if_equals_required":
                changes.append(("rule", {"kind": "required_if", "field": target.path,
                                         "when": condition, **source}))  # fmt: skip
            else:
                changes.append(("show_if", target, condition))
        elif clause.kind in {"at_least_one", "exactly_one"}:
            changes.append(("rule", {"kind": clause.kind, "fields": paths, **source}))
        elif clause.kind == "if_filled_required":
            condition = {"field": paths[0], "filled": True}
            changes.append(("rule", {"kind": "required_if", "field": paths[1],
                                     "when": condition, **source}))  # fmt: skip
        elif clause.kind == "compare":
            for node in (found[clause.ids[0]], found[clause.ids[1]]):
                _comparable(node)
            changes.append(("rule", {"kind": "compare", "field": paths[0], "op": clause.op,
                                     "other": paths[1], **source}))  # fmt: skip
        elif clause.kind == "range":
            node = found[clause.ids[0]]
            if node.schema.get("type") not in {"number", "integer"}:
                raise Untranslatable(f"{node.path} ist kein Zahlenfeld.")
            low, high = clause.bounds
            bounds = {
                key: _number(value)
                for key, value in (("min", low), ("max", high))
                if value is not None
            }
            changes.append(("rule", {"kind": "range", "field": paths[0], **bounds, **source}))
    return changes


def _optional_groups(scope: str, all_nodes: list[_Node]) -> list[str]:
    """The groups at and above `scope` that need not be answered: a rule of an optional group
    applies only when the group is filled in."""
    by_path = {node.path: node for node in all_nodes}
    parts = scope.split(".") if scope else []
    found = []
    while parts:
        node = by_path.get(".".join(parts))
        optional = node is not None and (
            parts[-1] not in node.parent.get("required", []) or "show_if" in node.raw
        )
        if node is not None and optional and "group" in node.raw:
            found.append(node.path)
        parts.pop()
    return list(reversed(found))


def _comparable(node: _Node) -> None:
    if node.schema.get("type") not in {"number", "integer"} and node.schema.get("format") != "date":
        raise Untranslatable(f"{node.path} ist weder ein Datum noch eine Zahl.")


def _number(text: str) -> int | float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


def _typed(node: _Node, values: list[str]) -> list[Any]:
    schema = node.schema
    if "group" in node.raw:
        raise Untranslatable(f"{node.path} ist eine Gruppe, kein Feld mit Werten.")
    kind = schema.get("type")
    if kind == "array":
        raise Untranslatable(
            f"{node.path} hat mehrere Antworten; die Bedingung ist nicht eindeutig."
        )
    if kind in {"number", "integer"}:
        try:
            return [_number(value) for value in values]
        except ValueError:
            raise Untranslatable(f"Die Werte {', '.join(values)} sind keine Zahlen.") from None
    if kind == "boolean":
        mapped = {"true": True, "ja": True, "1": True, "false": False, "nein": False, "0": False}
        if any(value.lower() not in mapped for value in values):
            raise Untranslatable(f"Die Werte {', '.join(values)} sind nicht ja oder nein.")
        return [mapped[value.lower()] for value in values]
    enum = schema.get("enum")
    if isinstance(enum, list):
        unknown = [value for value in values if value not in enum]
        if unknown:
            raise Untranslatable(
                f"Die Werte {', '.join(unknown)} sind keine Auswahl von {node.path}."
            )
    return values
