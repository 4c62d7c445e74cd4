"""The ``$filter`` language of SensorThings 1.1 (OGC 18-088 §9.3.3.5, OData 4 syntax) parsed into
a small tree, with limits on length, nesting and number of terms.

The grammar, in order of binding (loosest first)::

    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := additive (("eq"|"ne"|"gt"|"ge"|"lt"|"le") additive)?
    additive:= multiply (("add"|"sub") multiply)*
    multiply:= unary (("mul"|"div"|"mod") unary)*
    unary   := "-" unary | primary
    primary := literal | "(" or ")" | name "(" [or ("," or)*] ")" | path
    path    := name ("/" name)*

``not`` binds looser than a comparison (``not name eq 'x'`` is ``not (name eq 'x')``), which is
what people mean and what FROST-Server does. Every error is a :class:`StaError` (400).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from rathaus.opendata.sta.errors import StaError, bad_request

MAX_LENGTH = 4000  # characters of the expression
MAX_DEPTH = 30  # nesting of operators, brackets and calls
MAX_TERMS = 200  # literals, property paths and calls together
MAX_DURATION = datetime.timedelta(days=36525)  # 100 years: shifted times stay in range
MAX_NUMBER = 1e15  # literals beyond this are refused (they would overflow in SQL arithmetic)

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
ARITHMETIC = ("add", "sub", "mul", "div", "mod")


@dataclass(frozen=True)
class Node:
    """``op`` is one of: lit, path, call, not, neg, and, or, a comparison or an arithmetic op.
    ``kind`` (literals only): number, string, bool, null, datetime, date, time, duration,
    geometry."""

    op: str
    args: tuple[Any, ...] = ()
    kind: str = ""


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<typed>(?:geography|geometry|duration)'(?:[^']|'')*')
  | (?P<string>'(?:[^']|'')*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<time>\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<punct>[(),/-])
    """,
    re.VERBOSE,
)
_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            character = text[position]
            raise bad_request(f"$filter: unexpected character {character!r} at {position + 1}.")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append((kind, match.group(), position + 1))
        position = match.end()
    return tokens


def parse_datetime(text: str) -> datetime.datetime:
    """An ISO 8601 date and time with a zone (``Z`` or ``+01:00``)."""
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"$filter: {text} is not a valid date and time.") from None
    if value.tzinfo is None:
        raise bad_request(f"$filter: {text} has no time zone; add Z or an offset like +01:00.")
    return value


