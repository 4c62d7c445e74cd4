"""Query options of the SensorThings API (OGC 18-088 §9.3): ``$select``, ``$expand`` (nested,
with its own options after ``;``), ``$filter``, ``$orderby``, ``$top``, ``$skip``, ``$count``,
``$resultFormat`` — parsed and checked against the entity table — and the keyset cursor
(``$skiptoken``) that ``@iot.nextLink`` carries (ADR 0056).

Every mistake a client can make is a :class:`StaError` with a message that names it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, OrderBy, Q

from rathaus.opendata.sta.entities import ENTITIES, Entity, Kind, Navigation
from rathaus.opendata.sta.errors import bad_request

MAX_EXPAND_DEPTH = 5
MAX_OPTION_LENGTH = 10_000  # characters of one option's value; $filter checks its own limits
TOP_LEVEL = frozenset(
    {"$select", "$expand", "$filter", "$orderby", "$top", "$skip", "$count", "$resultFormat",
     "$skiptoken"}
)  # fmt: skip
NESTED = TOP_LEVEL - {"$skiptoken", "$resultFormat"}
ID_NAMES = ("id", "@iot.id")
SELF_NAMES = ("selfLink", "@iot.selfLink")
CURSOR_SALT = "rathaus.opendata.sta.cursor"
# Kinds that are one orderable column (intervals by their start, a result by its number).
ORDERABLE = (Kind.STRING, Kind.TIME, Kind.INTERVAL, Kind.TIME_OR_INTERVAL, Kind.RESULT)


@dataclass(frozen=True)
class Order:
    column: str  # the model field ("pk" for the id)
    descending: bool

    def expression(self) -> OrderBy:
        # NULL sorts as the smallest value on every database, so the keyset stays consistent.
        if self.descending:
            return F(self.column).desc(nulls_last=True)
        return F(self.column).asc(nulls_first=True)


@dataclass(frozen=True)
class Expand:
    navigation: Navigation
    options: Options


@dataclass(frozen=True)
class Options:
    entity: Entity
    select: tuple[str, ...] | None = None  # JSON keys to keep; None: all
    expand: tuple[Expand, ...] = ()
    filter: str | None = None
    orderby: tuple[Order, ...] = ()  # as given, without the id tie-breaker
    top: int | None = None
    skip: int = 0
    count: bool = False
    result_format: str | None = None
    skiptoken: str | None = None
    raw: dict[str, str] = field(default_factory=dict)  # the options as given, to build links

    @property
    def page_size(self) -> int:
        """``$top``, else the configured page size; never more than the maximum."""
        size = settings.RATHAUS_STA_PAGE_SIZE if self.top is None else self.top
        return min(size, settings.RATHAUS_STA_MAX_TOP)

    @property
    def orders(self) -> tuple[Order, ...]:
        """The ordering of a collection: ``$orderby``, then the id, so that every row has one
        place (the keyset needs a total order)."""
        if any(order.column == "pk" for order in self.orderby):
            return self.orderby
        return (*self.orderby, Order("pk", False))

    @property
    def is_default(self) -> bool:
        """No option that changes what a single entity looks like beyond ``$select``/``$expand``."""
        return not (self.filter or self.orderby or self.top is not None or self.skip or self.count
                    or self.skiptoken)  # fmt: skip


def split_top(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside parentheses and quoted strings."""
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for position, char in enumerate(text):
        if char == "'":
            quoted = not quoted  # '' inside a string toggles twice: still inside
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise bad_request(f"Unbalanced parentheses in {text!r}.")
        elif char == separator and depth == 0:
            parts.append(text[start:position])
            start = position + 1
    if depth or quoted:
        raise bad_request(f"Unbalanced parentheses or quotes in {text!r}.")
    parts.append(text[start:])
    return parts


def parse_nested(text: str) -> dict[str, str]:
    """The options inside ``$expand=Datastreams($top=2;$select=name)``: ``$top=2;$select=name``."""
    options: dict[str, str] = {}
    for part in split_top(text, ";"):
        name, equals, value = part.strip().partition("=")
        if not equals or not name:
            raise bad_request(f"{part!r} in $expand is not an option of the form $name=value.")
        if name in options:
            raise bad_request(f"{name} is given twice in $expand.")
        options[name.strip()] = value.strip()
    return options


