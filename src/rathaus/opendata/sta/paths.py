"""Resource paths of the SensorThings API: ``Things(1)/Datastreams``, ``Observations(7)/result``,
``Datastreams(3)/Observations/$ref`` … parsed into steps and resolved to objects or querysets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import models

from rathaus.opendata.sta.entities import BY_SINGULAR, ENTITIES, Entity, Navigation, Property
from rathaus.opendata.sta.errors import bad_request, not_found

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z]+)(?:\((?P<id>[^)]*)\))?$")
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Step:
    entity: Entity
    id: int | None  # the key given in the path, if any
    via: Navigation | None  # how this step was reached from the one before (None: entity set)


@dataclass(frozen=True)
class ResourcePath:
    steps: tuple[Step, ...]
    prop: Property | None = None  # …/Things(1)/name
    value: bool = False  # …/name/$value
    ref: bool = False  # …/Datastreams/$ref or …/Datastreams(1)/$ref

    @property
    def last(self) -> Step:
        return self.steps[-1]

    @property
    def is_collection(self) -> bool:
        """A list of entities (an entity set or a to-many navigation without a key)."""
        last = self.last
        return last.id is None and (last.via is None or last.via.many)


def parse_id(text: str) -> int:
    """``1`` or ``'1'``: our keys are whole numbers."""
    raw = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:  # "²".isdigit() is true
        raise not_found(f"No entity has the id {text}.")
    return int(raw)


def parse(path: str) -> ResourcePath:
    """The steps of ``path`` (without the service root, without the query string)."""
    segments = [segment for segment in path.strip("/").split("/") if segment]
    if not segments:
        raise bad_request("The path names no entity set.")
    steps: list[Step] = []
    prop: Property | None = None
    value = ref = False
    for position, segment in enumerate(segments):
        rest = len(segments) - position - 1
        if segment == "$ref":
            if rest or prop is not None:
                raise bad_request("$ref must be the last part of the path.")
            ref = True
            continue
        if segment == "$value":
            if rest or prop is None:
                raise bad_request("$value must follow a property.")
            value = True
            continue
        if prop is not None:
            raise bad_request(f"{prop.name} is a property; nothing can follow it but $value.")
        match = _SEGMENT.match(segment)
        if match is None:
            raise bad_request(f"{segment!r} is not a part of a SensorThings path.")
        name, key = match["name"], match["id"]
        ident = None if key is None else parse_id(key)
        if not steps:
            entity = ENTITIES.get(name)
            if entity is None:
                raise not_found(f"There is no entity set {name!r}.")
            steps.append(Step(entity, ident, None))
            continue
        before = steps[-1]
        if before.id is None and (before.via is None or before.via.many):
            raise bad_request(f"Give the id of one entity before {name!r}.")
        navigation = before.entity.navigation(name)
        if navigation is not None:
            if ident is not None and not navigation.many:
                raise bad_request(f"{name} is a single entity; it takes no id.")
            steps.append(Step(ENTITIES[navigation.target], ident, navigation))
            continue
        found = before.entity.property(name)
        if found is None or key is not None:
            raise not_found(f"{before.entity.singular} has no property or link {name!r}.")
        prop = found
    if not steps:
        raise bad_request("The path names no entity set.")
    return ResourcePath(tuple(steps), prop, value, ref)


def resolve(path: ResourcePath) -> Any:
    """The entity (a model instance) or the queryset the path names; 404 if it does not exist.

    For a collection, a queryset of the last step's model; otherwise one instance.
    """
    current: Any = None
    for step in path.steps:
        if step.via is None:
            query = step.entity.model._default_manager.all()
        elif step.via.many:
            query = getattr(current, step.via.accessor).all()
        else:
            current = getattr(current, step.via.accessor)
            if current is None:
                raise not_found(f"{step.via.name} is not set.")
            continue
        if step.id is None:
            current = query
            continue
        try:
            current = query.get(pk=step.id)
        except models.ObjectDoesNotExist:
            raise not_found(f"{step.entity.singular} {step.id} does not exist.") from None
    return current


def self_link(base: str, entity_set: str, pk: int) -> str:
    """``@iot.selfLink`` of an entity: ``{base}/Things(1)`` (base: the service root URL)."""
    return f"{base}/{entity_set}({pk})"


def singular_entity(name: str) -> Entity | None:
    return BY_SINGULAR.get(name)
