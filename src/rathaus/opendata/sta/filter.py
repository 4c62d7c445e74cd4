"""``$filter`` of the SensorThings API, compiled to a Django query (ADR 0057).

The expression is parsed by :mod:`filter_parse` into a tree; this module turns the tree into
Django expressions and lookups, typed as it goes, so that a type error (text compared with a
number, a function given the wrong kind of value) is a 400 here and never a database error. The
functions of the language are in :mod:`filter_functions`.

- Paths follow the entity table: ``Datastream/ObservedProperty/name`` becomes a join; a path
  through a to-many navigation (``Thing/Locations/name``) is true when it holds for *some* related
  entity: the comparison becomes ``EXISTS`` over the same table correlated by primary key.
- Interval properties (``phenomenonTime``, ``validTime`` …) compare as FROST-Server does: ``gt``
  and ``ge`` by the start, ``lt`` and ``le`` by the end (an instant's end is its start), ``eq``
  by both.
- ``result`` is the number column; compared with text or a boolean it is the JSON result.
- ``properties/…`` and other JSON properties compare by their keys (``properties/owner eq 'x'``).
"""

from __future__ import annotations

import datetime
import math
import operator
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import FieldError
from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models import lookups as django_lookups
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce, NullIf

from rathaus.opendata.sta import filter_parse
from rathaus.opendata.sta.entities import ENTITIES, Entity, Kind, Property
from rathaus.opendata.sta.errors import StaError, bad_request
from rathaus.opendata.sta.filter_parse import Node

NO_CONSTANT = object()
LOOKUPS = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
PYTHON_COMPARE = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt,
    "ge": operator.ge, "lt": operator.lt, "le": operator.le,
}  # fmt: skip
BUILTIN_LOOKUPS: dict[str, type[django_lookups.Lookup[Any]]] = {
    "exact": django_lookups.Exact,
    "gt": django_lookups.GreaterThan,
    "gte": django_lookups.GreaterThanOrEqual,
    "lt": django_lookups.LessThan,
    "lte": django_lookups.LessThanOrEqual,
}
KIND_NAMES = {
    "number": "a number", "string": "text", "datetime": "a date and time", "date": "a date",
    "time": "a time of day", "duration": "a duration", "bool": "true or false",
    "geometry": "a geometry", "point": "a location", "json": "a JSON value",
    "result": "a result", "null": "null", "id": "an id",
}  # fmt: skip


@dataclass(frozen=True)
class Val:
    """A compiled value: its kind, a Django expression, and what comparisons need to know."""

    kind: str
    expr: Any = None
    const: Any = NO_CONSTANT
    many: bool = False  # the path crosses a to-many navigation
    end: Any = None  # interval properties: the end (or the start of an instant)
    json: bool = False  # a JSON column or key: comparisons use the JSON lookups
    text: Any = None  # a JSON key as text, for the string functions
    other: Any = None  # result: the JSON column beside the number column
    point: tuple[Any, Any] | None = None  # location columns: (longitude, latitude)
    lookups: Any = field(default=None, compare=False)  # what gives the lookup classes

    @property
    def is_constant(self) -> bool:
        return self.const is not NO_CONSTANT

    def expression(self) -> Any:
        if self.is_constant:
            return Value(self.const)
        return self.expr


@dataclass(frozen=True)
class Cond:
    """A compiled condition."""

    q: Q
    many: bool = False


def constant(kind: str, value: Any) -> Val:
    return Val(kind, const=value)


def describe(val: Val) -> str:
    return KIND_NAMES.get(val.kind, val.kind)


TRUE, FALSE = Q(), Q(pk__in=[])