def from_request(params: Mapping[str, list[str]], entity: Entity) -> Options:
    """The options of a request's query string (``request.GET.lists()`` as a mapping)."""
    single: dict[str, str] = {}
    for name, values in params.items():
        if not name.startswith("$"):
            continue  # other parameters are not ours to judge
        if len(values) > 1:
            raise bad_request(f"{name} is given more than once.")
        single[name] = values[0]
    return parse(single, entity, nested=False)


def parse(raw: Mapping[str, str], entity: Entity, nested: bool = False, depth: int = 0) -> Options:
    allowed = NESTED if nested else TOP_LEVEL
    for name, value in raw.items():
        if name not in allowed:
            where = " inside $expand" if nested and name in TOP_LEVEL else ""
            raise bad_request(f"{name} is not a query option{where}.")
        if len(value) > MAX_OPTION_LENGTH:
            raise bad_request(f"{name} is longer than {MAX_OPTION_LENGTH} characters.")
    filter_text = raw.get("$filter")
    if filter_text is not None and not filter_text.strip():
        raise bad_request("$filter is empty.")
    result_format = raw.get("$resultFormat")
    if result_format is not None and result_format != "dataArray":
        raise bad_request(f"$resultFormat {result_format!r} is unknown; known: dataArray.")
    if result_format and entity.set_name != "Observations":
        raise bad_request("$resultFormat=dataArray is for Observations only.")
    skiptoken = raw.get("$skiptoken")
    return Options(
        entity=entity,
        select=_select(raw["$select"], entity) if "$select" in raw else None,
        expand=_expand(raw["$expand"], entity, depth) if "$expand" in raw else (),
        filter=filter_text,
        orderby=_orderby(raw["$orderby"], entity) if "$orderby" in raw else (),
        top=_top(raw["$top"]) if "$top" in raw else None,
        skip=_skip(raw["$skip"]) if "$skip" in raw else 0,
        count=_count(raw["$count"]) if "$count" in raw else False,
        result_format=result_format,
        skiptoken=skiptoken,
        raw=dict(raw),
    )


def _names(text: str, option: str) -> list[str]:
    names = [name.strip() for name in split_top(text, ",")]
    if not all(names):
        raise bad_request(f"{option} has an empty entry: {text!r}.")
    return names


def _select(text: str, entity: Entity) -> tuple[str, ...]:
    keys: list[str] = []
    for name in _names(text, "$select"):
        if name in ID_NAMES:
            keys.append("@iot.id")
        elif name in SELF_NAMES:
            keys.append("@iot.selfLink")
        elif entity.property(name) is not None:
            keys.append(name)
        elif entity.navigation(name) is not None:
            keys.append(f"{name}@iot.navigationLink")
        else:
            raise bad_request(f"{entity.singular} has no property {name!r} to select.")
    return tuple(dict.fromkeys(keys))


def _expand(text: str, entity: Entity, depth: int) -> tuple[Expand, ...]:
    if depth >= MAX_EXPAND_DEPTH:
        raise bad_request(f"$expand may be nested at most {MAX_EXPAND_DEPTH} levels deep.")
    # Datastreams/Sensor is Datastreams($expand=Sensor): group the items by their first step.
    groups: dict[str, tuple[str | None, list[str]]] = {}
    for item in _names(text, "$expand"):
        path, options = item, None
        if item.endswith(")"):
            opening = item.find("(")
            if opening <= 0:
                raise bad_request(f"{item!r} in $expand is not a navigation property.")
            path, options = item[:opening], item[opening + 1 : -1]
        first, slash, rest = path.partition("/")
        first = first.strip()
        if entity.navigation(first) is None:
            raise bad_request(f"{entity.singular} has no navigation property {first!r} to expand.")
        own, subs = groups.get(first, (None, []))
        if slash:
            subs.append(rest + (f"({options})" if options is not None else ""))
        elif options is not None:
            if own is not None:
                raise bad_request(f"{first} is expanded twice with options.")
            own = options
        groups[first] = (own, subs)
    expands: list[Expand] = []
    for name, (own, subs) in groups.items():
        navigation = next(n for n in entity.navigations if n.name == name)  # checked above
        raw = parse_nested(own) if own else {}
        if subs:
            raw["$expand"] = ",".join(filter(None, [raw.get("$expand"), *subs]))
        target = ENTITIES[navigation.target]
        expands.append(Expand(navigation, parse(raw, target, nested=True, depth=depth + 1)))
    return tuple(expands)


