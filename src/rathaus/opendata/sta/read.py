"""Reading the SensorThings API (GET): service root, entity sets, entities, navigation,
properties (``/name``, ``/name/$value``) and references (``$ref``).

Collections are paged by keyset (ADR 0056): a page is fetched with one row more than it shows;
if that row exists, ``@iot.nextLink`` carries a signed cursor with the last row's ordering values,
and the next page starts after them — as fast on page 10,000 as on page 1. ``$expand`` is
fetched with one prefetch query per expanded navigation (sliced per parent for ``$top``), and
``@iot.count`` of expanded collections with one grouped query, so the number of queries does
not grow with the rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse

from rathaus.opendata.sta import filter as sta_filter
from rathaus.opendata.sta import paths, query, root
from rathaus.opendata.sta.entities import ENTITIES, Entity, Navigation
from rathaus.opendata.sta.errors import bad_request
from rathaus.opendata.sta.query import Options
from rathaus.opendata.sta.serialize import base_url, entity_json, property_value

PREFIX = "_sta_"  # attributes the prefetches and counts leave on the instances


def handle(request: HttpRequest, path: str) -> HttpResponse:
    if not path.strip("/"):
        return JsonResponse(root.document(request))
    resource = paths.parse(path)
    entity = resource.last.entity
    options = query.from_request(dict(request.GET.lists()), entity)
    target = paths.resolve(resource)
    base = base_url(request)
    if resource.prop is not None:
        if options.raw:
            raise bad_request("A property takes no query options.")
        return _property(target, resource.prop, resource.value)
    if resource.ref and (options.select is not None or options.expand):
        raise bad_request("$ref takes no $select or $expand.")
    if options.result_format and (resource.ref or not resource.is_collection):
        raise bad_request("$resultFormat=dataArray is for a collection of Observations.")
    self_url = request.build_absolute_uri(request.path)
    if resource.is_collection:
        return JsonResponse(collection(base, self_url, target, options, ref=resource.ref))
    if not options.is_default:
        raise bad_request("$filter, $orderby, $top, $skip, $count and $skiptoken are for "
                          "collections; this path names one entity.")  # fmt: skip
    if resource.ref:
        return JsonResponse({"@iot.selfLink": paths.self_link(base, entity.set_name, target.pk)})
    if options.expand:
        target = with_expansions(entity.model._default_manager.filter(pk=target.pk), options).get()
        load_per_parent([target], options)
        attach_counts([target], options)
    return JsonResponse(render(base, entity, target, options))


def _property(obj: models.Model, prop: Any, raw_value: bool) -> HttpResponse:
    value = property_value(obj, prop)
    if value is None:
        return HttpResponse(status=204)
    if not raw_value:
        return JsonResponse({prop.name: value})
    if isinstance(value, str):
        return HttpResponse(value, content_type="text/plain; charset=utf-8")
    return HttpResponse(json.dumps(value), content_type="application/json")


def collection(
    base: str, self_url: str, queryset: QuerySet[Any], options: Options, ref: bool = False
) -> dict[str, Any]:
    """One page of ``queryset`` as the standard's collection document."""
    entity = options.entity
    if options.filter is not None:
        queryset = sta_filter.apply_filter(queryset, entity, options.filter)
    data: dict[str, Any] = {}
    if options.count:
        data["@iot.count"] = capped_count(queryset)
    orders = options.orders
    queryset = queryset.order_by(*(order.expression() for order in orders))
    if options.skiptoken is not None:
        queryset = queryset.filter(query.after_cursor(options.skiptoken, orders, entity.model))
    if not ref:
        queryset = with_expansions(queryset, options)
    size = options.page_size
    rows = list(queryset[options.skip : options.skip + size + 1])
    more = size > 0 and len(rows) > size
    rows = rows[:size]
    if not ref:
        load_per_parent(rows, options)
        attach_counts(rows, options)
    if ref:
        data["value"] = [
            {"@iot.selfLink": paths.self_link(base, entity.set_name, row.pk)} for row in rows
        ]
    elif options.result_format == "dataArray":
        from rathaus.opendata.sta.read_array import data_array

        data["value"] = data_array(base, rows, options)
    else:
        data["value"] = [render(base, entity, row, options) for row in rows]
    if more:
        token = query.make_cursor(orders, rows[-1])
        changes = {"$skip": None, "$skiptoken": token, "$top": str(size)}
        data["@iot.nextLink"] = f"{self_url}?{query.link_query(options.raw, **changes)}"
    return data


