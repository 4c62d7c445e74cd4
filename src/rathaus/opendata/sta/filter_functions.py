"""The functions of ``$filter`` (OGC 18-088 §9.3.3.5.2): text, date and time, mathematics and
geospatial functions on points, each checking its arguments and compiling to SQL that works the
same on SQLite and PostgreSQL.

Geometry needs no extension in the database: locations and features of interest keep their point
as ``longitude``/``latitude`` columns, and a ``geography'POLYGON(…)'`` literal becomes an
even-odd ray-casting test over its edges in plain SQL (ADR 0057). Distances are in degrees, as
FROST-Server computes them on WGS 84 coordinates.
"""

from __future__ import annotations

import datetime
import itertools
import math
import re
from collections.abc import Callable
from functools import reduce
from typing import TYPE_CHECKING, Any

from django.db.models import Case, FloatField, Func, IntegerField, Q, TextField, Value, When
from django.db.models import lookups as django_lookups
from django.db.models.functions import (
    Cast,
    Ceil,
    Concat,
    ExtractDay,
    ExtractHour,
    ExtractMinute,
    ExtractMonth,
    ExtractSecond,
    ExtractYear,
    Floor,
    Greatest,
    Least,
    Left,
    Length,
    Lower,
    Right,
    Round,
    Sqrt,
    StrIndex,
    Substr,
    Trim,
    TruncDate,
    TruncTime,
    Upper,
)

from rathaus.opendata.sta.errors import bad_request

if TYPE_CHECKING:
    from rathaus.opendata.sta.filter import Compiler, Cond, Val
    from rathaus.opendata.sta.filter_parse import Node

MAX_VERTICES = 100
MAX_POSITION = 1_000_000
MIN_TIME = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
MAX_TIME = datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC)
EPSILON = 1e-9  # degrees: two points this close are the same point


class Modulo(Func):
    """``a mod b`` for whole and decimal numbers (PostgreSQL has MOD only on numeric)."""

    function = "MOD"
    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="MOD(CAST(%(expressions)s AS numeric))",
            arg_joiner=" AS numeric), CAST(", **extra,
        )  # fmt: skip


class Numeric(Func):
    """A number for arithmetic: on PostgreSQL ``numeric``, whose range no bounded filter can
    leave (``double precision`` stops the query with an overflow error); on SQLite a float
    (an overflow there is infinity, and ``/`` of two whole numbers would drop the fraction)."""

    template = "CAST(%(expressions)s AS REAL)"
    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS numeric)")


class FractionalSeconds(Func):
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django keeps times on SQLite as "YYYY-MM-DD HH:MM:SS.ffffff" text.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST('0' || SUBSTR({sql}, 20) AS REAL)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        second = f"EXTRACT(SECOND FROM {sql})"
        return f"({second} - FLOOR({second}))", [*params, *params]


def call(compiler: Compiler, name: str, args: list[Node]) -> Val | Cond:
    entry = FUNCTIONS.get(name)
    if entry is None:
        raise bad_request(f"$filter: there is no function {name}().")
    counts, function = entry
    if len(args) not in counts:
        expected = " or ".join(str(n) for n in counts)
        raise bad_request(f"$filter: {name}() takes {expected} argument(s), not {len(args)}.")
    values = [compiler.value(arg) for arg in args]
    result: Val | Cond = function(compiler, name, values)
    return result


# argument checks ---------------------------------------------------------------------------
def _kind(name: str, val: Val, *kinds: str) -> Val:
    from dataclasses import replace

    from rathaus.opendata.sta.filter import describe

    if val.kind in ("result", "id") and "number" in kinds:
        return replace(val, kind="number", lookups=None)
    if val.kind == "json" and "string" in kinds and val.text is not None:
        return replace(val, kind="string", expr=val.text, json=False, lookups=None)
    if val.kind not in kinds:
        raise bad_request(f"$filter: {name}() does not take {describe(val)}.")
    return val


def _fold(kind: str, values: list[Val], python: Callable[..., Any], sql: Callable[..., Any]) -> Val:
    from rathaus.opendata.sta.filter import Val, constant

    if all(v.is_constant for v in values):
        try:
            return constant(kind, python(*(v.const for v in values)))
        except (ValueError, OverflowError, TypeError):
            raise bad_request("$filter: a function got a value out of range.") from None
    return Val(kind, sql(*(v.expression() for v in values)), many=any(v.many for v in values))


def _condition(values: list[Val], q: Q) -> Cond:
    from rathaus.opendata.sta.filter import Cond

    return Cond(q, any(v.many for v in values))


def _greater(lhs: Any, rhs: Any) -> Q:
    return Q(django_lookups.GreaterThan(lhs, rhs))