def _orderby(text: str, entity: Entity) -> tuple[Order, ...]:
    orders: list[Order] = []
    for item in _names(text, "$orderby"):
        words = item.split()
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise bad_request(f"{item!r} in $orderby is not 'property', 'property asc' or "
                              "'property desc'.")  # fmt: skip
        name = words[0]
        descending = len(words) == 2 and words[1].lower() == "desc"
        if name in ID_NAMES:
            orders.append(Order("pk", descending))
            continue
        if "/" in name:
            raise bad_request(f"$orderby on a linked entity ({name}) is not supported; order by "
                              "a property of this entity.")  # fmt: skip
        prop = entity.property(name)
        if prop is None:
            raise bad_request(f"{entity.singular} has no property {name!r} to order by.")
        if prop.kind not in ORDERABLE:
            raise bad_request(f"{name} is {prop.kind.value}; it cannot be ordered by.")
        orders.append(Order(prop.fields[0], descending))
    return tuple(dict.fromkeys(orders))


def _whole_number(text: str, option: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()):  # "²".isdigit() is true, int("²") fails
        raise bad_request(f"{option} must be a whole number of 0 or more, not {text!r}.")
    return int(text)


def _top(text: str) -> int:
    # Above the maximum: the maximum, with a nextLink to the rest (see Options.page_size).
    return _whole_number(text, "$top")


def _skip(text: str) -> int:
    skip = _whole_number(text, "$skip")
    if skip > settings.RATHAUS_STA_MAX_SKIP:
        raise bad_request(f"$skip may be at most {settings.RATHAUS_STA_MAX_SKIP}; follow "
                          "@iot.nextLink to page further.")  # fmt: skip
    return skip


def _count(text: str) -> bool:
    if text not in ("true", "false"):
        raise bad_request(f"$count must be true or false, not {text!r}.")
    return text == "true"


# --- the keyset cursor -----------------------------------------------------------------------


def _signature(orders: Sequence[Order]) -> list[str]:
    return [("-" if order.descending else "") + order.column for order in orders]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def make_cursor(orders: Sequence[Order], row: Any) -> str:
    """The ``$skiptoken`` after ``row``: its values in the order's columns, signed."""
    values = [_jsonable(getattr(row, order.column)) for order in orders]
    return signing.dumps({"o": _signature(orders), "v": values}, salt=CURSOR_SALT)


def _restore(model: Any, column: str, value: Any) -> Any:
    if value is None:
        return None
    model_field = model._meta.pk if column == "pk" else model._meta.get_field(column)
    if model_field.get_internal_type() == "DateTimeField":
        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a time without a zone")
        return moment
    return model_field.to_python(value)


def after_cursor(token: str, orders: Sequence[Order], model: Any) -> Q:
    """The condition "after the row the cursor names" for ``orders`` (NULL as the smallest).

    The cursor must be one we signed, for the same ``$orderby``."""
    try:
        payload = signing.loads(token, salt=CURSOR_SALT)
        if payload["o"] != _signature(orders):
            raise bad_request("The $skiptoken belongs to another $orderby; follow the "
                              "@iot.nextLink as it is.")  # fmt: skip
        values = [
            _restore(model, order.column, value)
            for order, value in zip(orders, payload["v"], strict=True)
        ]
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError) as error:
        raise bad_request("The $skiptoken is not valid; follow an @iot.nextLink as it is.") from (
            error
        )
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for order, value in zip(orders, values, strict=True):
        condition |= equal_so_far & _beyond(order, value)
        equal_so_far &= (
            Q(**{f"{order.column}__isnull": True}) if value is None else Q(**{order.column: value})
        )
    return condition


def _beyond(order: Order, value: Any) -> Q:
    column = order.column
    if value is None:
        # NULLs come first ascending, last descending.
        return Q(pk__in=[]) if order.descending else Q(**{f"{column}__isnull": False})
    if order.descending:
        return Q(**{f"{column}__lt": value}) | Q(**{f"{column}__isnull": True})
    return Q(**{f"{column}__gt": value})


def link_query(raw: Mapping[str, str], **changes: str | None) -> str:
    """The query string of a link: ``raw`` with ``changes`` (None removes an option)."""
    merged = {**raw, **changes}
    return urlencode({name: value for name, value in merged.items() if value is not None})