def capped_count(queryset: QuerySet[Any]) -> int:
    """The number of rows, counting no further than ``RATHAUS_STA_MAX_COUNT`` (which is then
    reported): counting a table of millions of observations would keep the database busy."""
    cap = settings.RATHAUS_STA_MAX_COUNT
    return min(queryset.order_by()[: cap + 1].count(), cap)


class Budget:
    """How many more entities the response may carry (``RATHAUS_STA_MAX_ENTITIES``): ``$top``
    applies per parent, so nested ``$expand``s multiply; reading stops once it is spent."""

    def __init__(self) -> None:
        self.left = settings.RATHAUS_STA_MAX_ENTITIES

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            limit = settings.RATHAUS_STA_MAX_ENTITIES
            raise bad_request(
                f"This response would carry more than {limit} entities, the most one response "
                "may carry. Use a smaller $top, a smaller $top inside $expand, or fewer "
                "$expand levels, and follow the nextLinks."
            )


def render(base: str, entity: Entity, obj: models.Model, options: Options) -> dict[str, Any]:
    """``obj`` with ``$select`` applied and its ``$expand``ed entities inline."""
    data = entity_json(base, entity, obj)
    if options.select is not None:
        data = {key: value for key, value in data.items() if key in options.select}
    for expand in options.expand:
        navigation, inner = expand.navigation, expand.options
        target = ENTITIES[navigation.target]
        value = expanded(obj, navigation)
        if not navigation.many:
            if value is not None:
                data[navigation.name] = render(base, target, value, inner)
            continue
        size = inner.page_size
        data[navigation.name] = [render(base, target, row, inner) for row in value[:size]]
        if inner.count:
            data[f"{navigation.name}@iot.count"] = getattr(obj, PREFIX + "counts")[navigation.name]
        if size > 0 and len(value) > size:
            token = query.make_cursor(inner.orders, value[size - 1])
            changes = {"$skip": None, "$skiptoken": token, "$top": str(size)}
            link = f"{paths.self_link(base, entity.set_name, obj.pk)}/{navigation.name}"
            data[f"{navigation.name}@iot.nextLink"] = (
                f"{link}?{query.link_query(inner.raw, **changes)}"
            )
    return data


def expanded(obj: models.Model, navigation: Navigation) -> Any:
    """What the prefetch of ``navigation`` left on ``obj``: a list, or one entity or None."""
    if navigation.many:
        return getattr(obj, PREFIX + navigation.name)
    return getattr(obj, navigation.accessor)


def with_expansions(queryset: QuerySet[Any], options: Options) -> QuerySet[Any]:
    """``queryset`` with one prefetch per expanded navigation (nested ones inside)."""
    return queryset.prefetch_related(*_prefetches(options))


def _prefetches(options: Options) -> list[Prefetch[Any]]:
    prefetches = []
    for expand in options.expand:
        navigation, inner = expand.navigation, expand.options
        if per_parent(navigation):
            continue  # read by load_per_parent once the parents are known
        target = ENTITIES[navigation.target]
        queryset = target.model._default_manager.all()
        if inner.filter is not None:
            queryset = sta_filter.apply_filter(queryset, target, inner.filter)
        queryset = with_expansions(queryset, inner)
        if navigation.many:
            queryset = queryset.order_by(*(order.expression() for order in inner.orders))
            # Sliced per parent (a window function): one row beyond the page tells of more.
            queryset = queryset[inner.skip : inner.skip + inner.page_size + 1]
        # A single entity stays in Django's own cache (an own attribute there would make Django
        # fetch the entity again for every row when it walks the next level).
        to_attr = PREFIX + navigation.name if navigation.many else None
        prefetches.append(Prefetch(navigation.accessor, queryset=queryset, to_attr=to_attr))
    return prefetches