# text --------------------------------------------------------------------------------------
def substringof(c: Compiler, name: str, args: list[Val]) -> Cond:
    needle, haystack = (_kind(name, a, "string") for a in args)
    return _contains(haystack, needle)


def _contains(haystack: Val, needle: Val) -> Cond:
    # StrIndex (INSTR / STRPOS) is case-sensitive on both databases, unlike LIKE on SQLite.
    return _condition(
        [haystack, needle], _greater(StrIndex(haystack.expression(), needle.expression()), 0)
    )


def contains(c: Compiler, name: str, args: list[Val]) -> Cond:
    haystack, needle = (_kind(name, a, "string") for a in args)
    return _contains(haystack, needle)


def startswith(c: Compiler, name: str, args: list[Val]) -> Cond:
    text, start = (_kind(name, a, "string") for a in args)
    cut = Left if name == "startswith" else Right
    part = cut(text.expression(), Length(start.expression()))
    return _condition(args, Q(django_lookups.Exact(part, start.expression())))


def length(c: Compiler, name: str, args: list[Val]) -> Val:
    return _fold("number", [_kind(name, args[0], "string")], len, Length)


def indexof(c: Compiler, name: str, args: list[Val]) -> Val:
    values = [_kind(name, a, "string") for a in args]
    return _fold("number", values, str.find, lambda a, b: StrIndex(a, b) - 1)


def substring(c: Compiler, name: str, args: list[Val]) -> Val:
    values = [_kind(name, args[0], "string"), *(_kind(name, a, "number") for a in args[1:])]
    for value in values[1:]:
        if value.is_constant and (not float(value.const).is_integer() or value.const < 0):
            raise bad_request("$filter: substring() takes positions and lengths from 0 up.")

    def python(text: str, start: int, count: int | None = None) -> str:
        return text[int(start) :] if count is None else text[int(start) : int(start + count)]

    def sql(text: Any, start: Any, count: Any = None) -> Any:
        if count is None:
            return Substr(text, _position(start) + 1)
        return Substr(text, _position(start) + 1, _position(count))

    return _fold("string", values, python, sql)


def _position(number: Any) -> Any:
    """A whole number from 0 to a million: PostgreSQL's SUBSTRING takes only integers and
    refuses a negative length; texts here are far shorter."""
    bounded = Least(Greatest(number, Value(0)), Value(MAX_POSITION))
    return Cast(bounded, IntegerField())


def _text_function(python: Callable[[str], str], sql: type[Func]) -> Callable[..., Val]:
    def function(c: Compiler, name: str, args: list[Val]) -> Val:
        return _fold("string", [_kind(name, args[0], "string")], python, sql)

    return function


def concat(c: Compiler, name: str, args: list[Val]) -> Val:
    values = [_kind(name, a, "string") for a in args]
    return _fold(
        "string", values, lambda a, b: a + b, lambda a, b: Concat(a, b, output_field=TextField())
    )


# dates and times ---------------------------------------------------------------------------
_EXTRACTS: dict[str, tuple[Any, str]] = {
    "year": (ExtractYear, "year"),
    "month": (ExtractMonth, "month"),
    "day": (ExtractDay, "day"),
    "hour": (ExtractHour, "hour"),
    "minute": (ExtractMinute, "minute"),
}


def _utc(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC)
    return value


def extract(c: Compiler, name: str, args: list[Val]) -> Val:
    kinds = ("datetime", "date") if name in ("year", "month", "day") else ("datetime", "time")
    value = _kind(name, args[0], *kinds)
    extra: dict[str, Any] = {"tzinfo": datetime.UTC} if value.kind == "datetime" else {}
    if name == "second":
        # PostgreSQL counts fractions in the second; the standard's second() is whole.
        return _fold("number", [value], lambda v: _utc(v).second,
                     lambda e: Floor(ExtractSecond(e, **extra)))  # fmt: skip
    extractor, attribute = _EXTRACTS[name]
    return _fold("number", [value], lambda v: getattr(_utc(v), attribute),
                 lambda e: extractor(e, **extra))  # fmt: skip


def fractionalseconds(c: Compiler, name: str, args: list[Val]) -> Val:
    value = _kind(name, args[0], "datetime")
    return _fold("number", [value], lambda v: v.microsecond / 1e6, FractionalSeconds)


def date(c: Compiler, name: str, args: list[Val]) -> Val:
    value = _kind(name, args[0], "datetime")
    return _fold("date", [value], lambda v: _utc(v).date(),
                 lambda e: TruncDate(e, tzinfo=datetime.UTC))  # fmt: skip


def time(c: Compiler, name: str, args: list[Val]) -> Val:
    value = _kind(name, args[0], "datetime")
    return _fold("time", [value], lambda v: _utc(v).time(),
                 lambda e: TruncTime(e, tzinfo=datetime.UTC))  # fmt: skip


