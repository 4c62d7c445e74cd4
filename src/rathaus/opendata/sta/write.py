"""Writing the SensorThings API (POST, PATCH, PUT, DELETE) for holders of a staff API key.

- POST to an entity set or a to-many navigation creates (with deep insert, :mod:`.deep_insert`)
  and answers 201 with the entity and its address in ``Location``;
- PATCH merges the given properties, PUT replaces all of them (1.1), both answer 200 with the
  entity; links to other entities change with ``{"Thing": {"@iot.id": 2}}``;
- DELETE removes the entity and what the standard removes with it (§10.4) and answers 200;
- ``…/$ref``: POST links an existing entity, DELETE unlinks it;
- ``CreateObservations`` takes the dataArray extension (:mod:`.data_array`).

All of one request happens in one transaction: an error leaves nothing half written.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from rathaus.opendata import ingest
from rathaus.opendata.models import Datastream, HistoricalLocation, Observation, Thing
from rathaus.opendata.sta import auth, deep_insert, paths
from rathaus.opendata.sta.entities import ENTITIES, Entity, Kind
from rathaus.opendata.sta.errors import StaError, bad_request
from rathaus.opendata.sta.serialize import base_url, entity_json

# Larger bodies are refused with 413 before they are read (a dataArray of 100,000
# observations is about 8 MB).
MAX_BODY_BYTES = 16 * 1024 * 1024


def read_json(request: HttpRequest) -> Any:
    """The body as JSON; 413 if it is too large, 400 if it is no JSON."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise bad_request("The Content-Length header is not a number.") from None
    if length > MAX_BODY_BYTES:
        raise StaError(413, f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB.")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise StaError(413, f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB.")
    if not body.strip():
        raise bad_request("The body is empty; send the entity as JSON.")
    try:
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise bad_request(f"The body is not valid JSON: {error}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def handle(request: HttpRequest, path: str) -> HttpResponse:
    with auth.writing_as(auth.writer(request)):
        return _handle(request, path)


def _handle(request: HttpRequest, path: str) -> HttpResponse:
    if path.strip("/") == "CreateObservations":
        if request.method != "POST":
            raise StaError(405, "CreateObservations takes only POST.")
        from rathaus.opendata.sta import data_array

        with ingest.paused_gc():
            return data_array.handle(request, read_json(request))
    resource = paths.parse(path)
    if resource.prop is not None:
        raise bad_request("Write the whole entity, not one property (use PATCH on the entity).")
    base = base_url(request)
    with transaction.atomic():
        if request.method == "POST":
            return _post(request, resource, base)
        if resource.ref and request.method == "DELETE":
            return _unlink(resource)
        if resource.is_collection or resource.ref:
            raise StaError(405, f"{request.method} needs the address of one entity.")
        obj = paths.resolve(resource)
        auth.check(obj)
        entity = resource.last.entity
        if request.method == "DELETE":
            delete(entity, obj)
            return HttpResponse(status=200)
        update(entity, obj, read_json(request), replace=request.method == "PUT")
        obj.refresh_from_db()
        return JsonResponse(entity_json(base, entity, obj))


def _post(request: HttpRequest, resource: paths.ResourcePath, base: str) -> HttpResponse:
    if not resource.is_collection:
        raise StaError(405, "POST goes to an entity set, e.g. /Things or /Things(1)/Datastreams.")
    data = read_json(request)
    entity = resource.last.entity
    creator = deep_insert.Creator()
    if len(resource.steps) == 1:
        if resource.ref:
            raise bad_request("$ref needs the entity to link from, e.g. /Things(1)/Locations/$ref.")
        obj = creator.create(entity, data)
    else:
        owner_path = paths.ResourcePath(resource.steps[:-1])
        owner = paths.resolve(owner_path)
        auth.check(owner)
        navigation = resource.last.via
        if navigation is None:  # cannot happen: a collection after the first step is a link
            raise bad_request("POST goes to an entity set or a to-many link.")
        if resource.ref:
            data = _reference(data, entity)
        (obj,) = creator.add_many(owner_path.last.entity, owner, navigation, [data], "")
        if resource.ref:
            return HttpResponse(status=204)
    link = f"{base}/{entity.set_name}({obj.pk})"
    response = JsonResponse(entity_json(base, entity, obj), status=201)
    response["Location"] = link
    return response


def _reference(data: Any, entity: Entity) -> dict[str, Any]:
    """``{"@iot.id": 2}`` or ``{"@iot.selfLink": ".../Locations(2)"}`` → a link."""
    if isinstance(data, dict) and "@iot.selfLink" in data and "@iot.id" not in data:
        link = data["@iot.selfLink"]
        marker = f"/{entity.set_name}("
        if isinstance(link, str) and marker in link and link.endswith(")"):
            return {"@iot.id": paths.parse_id(link.rsplit(marker, 1)[1][:-1])}
        raise bad_request(f"@iot.selfLink must name one of the {entity.set_name}.")
    if not isinstance(data, dict) or set(data) != {"@iot.id"}:
        raise bad_request('A reference is {"@iot.id": 1} or {"@iot.selfLink": "…"}.')
    return data


def _unlink(resource: paths.ResourcePath) -> HttpResponse:
    """DELETE …/Things(1)/Locations(2)/$ref: the link goes, both entities stay."""
    last = resource.last
    if last.via is None or not last.via.many or last.id is None:
        raise bad_request("Unlink with the address of one linked entity, e.g. "
                          "/Things(1)/Locations(2)/$ref.")  # fmt: skip
    owner_path = paths.ResourcePath(resource.steps[:-1])
    owner = paths.resolve(owner_path)
    auth.check(owner)
    field = deep_insert.relation(owner_path.last.entity, last.via)
    if not field.many_to_many:
        raise bad_request(f"A {last.entity.singular} cannot exist without this link; "
                          "delete it or link it elsewhere.")  # fmt: skip
    target = paths.resolve(resource)
    getattr(owner, last.via.accessor).remove(target)
    return HttpResponse(status=204)


# --- updating -----------------------------------------------------------------------------------


def update(entity: Entity, obj: models.Model, data: Any, *, replace: bool) -> None:
    """PATCH (merge) or PUT (replace every property; what is left out is cleared)."""
    data = deep_insert.check_keys(entity, data, "")
    if "@iot.id" in data and data["@iot.id"] != obj.pk:
        raise bad_request("@iot.id cannot be changed.")
    changed: dict[str, Any] = {}
    for prop in entity.properties:
        if prop.kind is Kind.RESULT:
            continue
        if prop.name in data:
            changed.update(deep_insert.field_values(entity, prop, data[prop.name], ""))
        elif replace:
            if prop.required:
                raise bad_request(f"PUT replaces the whole {entity.singular}: {prop.name!r} "
                                  "is missing.")  # fmt: skip
            changed.update(deep_insert.field_values(entity, prop, None, ""))
    if entity.set_name == "Observations":
        _update_result(obj, data, replace)
    creator = deep_insert.Creator()
    for navigation in entity.navigations:
        if navigation.name not in data:
            continue
        target = ENTITIES[navigation.target]
        if not navigation.many:
            if entity.set_name == "Observations" and navigation.name != "FeatureOfInterest":
                raise bad_request("An Observation stays in its Datastream.")
            changed[navigation.accessor] = deep_insert.linked(
                target, _link_only(data[navigation.name], navigation.name), navigation.name
            )
            continue
        field = deep_insert.relation(entity, navigation)
        if not field.many_to_many or navigation.name == "ObservedProperties":
            raise bad_request(f"{navigation.name} cannot be changed here; write them directly.")
        items = data[navigation.name]
        if isinstance(obj, Thing) and navigation.name == "Locations":
            obj.locations.clear()  # a Thing's new Locations replace its old ones (§10.3)
        creator.add_many(entity, obj, navigation, items, "")
    for name, value in changed.items():
        setattr(obj, name, value)
    if changed:
        obj.save(update_fields=list(changed))
    if isinstance(obj, Observation) and obj.datastream_id is not None:
        ingest.recompute_latest([obj.datastream_id])


def _link_only(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict) or "@iot.id" not in value:
        raise bad_request(f'{name}: give the link as {{"@iot.id": …}}.')
    return value


def _update_result(obj: Any, data: dict[str, Any], replace: bool) -> None:
    """A new result is checked against the series' observation type as ``ingest`` checks it."""
    if "result" not in data:
        if replace:
            raise bad_request("PUT replaces the whole Observation: 'result' is missing.")
        return
    value = data["result"]
    try:
        if obj.datastream_id is not None:
            kind = Datastream.objects.values_list("observation_type", flat=True).get(
                pk=obj.datastream_id
            )
            ingest._check_result(0, kind, value)
        else:
            kinds = obj.multi_datastream.multi_observation_data_types
            if not isinstance(value, list) or len(value) != len(kinds):
                raise ingest.Refused(0, f"result must be an array of {len(kinds)} values")
            for kind, member in zip(kinds, value, strict=True):
                ingest._check_result(0, kind, member)
    except ingest.Refused as refused:
        raise bad_request(f"result: {refused.message}") from None
    obj.result_number, obj.result_json = ingest.split_result(value)
    obj.save(update_fields=["result_number", "result_json"])


# --- deleting -----------------------------------------------------------------------------------


def delete(entity: Entity, obj: Any) -> None:
    """Delete with the standard's cascade (OGC 18-088 §10.4): a Thing takes its Datastreams and
    HistoricalLocations, a Location the HistoricalLocations that name it, a Sensor or an
    ObservedProperty its Datastreams, a Datastream and a FeatureOfInterest their Observations."""
    streams: set[int] = set()
    if entity.set_name == "Locations":
        HistoricalLocation.objects.filter(locations=obj).delete()
    elif entity.set_name in ("Sensors", "ObservedProperties"):
        obj.datastreams.all().delete()
        obj.multi_datastreams.all().delete()
    elif entity.set_name == "FeaturesOfInterest":
        streams = set(
            obj.observations.exclude(datastream=None).values_list("datastream_id", flat=True)
        )
        obj.observations.all().delete()
    elif entity.set_name == "Observations" and obj.datastream_id is not None:
        streams = {obj.datastream_id}
    obj.delete()
    if streams:
        ingest.recompute_latest(streams)