def parse_duration(text: str) -> datetime.timedelta:
    match = _DURATION.match(text)
    if match is None or text.rstrip("-") in ("P", "-P") or text.endswith("T"):
        raise bad_request(
            f"$filter: duration'{text}' is not a duration in days, hours, minutes and seconds "
            "(like P1DT2H30M)."
        )
    sign, days, hours, minutes, seconds = match.groups()
    try:
        value = datetime.timedelta(
            days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
            seconds=float(seconds or 0),
        )  # fmt: skip
    except OverflowError:
        raise bad_request(f"$filter: duration'{text}' is too long.") from None
    if value > MAX_DURATION:
        raise bad_request(f"$filter: duration'{text}' is longer than 100 years.")
    return -value if sign else value


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.terms = 0

    # tokens
    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "name" and token[1] in words:
            # A keyword is an operator only between operands: ``eq`` as a property name stays a
            # name at the start of an operand.
            self.index += 1
            return token[1]
        return None

    def punct(self, char: str) -> bool:
        token = self.peek()
        if token and token[0] == "punct" and token[1] == char:
            self.index += 1
            return True
        return False

    def expect(self, char: str) -> None:
        if not self.punct(char):
            token = self.peek()
            found = f"{token[1]!r} at {token[2]}" if token else "the end"
            raise bad_request(f"$filter: expected {char!r} but found {found}.")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise bad_request(f"$filter is nested too deeply (at most {MAX_DEPTH} levels).")

    def term(self) -> None:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise bad_request(f"$filter has too many terms (at most {MAX_TERMS}).")

    # grammar
    def parse(self) -> Node:
        if not self.tokens:
            raise bad_request("$filter is empty.")
        node = self.or_()
        token = self.peek()
        if token is not None:
            raise bad_request(f"$filter: unexpected {token[1]!r} at {token[2]}.")
        return node

    def or_(self) -> Node:
        self.enter()
        node = self.and_()
        while self.keyword("or"):
            node = Node("or", (node, self.and_()))
        self.depth -= 1
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.keyword("and"):
            node = Node("and", (node, self.not_()))
        return node

    def not_(self) -> Node:
        if self.keyword("not"):
            self.enter()
            node = Node("not", (self.not_(),))
            self.depth -= 1
            return node
        return self.compare()

    def compare(self) -> Node:
        node = self.additive()
        operator = self.keyword(*COMPARISONS)
        if operator:
            node = Node(operator, (node, self.additive()))
            if self.keyword(*COMPARISONS):
                raise bad_request("$filter: put brackets around a comparison inside a comparison.")
        return node

    def additive(self) -> Node:
        depth = self.depth
        node = self.multiply()
        while operator := self.keyword("add", "sub"):
            self.enter()
            node = Node(operator, (node, self.multiply()))
        self.depth = depth
        return node

    def multiply(self) -> Node:
        depth = self.depth
        node = self.unary()
        while operator := self.keyword("mul", "div", "mod"):
            self.enter()
            node = Node(operator, (node, self.unary()))
        self.depth = depth
        return node

    def unary(self) -> Node:
        if self.punct("-"):
            self.enter()
            node = Node("neg", (self.unary(),))
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.peek()
        if token is None:
            raise bad_request("$filter ends where a value or property was expected.")
        kind, text, position = token
        if kind == "punct":
            if text != "(":
                raise bad_request(f"$filter: unexpected {text!r} at {position}.")
            self.index += 1
            node = self.or_()
            self.expect(")")
            return node
        self.index += 1
        self.term()
        if kind == "name":
            return self.name(text)
        return self.literal(kind, text)

    def name(self, text: str) -> Node:
        if text in ("true", "false"):
            return Node("lit", (text == "true",), "bool")
        if text == "null":
            return Node("lit", (None,), "null")
        if self.punct("("):
            self.enter()
            args: list[Node] = []
            if not self.punct(")"):
                args.append(self.or_())
                while self.punct(","):
                    args.append(self.or_())
                self.expect(")")
            self.depth -= 1
            return Node("call", (text.lower(), tuple(args)))
        segments = [text]
        while self.punct("/"):
            token = self.peek()
            if token is None or token[0] != "name":
                raise bad_request(f"$filter: a property name must follow '/' after {text!r}.")
            self.index += 1
            segments.append(token[1])
        if len(segments) > MAX_DEPTH:
            raise bad_request(f"$filter: the path {'/'.join(segments)} is too long.")
        return Node("path", tuple(segments))

    def literal(self, kind: str, text: str) -> Node:
        if kind == "string":
            return Node("lit", (text[1:-1].replace("''", "'"),), "string")
        if kind == "number":
            value: float | int = float(text) if any(c in text for c in ".eE") else int(text)
            if not abs(value) <= MAX_NUMBER:
                raise bad_request(f"$filter: the number {text} is too large.")
            return Node("lit", (value,), "number")
        if kind == "datetime":
            return Node("lit", (parse_datetime(text),), "datetime")
        if kind == "date":
            try:
                return Node("lit", (datetime.date.fromisoformat(text),), "date")
            except ValueError:
                raise bad_request(f"$filter: {text} is not a valid date.") from None
        if kind == "time":
            try:
                return Node("lit", (datetime.time.fromisoformat(text),), "time")
            except ValueError:
                raise bad_request(f"$filter: {text} is not a valid time.") from None
        prefix, _, body = text.partition("'")
        body = body[:-1].replace("''", "'")
        if prefix == "duration":
            return Node("lit", (parse_duration(body),), "duration")
        return Node("lit", (body,), "geometry")  # geography'POINT(…)': checked where used


def parse(text: str) -> Node:
    """The tree of a ``$filter`` expression; :class:`StaError` (400) for anything wrong."""
    if len(text) > MAX_LENGTH:
        raise bad_request(f"$filter is too long (at most {MAX_LENGTH} characters).")
    try:
        return _Parser(text).parse()
    except StaError:
        raise
    except (ValueError, OverflowError, RecursionError) as error:
        raise bad_request(f"$filter could not be read: {error}") from None
