"""XML Schema regular expressions (FIM `praezisierung` `pattern`) translated for the server and
the browser (ADR 0034).

`translate(xsd)` parses the pattern by the grammar of XML Schema 1.0 (appendix F) and writes it
twice:

- `server`: a Python `re` pattern, anchored as `^(?:...)$(?!\\n)` because an XML Schema
  pattern matches the whole value (Python's `$` alone would accept a final newline). Python
  `re` knows no `\\p{..}`, so every character class (`\\p{L}`, `\\d`, `[\\p{L}0-9 ]`,
  `[a-z-[aeiou]]`, `.`) is computed from `unicodedata` into explicit ranges; the result is
  exact for the Unicode version of the running Python (and valid ECMAScript with `u`).
- `browser`: the value of an HTML `pattern` attribute, which browsers compile as ECMAScript with
  the `v` flag and anchor themselves: `\\p{L}` stays, a subtraction becomes `[[a-z]--[aeiou]]`,
  blocks (`\\p{IsBasicLatin}`) become ranges, every other character that is not an ASCII letter
  or digit is written as `\\u{..}`, so nothing needs escaping under `v`.

A pattern that cannot be translated faithfully raises `PatternError` with the reason: syntax
errors, back-references and other escapes of other dialects (`\\b`, `\\1`, `\\x41`), the XML
name escapes `\\i`/`\\c`, unknown categories or blocks, reversed ranges, bounds above
`MAX_REPEAT`, and a repeated group that itself contains an unbounded repetition (`(a+)+`), whose
matching time can explode. Lenient on purpose, with a note: a `^` at the start and a `$` at the
end are taken as the anchors the author meant (XML Schema would read them as the characters
`^` and `$`, which no answer contains), and a backslash before other ASCII punctuation
(`\\$`, `\\/`) stands for that character.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Final

MAX_LENGTH: Final = 2000
MAX_REPEAT: Final = 10000

_CATEGORIES: Final = frozenset(
    {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No"}
    | {"P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp"}
    | {"S", "Sm", "Sc", "Sk", "So", "C", "Cc", "Cf", "Co", "Cn"}
)
# The blocks FIM schemas use (XML Schema block names, Unicode block ranges).
_BLOCKS: Final = {
    "BasicLatin": (0x0000, 0x007F),
    "Latin-1Supplement": (0x0080, 0x00FF),
    "LatinExtended-A": (0x0100, 0x017F),
    "LatinExtended-B": (0x0180, 0x024F),
    "IPAExtensions": (0x0250, 0x02AF),
    "SpacingModifierLetters": (0x02B0, 0x02FF),
    "CombiningDiacriticalMarks": (0x0300, 0x036F),
    "Greek": (0x0370, 0x03FF),
    "Cyrillic": (0x0400, 0x04FF),
    "LatinExtendedAdditional": (0x1E00, 0x1EFF),
    "GreekExtended": (0x1F00, 0x1FFF),
    "GeneralPunctuation": (0x2000, 0x206F),
    "SuperscriptsandSubscripts": (0x2070, 0x209F),
    "CurrencySymbols": (0x20A0, 0x20CF),
    "LetterlikeSymbols": (0x2100, 0x214F),
    "NumberForms": (0x2150, 0x218F),
}
_SINGLE_ESCAPES: Final = {"n": "\n", "r": "\r", "t": "\t"}
_METACHARACTERS: Final = frozenset(".\\?*+{}()|[]")
_QUANTITY: Final = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_MAX: Final = sys.maxunicode

Ranges = tuple[tuple[int, int], ...]


class PatternError(ValueError):
    """The pattern cannot be translated; the message says why (English, for the report)."""


@dataclass(frozen=True)
class Translated:
    server: str  # Python `re`, anchored
    browser: str  # HTML pattern attribute (ECMAScript, `v` flag), not anchored
    notes: list[str] = field(default_factory=list)


# --- character sets --------------------------------------------------------------------------


def _normalise(ranges: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return tuple(merged)


def _complement(ranges: Ranges) -> Ranges:
    result, start = [], 0
    for low, high in ranges:
        if low > start:
            result.append((start, low - 1))
        start = high + 1
    if start <= _MAX:
        result.append((start, _MAX))
    return tuple(result)


def _subtract(ranges: Ranges, other: Ranges) -> Ranges:
    return _intersect(ranges, _complement(other))


def _intersect(first: Ranges, second: Ranges) -> Ranges:
    result, i, j = [], 0, 0
    while i < len(first) and j < len(second):
        low, high = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if low <= high:
            result.append((low, high))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return tuple(result)


@cache
def _category_table() -> dict[str, Ranges]:
    """Every general category as ranges of code points (one pass over Unicode, once)."""
    found: dict[str, list[tuple[int, int]]] = {}
    current, start = unicodedata.category("\0"), 0
    for point in range(1, _MAX + 2):
        category = unicodedata.category(chr(point)) if point <= _MAX else ""
        if category != current:
            found.setdefault(current, []).append((start, point - 1))
            current, start = category, point
    table = {name: tuple(ranges) for name, ranges in found.items()}
    for major in "LMNPZSC":
        table[major] = _normalise([r for name, rs in found.items() if name[0] == major for r in rs])
    return table


def _category(name: str) -> Ranges:
    return _category_table().get(name, ())


_SPACE: Final = _normalise([(0x20, 0x20), (0x9, 0xA), (0xD, 0xD)])
_NEWLINES: Final = _normalise([(0xA, 0xA), (0xD, 0xD)])


@dataclass(frozen=True)
class _Set:
    """A character class: its code points (for Python) and its ECMAScript `v` spelling."""

    ranges: Ranges
    js: str  # usable as one class operand: "a", "\\p{L}", "[...]"

    def negated(self) -> _Set:
        return _Set(_complement(self.ranges), _negate_js(self.js))


def _negate_js(js: str) -> str:
    if js.startswith("\\p{"):
        return "\\P" + js[2:]
    if js.startswith("\\P{"):
        return "\\p" + js[2:]
    if js.startswith("[^"):
        return "[" + js[2:]
    return f"[^{js}]"


def _js_char(point: int) -> str:
    char = chr(point)
    if char.isascii() and char.isalnum():
        return char
    return f"\\u{{{point:X}}}"


def _py_char(point: int) -> str:
    char = chr(point)
    if char.isascii() and char.isalnum():
        return char
    if point <= 0xFFFF:
        return f"\\u{point:04X}"
    return char  # astral characters are never special; Python and ECMAScript (u/v) take them


def _py_class(ranges: Ranges) -> str:
    if not ranges:
        return "[^\\u0000-" + _py_char(_MAX) + "]"  # matches nothing
    parts = [
        _py_char(low) if low == high else f"{_py_char(low)}-{_py_char(high)}"
        for low, high in ranges
    ]
    return "[" + "".join(parts) + "]"


def _js_ranges(ranges: Ranges) -> str:
    return (
        "["
        + "".join(
            _js_char(low) if low == high else f"{_js_char(low)}-{_js_char(high)}"
            for low, high in ranges
        )
        + "]"
    )


def _literal(point: int) -> _Set:
    return _Set(((point, point),), _js_char(point))


# --- parsing and writing ----------------------------------------------------------------------


@dataclass
class _Piece:
    py: str
    js: str
    unbounded: bool  # contains a repetition without upper bound

    @staticmethod
    def joined(separator: str, pieces: list[_Piece]) -> _Piece:
        """The pieces one after the other (``""``) or as alternatives (``"|"``)."""
        return _Piece(
            separator.join(piece.py for piece in pieces),
            separator.join(piece.js for piece in pieces),
            any(piece.unbounded for piece in pieces),
        )


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.notes: list[str] = []

    def fail(self, reason: str) -> PatternError:
        return PatternError(f"{reason} at position {self.pos + 1}")

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise self.fail("unexpected end of the pattern")
        self.pos += 1
        return char

    # regExp ::= branch ( '|' branch )*
    def expression(self) -> _Piece:
        branches = [self.branch()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.branch())
        return _Piece.joined("|", branches)

    def branch(self) -> _Piece:
        pieces: list[_Piece] = []
        while self.peek() and self.peek() not in "|)":
            pieces.append(self.piece())
        return _Piece.joined("", pieces)

    def piece(self) -> _Piece:
        atom, is_group = self.atom()
        quantifier, unbounded = self.quantifier()
        if unbounded and is_group and atom.unbounded:
            raise self.fail("a repeated group contains an unbounded repetition (slow to match)")
        return _Piece(atom.py + quantifier, atom.js + quantifier, atom.unbounded or unbounded)

    def quantifier(self) -> tuple[str, bool]:
        char = self.peek()
        if char in ("?", "*", "+"):
            self.pos += 1
            if self.peek() in ("?", "*", "+"):
                raise self.fail(f"'{char}{self.peek()}' is no XML Schema quantifier")
            return char, char != "?"
        if char != "{":
            return "", False
        match = _QUANTITY.match(self.text, self.pos)
        if match is None:
            raise self.fail("malformed quantity {n,m}")
        low = int(match.group(1))
        high = match.group(3)
        if low > MAX_REPEAT or (high and int(high) > MAX_REPEAT):
            raise self.fail(f"a repetition above {MAX_REPEAT}")
        if high and int(high) < low:
            raise self.fail(f"quantity {match.group(0)} has its bounds reversed")
        self.pos = match.end()
        if self.peek() in ("?", "*", "+", "{"):
            raise self.fail("two quantifiers in a row")
        return match.group(0), match.group(2) is not None and not high

    def atom(self) -> tuple[_Piece, bool]:
        char = self.peek()
        if char == "(":
            self.pos += 1
            if self.peek() == "?":
                raise self.fail("'(?' is no XML Schema syntax")
            inner = self.expression()
            if self.peek() != ")":
                raise self.fail("missing ')'")
            self.pos += 1
            return _Piece(f"(?:{inner.py})", f"(?:{inner.js})", inner.unbounded), True
        if char == "[":
            return self.as_piece(self.class_expression()), False
        if char == ".":
            self.pos += 1
            dot = _Set(_complement(_NEWLINES), "[^\\u{A}\\u{D}]")
            return self.as_piece(dot), False
        if char == "\\":
            return self.as_piece(self.escape()), False
        if char in _METACHARACTERS:
            raise self.fail(f"unexpected '{char}'")
        self.pos += 1
        point = ord(char)
        return _Piece(_py_char(point), _js_char(point), False), False

    @staticmethod
    def as_piece(chars: _Set) -> _Piece:
        return _Piece(_py_class(chars.ranges), chars.js, False)

    def escape(self) -> _Set:
        self.take()  # the backslash
        char = self.take()
        if char in _SINGLE_ESCAPES:
            return _literal(ord(_SINGLE_ESCAPES[char]))
        if char in ("p", "P"):
            chars = self.property()
            return chars if char == "p" else chars.negated()
        if char in ("d", "D"):
            digits = _Set(_category("Nd"), "\\p{Nd}")
            return digits if char == "d" else digits.negated()
        if char in ("s", "S"):
            spaces = _Set(_SPACE, "[\\u{9}\\u{A}\\u{D}\\u{20}]")
            return spaces if char == "s" else spaces.negated()
        if char in ("w", "W"):
            other = _normalise([*_category("P"), *_category("Z"), *_category("C")])
            word = _Set(_complement(other), "[^\\p{P}\\p{Z}\\p{C}]")
            return word if char == "w" else word.negated()
        if char in "iIcC":
            raise self.fail(f"the XML name escape \\{char} is not supported")
        if char.isascii() and not char.isalnum() and char.isprintable():
            if char not in _METACHARACTERS and char not in "-^":
                self.notes.append(f"'\\{char}' read as the character '{char}'")
            return _literal(ord(char))
        raise self.fail(f"the escape \\{char} is not XML Schema syntax")

    def property(self) -> _Set:
        if self.peek() != "{":
            raise self.fail("\\p needs a name in braces")
        end = self.text.find("}", self.pos)
        if end < 0:
            raise self.fail("missing '}' after \\p{")
        name = self.text[self.pos + 1 : end]
        self.pos = end + 1
        if name in _CATEGORIES:
            return _Set(_category(name), f"\\p{{{name}}}")
        if name.startswith("Is") and name[2:] in _BLOCKS:
            low, high = _BLOCKS[name[2:]]
            ranges = ((low, high),)
            return _Set(ranges, _js_ranges(ranges))
        raise self.fail(f"unknown category or block \\p{{{name}}}")

    # charClassExpr ::= '[' ( '^'? charGroup ) ( '-' charClassExpr )? ']'
    def class_expression(self) -> _Set:
        self.take()  # [
        negative = self.peek() == "^"
        if negative:
            self.pos += 1
        items: list[_Set] = []
        subtracted: _Set | None = None
        first = True
        while True:
            char = self.peek()
            if not char:
                raise self.fail("missing ']'")
            if char == "]" and not first:
                self.pos += 1
                break
            if char == "-" and self.peek(1) == "[":
                if not items:
                    raise self.fail("a subtraction needs characters to subtract from")
                self.pos += 1
                subtracted = self.class_expression()
                if self.peek() != "]":
                    raise self.fail("a subtraction must end the class")
                continue
            if char == "[":
                raise self.fail("an unescaped '[' inside a class")
            items.append(self.class_item())
            first = False
        ranges = _normalise([r for item in items for r in item.ranges])
        js = "[" + ("^" if negative else "") + "".join(item.js for item in items) + "]"
        if negative:
            ranges = _complement(ranges)
        if subtracted is not None:
            ranges = _subtract(ranges, subtracted.ranges)
            js = f"[{js}--{subtracted.js}]"
        return _Set(ranges, js)

    def class_item(self) -> _Set:
        start = self.class_char()
        if isinstance(start, _Set):
            return start
        if self.peek() == "-" and self.peek(1) not in ("]", "[", ""):
            self.pos += 1
            end = self.class_char()
            if isinstance(end, _Set):
                raise self.fail("a range cannot end in a class escape")
            if end < start:
                raise self.fail(f"the range {chr(start)}-{chr(end)} is reversed")
            return _Set(((start, end),), f"{_js_char(start)}-{_js_char(end)}")
        return _literal(start)

    def class_char(self) -> int | _Set:
        """A single character (its code point) or a class escape such as \\p{L}."""
        if self.peek() == "\\":
            letter = self.peek(1)
            chars = self.escape()
            if letter in "pPdDsSwW":  # a category or a multi-character escape
                return chars
            return chars.ranges[0][0]
        return ord(self.take())


def translate(xsd: str) -> Translated:
    """The pattern for Python and the browser, or PatternError saying why it cannot be."""
    if len(xsd) > MAX_LENGTH:
        raise PatternError(f"the pattern is longer than {MAX_LENGTH} characters")
    notes: list[str] = []
    body = xsd
    if body.startswith("^"):
        body = body[1:]
        notes.append("the leading '^' is read as the start of the value")
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
        notes.append("the trailing '$' is read as the end of the value")
    parser = _Parser(body)
    result = parser.expression()
    if parser.pos < len(body):
        raise parser.fail(f"unexpected '{body[parser.pos]}'")
    server = f"^(?:{result.py})$(?!\\n)"  # Python's $ also matches before a final newline
    try:
        re.compile(server)
    except re.error as exc:  # pragma: no cover - the writer produces valid syntax
        raise PatternError(f"no valid Python pattern: {exc}") from exc
    return Translated(server=server, browser=result.js, notes=notes + parser.notes)