def totaloffsetminutes(c: Compiler, name: str, args: list[Val]) -> Val:
    from rathaus.opendata.sta.filter import constant

    value = _kind(name, args[0], "datetime")
    if value.is_constant:
        offset = value.const.utcoffset() or datetime.timedelta()
        return constant("number", int(offset.total_seconds() // 60))
    return constant("number", 0)  # every stored time is kept in UTC


def now(c: Compiler, name: str, args: list[Val]) -> Val:
    from rathaus.opendata.sta.filter import constant

    return constant("datetime", c.now)


def min_max_datetime(c: Compiler, name: str, args: list[Val]) -> Val:
    """Without an argument the earliest/latest time there is; with an interval property its
    start/end (FROST-Server's reading)."""
    from rathaus.opendata.sta.filter import Val, constant

    if not args:
        return constant("datetime", MIN_TIME if name == "mindatetime" else MAX_TIME)
    value = _kind(name, args[0], "datetime")
    if name == "mindatetime" or value.end is None:
        return Val("datetime", value.expr, const=value.const, many=value.many)
    return Val("datetime", value.end, many=value.many)


# mathematics -------------------------------------------------------------------------------
def _math(python: Callable[[float], float], sql: type[Func]) -> Callable[..., Val]:
    def function(c: Compiler, name: str, args: list[Val]) -> Val:
        return _fold("number", [_kind(name, args[0], "number")], python, sql)

    return function


# geometry ----------------------------------------------------------------------------------
_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
# The standard's own example writes POINT(-122, 43): a comma between the two is accepted.
_POINT = re.compile(rf"^\s*POINT\s*\(\s*({_NUMBER})\s*(?:,\s*|\s+)({_NUMBER})\s*\)\s*$", re.I)
_POLYGON = re.compile(r"^\s*POLYGON\s*\((.*)\)\s*$", re.I | re.S)
_RING = re.compile(r"\(([^()]*)\)")


def parse_geometry(text: str) -> tuple[str, list[list[tuple[float, float]]]]:
    """``("point", [[(x, y)]])`` or ``("polygon", rings)`` from WKT (an ``SRID=…;`` prefix is
    allowed; coordinates are longitude latitude)."""
    body = re.sub(r"^\s*SRID=\d+;", "", text, flags=re.I)
    if match := _POINT.match(body):
        return "point", [[(float(match[1]), float(match[2]))]]
    if match := _POLYGON.match(body):
        inner = match[1].strip()
        rings = []
        if _RING.sub("", inner).replace(",", "").strip():
            raise bad_request(f"$filter: geography'{text}' is not a valid polygon.")
        for ring_text in _RING.findall(inner):
            ring = []
            for pair in ring_text.split(","):
                parts = pair.split()
                if len(parts) != 2 or not all(re.fullmatch(_NUMBER, p) for p in parts):
                    raise bad_request(f"$filter: geography'{text}' has a bad coordinate {pair!r}.")
                ring.append((float(parts[0]), float(parts[1])))
            if len(ring) < 4 or ring[0] != ring[-1]:
                raise bad_request(
                    "$filter: a polygon ring needs at least four points and must end where it "
                    "starts."
                )
            rings.append(ring)
        if not rings:
            raise bad_request(f"$filter: geography'{text}' is not a valid polygon.")
        if sum(len(ring) for ring in rings) > MAX_VERTICES:
            raise bad_request(f"$filter: a polygon may have at most {MAX_VERTICES} points.")
        return "polygon", rings
    raise bad_request(
        f"$filter: geography'{text}' is not understood; use POINT(lon lat) or "
        "POLYGON((lon lat, …))."
    )


def _point_and_shape(name: str, args: list[Val]) -> tuple[Val, str, list[Any]]:
    """The location column and the literal geometry, in whichever order they were given."""
    columns = [a for a in args if a.kind == "point"]
    literals = [a for a in args if a.kind == "geometry" and a.is_constant]
    if len(columns) != 1 or len(literals) != 1:
        raise bad_request(
            f"$filter: {name}() compares the location of a Location or FeatureOfInterest with a "
            "geography'…' literal."
        )
    shape, rings = parse_geometry(literals[0].const)
    if name in ("st_within",) and args[0] is not columns[0]:
        raise bad_request("$filter: st_within(location, geography'…'): the location comes first.")
    if name == "st_contains" and args[1] is not columns[0]:
        raise bad_request("$filter: st_contains(geography'…', location): the location is second.")
    return columns[0], shape, rings


def _columns(column: Val) -> tuple[Any, Any]:
    if column.point is None:  # pragma: no cover - _point_and_shape only passes location columns
        raise bad_request("$filter: this property has no point.")
    return column.point


def _same_point(column: Val, x: float, y: float) -> Q:
    lon, lat = _columns(column)
    return Q(django_lookups.Range(lon, (x - EPSILON, x + EPSILON))) & Q(
        django_lookups.Range(lat, (y - EPSILON, y + EPSILON))
    )


def _inside(column: Val, rings: list[list[tuple[float, float]]]) -> Q:
    """Even-odd rule: a ray from the point to the east crosses the rings' edges an odd number of
    times. Each edge is a linear test on the columns; the bounding box narrows first."""
    lon, lat = _columns(column)
    crossings: list[Any] = []
    for ring in rings:
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            if y1 == y2:
                continue
            low, high = min(y1, y2), max(y1, y2)
            slope = (x2 - x1) / (y2 - y1)
            crosses = (
                Q(django_lookups.GreaterThanOrEqual(lat, low))
                & Q(django_lookups.LessThan(lat, high))
                & Q(django_lookups.LessThan(lon, Value(x1 - slope * y1) + Value(slope) * lat))
            )
            crossings.append(Case(When(crosses, then=Value(1)), default=Value(0)))
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    box = Q(django_lookups.Range(lon, (min(xs), max(xs)))) & Q(
        django_lookups.Range(lat, (min(ys), max(ys)))
    )
    if not crossings:
        return box & Q(pk__in=[])
    total: Any = reduce(lambda a, b: a + b, crossings)
    return box & Q(django_lookups.Exact(Modulo(total, Value(2)), 1))


def spatial(c: Compiler, name: str, args: list[Val]) -> Cond:
    column, shape, rings = _point_and_shape(name, args)
    if name == "st_equals" and shape != "point":
        return _condition(args, Q(pk__in=[]))  # a point never equals a polygon
    hits = _same_point(column, *rings[0][0]) if shape == "point" else _inside(column, rings)
    return _condition(args, ~hits if name == "st_disjoint" else hits)


def distance(c: Compiler, name: str, args: list[Val]) -> Val:
    from rathaus.opendata.sta.filter import Val

    column, shape, rings = _point_and_shape(name, args)
    if shape != "point":
        raise bad_request("$filter: geo.distance() measures between two points.")
    x, y = rings[0][0]
    lon, lat = _columns(column)
    dx, dy = lon - Value(x), lat - Value(y)
    return Val("number", Sqrt(dx * dx + dy * dy, output_field=FloatField()), many=column.many)


def unsupported_spatial(c: Compiler, name: str, args: list[Val]) -> Cond:
    raise bad_request(
        f"$filter: {name}() is not offered; on points use st_within, st_contains, st_intersects, "
        "st_equals, st_disjoint, geo.intersects or geo.distance."
    )


FUNCTIONS: dict[str, tuple[tuple[int, ...], Callable[..., Any]]] = {
    "substringof": ((2,), substringof),
    "contains": ((2,), contains),
    "endswith": ((2,), startswith),
    "startswith": ((2,), startswith),
    "length": ((1,), length),
    "indexof": ((2,), indexof),
    "substring": ((2, 3), substring),
    "tolower": ((1,), _text_function(str.lower, Lower)),
    "toupper": ((1,), _text_function(str.upper, Upper)),
    "trim": ((1,), _text_function(str.strip, Trim)),
    "concat": ((2,), concat),
    "year": ((1,), extract),
    "month": ((1,), extract),
    "day": ((1,), extract),
    "hour": ((1,), extract),
    "minute": ((1,), extract),
    "second": ((1,), extract),
    "fractionalseconds": ((1,), fractionalseconds),
    "date": ((1,), date),
    "time": ((1,), time),
    "totaloffsetminutes": ((1,), totaloffsetminutes),
    "now": ((0,), now),
    "mindatetime": ((0, 1), min_max_datetime),
    "maxdatetime": ((0, 1), min_max_datetime),
    "round": ((1,), _math(lambda v: float(math.floor(v + 0.5)), Round)),
    "floor": ((1,), _math(lambda v: float(math.floor(v)), Floor)),
    "ceiling": ((1,), _math(lambda v: float(math.ceil(v)), Ceil)),
    "geo.distance": ((2,), distance),
    "geo.intersects": ((2,), spatial),
    "st_within": ((2,), spatial),
    "st_contains": ((2,), spatial),
    "st_intersects": ((2,), spatial),
    "st_equals": ((2,), spatial),
    "st_disjoint": ((2,), spatial),
    "geo.length": ((1,), unsupported_spatial),
    "st_touches": ((2,), unsupported_spatial),
    "st_overlaps": ((2,), unsupported_spatial),
    "st_crosses": ((2,), unsupported_spatial),
    "st_relate": ((2, 3), unsupported_spatial),
}