# Expanded to-many navigations into these sets are read with one query per parent, each
# limited to the page (an index scan of $top + 1 rows): the window function of a prefetch would
# number every observation of every parent first, millions for a few datastreams.
PER_PARENT = {"Observations"}


def per_parent(navigation: Navigation) -> bool:
    return navigation.many and navigation.target in PER_PARENT


def load_per_parent(rows: list[Any], options: Options, budget: Budget | None = None) -> None:
    """Fill the per-parent navigations of ``rows`` (at every level of ``$expand``), and count
    what the response carries against the entity limit."""
    if budget is None:
        budget = Budget()
        budget.spend(len(rows))
    for expand in options.expand:
        navigation, inner = expand.navigation, expand.options
        children: list[Any] = []
        if per_parent(navigation):
            target = ENTITIES[navigation.target]
            back = back_lookup(options.entity.model, navigation.accessor)
            for row in rows:
                queryset = target.model._default_manager.filter(**{back: row.pk})
                if inner.filter is not None:
                    queryset = sta_filter.apply_filter(queryset, target, inner.filter)
                queryset = with_expansions(queryset, inner)
                queryset = queryset.order_by(*(order.expression() for order in inner.orders))
                page = list(queryset[inner.skip : inner.skip + inner.page_size + 1])
                setattr(row, PREFIX + navigation.name, page)
                children.extend(page[: inner.page_size])
                budget.spend(len(page[: inner.page_size]))
        else:
            for row in rows:
                value = expanded(row, navigation)
                if navigation.many:
                    children.extend(value[: inner.page_size])
                elif value is not None:
                    children.append(value)
            budget.spend(len(children))
        if children and inner.expand:
            load_per_parent(children, inner, budget)


def attach_counts(rows: list[Any], options: Options) -> None:
    """``@iot.count`` of expanded collections: one grouped query per expanded navigation."""
    for expand in options.expand:
        navigation, inner = expand.navigation, expand.options
        children: list[Any] = []
        for row in rows:
            value = expanded(row, navigation)
            if navigation.many:
                children.extend(value[: inner.page_size])
            elif value is not None:
                children.append(value)
        if navigation.many and inner.count:
            counts = _count_per_parent(options.entity, navigation, inner, [r.pk for r in rows])
            for row in rows:
                per_row = getattr(row, PREFIX + "counts", None)
                if per_row is None:
                    per_row = {}
                    setattr(row, PREFIX + "counts", per_row)
                per_row[navigation.name] = counts.get(row.pk, 0)
        if children:
            attach_counts(children, inner)


def back_lookup(model: type[models.Model], accessor: str) -> str:
    """The lookup from the target of ``model.accessor`` back to ``model``."""
    relation: Any = model._meta.get_field(accessor)
    if relation.auto_created and not relation.concrete:  # a reverse relation
        return str(relation.field.name)
    return str(relation.related_query_name())


def _count_per_parent(
    entity: Entity, navigation: Navigation, inner: Options, parents: list[int]
) -> dict[int, int]:
    if not parents:
        return {}
    target = ENTITIES[navigation.target]
    back = back_lookup(entity.model, navigation.accessor)
    cap = settings.RATHAUS_STA_MAX_COUNT
    counts: dict[int, int] = defaultdict(int)
    if per_parent(navigation):
        # A grouped count would count every observation of every parent: count each parent
        # only up to the cap.
        for parent in parents:
            one = target.model._default_manager.filter(**{back: parent})
            if inner.filter is not None:
                one = sta_filter.apply_filter(one, target, inner.filter)
            counts[parent] = capped_count(one)
        return counts
    queryset = target.model._default_manager.filter(**{f"{back}__in": parents})
    if inner.filter is not None:
        queryset = sta_filter.apply_filter(queryset, target, inner.filter)
    grouped = queryset.order_by().values(back).annotate(n=Count("pk", distinct=True))
    for row in grouped:
        counts[row[back]] = min(row["n"], cap)
    return counts