class Compiler:
    def __init__(self, entity: Entity) -> None:
        self.entity = entity
        self.now = datetime.datetime.now(datetime.UTC)

    # conditions --------------------------------------------------------------------------
    def condition(self, node: Node) -> Q:
        result = self.compile(node)
        if isinstance(result, Cond):
            return self.settle(result)
        if result.kind == "bool" and result.is_constant:
            return TRUE if result.const else FALSE
        raise bad_request(
            f"$filter must be a condition (a comparison or a function that is true or false), "
            f"not {describe(result)}."
        )

    def settle(self, cond: Cond) -> Q:
        """A condition over a to-many path becomes EXISTS over this entity's table."""
        if not cond.many:
            return cond.q
        model = self.entity.model
        return Q(Exists(model._default_manager.filter(pk=OuterRef("pk")).filter(cond.q)))

    def compile(self, node: Node) -> Val | Cond:
        op = node.op
        if op == "lit":
            return constant(node.kind, node.args[0])
        if op == "path":
            return self.path(node.args)
        if op in ("and", "or"):
            first, second = (self.condition(arg) for arg in node.args)
            return Cond(first & second if op == "and" else first | second)
        if op == "not":
            return Cond(~self.condition(node.args[0]))
        if op in filter_parse.COMPARISONS:
            return self.compare(op, self.compile(node.args[0]), self.compile(node.args[1]))
        if op == "neg":
            return self.arithmetic("sub", constant("number", 0), self.value(node.args[0]))
        if op in filter_parse.ARITHMETIC:
            return self.arithmetic(op, self.value(node.args[0]), self.value(node.args[1]))
        if op == "call":
            from rathaus.opendata.sta.filter_functions import call

            name, args = node.args
            return call(self, name, list(args))
        raise bad_request(f"$filter: {op} is not understood.")  # pragma: no cover - parser

    def value(self, node: Node) -> Val:
        result = self.compile(node)
        if isinstance(result, Cond):
            raise bad_request("$filter: a condition cannot be used as a value here.")
        return result

    # paths -------------------------------------------------------------------------------
    def path(self, segments: tuple[str, ...]) -> Val:
        entity = self.entity
        prefix: list[str] = []
        many = False
        for index, segment in enumerate(segments):
            if segment == "id" and index == len(segments) - 1:
                return Val("id", F("__".join([*prefix, "id"])), many=many)
            navigation = entity.navigation(segment)
            if navigation is not None:
                prefix.append(navigation.accessor)
                many = many or navigation.many
                entity = ENTITIES[navigation.target]
                continue
            prop = entity.property(segment)
            if prop is None:
                raise bad_request(
                    f"$filter: {entity.singular} has no property or navigation {segment!r}."
                )
            return self.property(entity, prefix, prop, segments[index + 1 :], many)
        raise bad_request(
            f"$filter: {'/'.join(segments)} leads to {entity.set_name}; name one of its "
            "properties, like …/name."
        )

    def property(
        self, entity: Entity, prefix: list[str], prop: Property, rest: tuple[str, ...], many: bool
    ) -> Val:
        def column(name: str) -> str:
            return "__".join([*prefix, name])

        if rest and prop.kind is not Kind.JSON:
            raise bad_request(f"$filter: {prop.name} of {entity.singular} has no parts.")
        if prop.kind is Kind.STRING:
            return Val("string", F(column(prop.fields[0])), many=many)
        if prop.kind is Kind.JSON:
            expr: Any = F(column(prop.fields[0]))
            text: Any = None
            model_field = entity.model._meta.get_field(prop.fields[0])
            lookups: Any = model_field
            for key in rest:
                text = KeyTextTransform(key, expr)
                expr = KeyTransform(key, expr)
                lookups = expr
            return Val("json", expr, many=many, json=True, text=text, lookups=lookups)
        if prop.kind is Kind.TIME:
            return Val("datetime", F(column(prop.fields[0])), many=many)
        if prop.kind in (Kind.INTERVAL, Kind.TIME_OR_INTERVAL):
            start, end = (F(column(name)) for name in prop.fields)
            return Val("datetime", start, many=many, end=Coalesce(end, start))
        if prop.kind is Kind.RESULT:
            number, other = prop.fields
            return Val(
                "result", F(column(number)), many=many, other=F(column(other)),
                lookups=entity.model._meta.get_field(other),
            )  # fmt: skip
        # geometry: points are mirrored to longitude/latitude where the model has them
        names = {f.name for f in entity.model._meta.get_fields()}
        point = None
        if {"longitude", "latitude"} <= names:
            point = (F(column("longitude")), F(column("latitude")))
        geometry = F(column(prop.fields[0]))
        return Val("point" if point else "geometry", geometry, many=many, point=point)

    # comparisons -------------------------------------------------------------------------
    def compare(self, op: str, left: Val | Cond, right: Val | Cond) -> Cond:
        if isinstance(left, Cond) or isinstance(right, Cond):
            return self.compare_conditions(op, left, right)
        if left.is_constant and not right.is_constant:
            return self.compare(FLIPPED[op], right, left)
        many = left.many or right.many
        if left.kind == "null" or right.kind == "null":
            return Cond(self.null_check(op, left, right), many)
        left, right = self.align(left, right)
        if left.is_constant and right.is_constant:
            try:
                holds = PYTHON_COMPARE[op](left.const, right.const)
            except TypeError:
                raise bad_request(
                    f"$filter: {describe(left)} cannot be compared with {describe(right)}."
                ) from None
            return Cond(TRUE if holds else FALSE)
        if op == "ne":
            equal = self.compare("eq", left, right)
            return Cond(~equal.q | self.null_check("eq", left, constant("null", None)), many)
        if left.end is not None:
            if op == "eq":
                starts = self.lookup("exact", left, left.expr, right)
                ends = self.lookup("exact", left, left.end, right)
                return Cond(starts & ends, many)
            side = left.end if op in ("lt", "le") else left.expr
            return Cond(self.lookup(LOOKUPS[op], left, side, right), many)
        return Cond(self.lookup(LOOKUPS[op], left, left.expr, right), many)

    def compare_conditions(self, op: str, left: Val | Cond, right: Val | Cond) -> Cond:
        cond, other = (left, right) if isinstance(left, Cond) else (right, left)
        boolean = isinstance(other, Val) and other.kind == "bool" and other.is_constant
        if isinstance(cond, Cond) and isinstance(other, Val) and boolean:
            if op not in ("eq", "ne"):
                raise bad_request("$filter: true and false can only be compared with eq or ne.")
            keep = other.const == (op == "eq")
            q = self.settle(cond)
            return Cond(q if keep else ~q)
        raise bad_request("$filter: a condition can only be compared with true or false.")

    def null_check(self, op: str, left: Val, right: Val) -> Q:
        if op not in ("eq", "ne"):
            raise bad_request("$filter: null can only be compared with eq or ne.")
        value = right if left.kind == "null" else left
        if value.kind == "null":
            return TRUE if op == "eq" else FALSE
        if value.is_constant:
            return FALSE if op == "eq" else TRUE
        is_null = django_lookups.IsNull(value.expr, True)
        return Q(is_null) if op == "eq" else ~Q(is_null)

    def align(self, left: Val, right: Val) -> tuple[Val, Val]:
        """Both sides of one kind: text constants read as dates and times where a time is
        compared, the result as number or JSON by what it is compared with."""
        if left.kind == "result":
            if right.kind in ("string", "bool") and right.is_constant:
                left = replace(left, kind="json", expr=left.other, json=True)
                return left, right
            left = replace(left, kind="number", lookups=None)
        if right.kind == "result":
            right = replace(right, kind="number", lookups=None)
        if "id" in (left.kind, right.kind):
            return _ids(left), _ids(right)
        if left.kind == "json":
            if not right.is_constant or right.kind not in ("number", "string", "bool"):
                raise bad_request(
                    "$filter: a JSON property can only be compared with a number, text, true, "
                    "false or null."
                )
            return left, right
        for a, b in ((left, right), (right, left)):
            if b.is_constant and b.kind == "string" and a.kind in ("datetime", "date"):
                text = b.const
                parsed: Any = (
                    filter_parse.parse_datetime(text) if a.kind == "datetime"
                    else _parse_date(text)
                )  # fmt: skip
                b2 = constant(a.kind, parsed)
                return (left, b2) if b is right else (b2, right)
        if left.kind != right.kind:
            raise bad_request(
                f"$filter: {describe(left)} cannot be compared with {describe(right)}."
            )
        if left.kind in ("point", "geometry"):
            raise bad_request("$filter: compare locations with st_equals or geo.distance.")
        return left, right

    def lookup(self, name: str, left: Val, lhs: Any, right: Val) -> Q:
        source = left.lookups
        lookup_class = source.get_lookup(name) if source is not None else None
        if lookup_class is None:
            lookup_class = BUILTIN_LOOKUPS[name]
        rhs = right.const if right.is_constant else right.expression()
        if left.json and right.is_constant:
            rhs = Value(right.const, output_field=JSONField())
        return Q(lookup_class(lhs, rhs))

    # arithmetic --------------------------------------------------------------------------
    def arithmetic(self, op: str, left: Val, right: Val) -> Val:
        left, right = (
            replace(v, kind="number", lookups=None) if v.kind in ("result", "id") else v
            for v in (left, right)
        )
        kinds = (left.kind, right.kind)
        if kinds == ("number", "number"):
            return self.number_arithmetic(op, left, right)
        temporal = {
            ("datetime", "duration", "add"): "datetime",
            ("datetime", "duration", "sub"): "datetime",
            ("datetime", "datetime", "sub"): "duration",
            ("duration", "duration", "add"): "duration",
            ("duration", "duration", "sub"): "duration",
        }
        kind = temporal.get((*kinds, op), "")
        if not kind:
            raise bad_request(
                f"$filter: {op} does not work on {describe(left)} and {describe(right)}."
            )
        many = left.many or right.many
        if kind == "datetime" and isinstance(left.expr, ExpressionWrapper):
            # One shift per time keeps every result inside the range both databases can hold.
            raise bad_request("$filter: add or subtract one duration per time, not several.")
        if left.is_constant and right.is_constant:
            try:
                folded = left.const + right.const if op == "add" else left.const - right.const
            except OverflowError:
                raise bad_request("$filter: the date is out of range.") from None
            return constant(kind, folded)
        output: Any = DateTimeField() if kind == "datetime" else DurationField()
        a, b = left.expression(), right.expression()
        combined = a + b if op == "add" else a - b
        return Val(kind, ExpressionWrapper(combined, output_field=output), many=many)

    def number_arithmetic(self, op: str, left: Val, right: Val) -> Val:
        if left.is_constant and right.is_constant:
            a, b = left.const, right.const
            if op in ("div", "mod") and b == 0:
                raise bad_request(f"$filter: {op} by zero.")
            result = {
                "add": operator.add, "sub": operator.sub, "mul": operator.mul,
                "div": operator.truediv, "mod": math.fmod,
            }[op](a, b)  # fmt: skip
            if not (isinstance(result, int) or math.isfinite(result)) or abs(result) > 1e300:
                raise bad_request("$filter: a number is out of range.")
            return constant("number", result)
        from rathaus.opendata.sta.filter_functions import Modulo, Numeric

        a, b = Numeric(left.expression()), Numeric(right.expression())
        many = left.many or right.many
        expr: Expression
        if op == "add":
            expr = a + b
        elif op == "sub":
            expr = a - b
        elif op == "mul":
            expr = a * b
        elif op == "div":
            # Division by zero is NULL (no row), as on SQLite, instead of an error on PostgreSQL.
            expr = a / NullIf(b, Value(0))
        else:
            expr = Modulo(a, NullIf(b, Value(0)))
        return Val("number", ExpressionWrapper(expr, output_field=FloatField()), many=many)


def _ids(val: Val) -> Val:
    """Ids are whole numbers; the standard's examples also quote them (``id eq 'FOI_1'``)."""
    if val.kind == "id":
        return replace(val, kind="number")
    if val.is_constant and val.kind == "string":
        # A quoted id that is no number matches nothing: no entity has a negative id.
        return constant("number", int(val.const) if val.const.isdigit() else -1)
    if val.kind != "number":
        raise bad_request(f"$filter: an id cannot be compared with {describe(val)}.")
    return val


def _parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise bad_request(f"$filter: {text} is not a valid date.") from None


def compile_filter(entity: Entity, text: str) -> Q:
    """The condition ``text`` describes, as a ``Q`` on ``entity.model``."""
    return Compiler(entity).condition(filter_parse.parse(text))


def apply_filter(queryset: QuerySet[Any], entity: Entity, text: str) -> QuerySet[Any]:
    """``queryset`` narrowed to the entities for which ``text`` (a $filter expression) holds."""
    q = compile_filter(entity, text)
    try:
        return queryset.filter(q)
    except StaError:
        raise
    except (FieldError, ValueError, TypeError) as error:
        # Kept as a net: the compiler types every value, so this means a gap in it.
        raise bad_request(f"$filter cannot be applied: {error}") from None
