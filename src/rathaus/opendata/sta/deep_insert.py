"""Creating entities from the standard's JSON, with everything given inline (deep insert).

A navigation property holds either a link to an existing entity (``{"@iot.id": 1}``) or a new
entity with its own properties and navigation, to any depth: a Thing with its Locations and
Datastreams, each Datastream with its Sensor and ObservedProperty (OGC 18-088 §10.2). Everything
is created in the caller's transaction; the first problem raises a 400 that names where it is
(``Datastreams[0].Sensor: …``). Observations are stored through :func:`ingest.store`.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django.db import models
from django.utils import timezone

from rathaus.opendata import ingest
from rathaus.opendata.models import (
    FeatureOfInterest,
    HistoricalLocation,
    Location,
    MultiDatastream,
    MultiDatastreamProperty,
    Observation,
    Thing,
)
from rathaus.opendata.sta import auth
from rathaus.opendata.sta.entities import ENTITIES, Entity, Kind, Navigation, Property
from rathaus.opendata.sta.errors import StaError, bad_request

MAX_ENTITIES = 10_000  # created or linked, in one request
MAX_DEPTH = 8
# Keys a client may send back as it read them; they carry nothing to store.
IGNORED_SUFFIXES = ("@iot.selfLink", "@iot.navigationLink")
GEOJSON_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                 "MultiPolygon", "GeometryCollection", "Feature", "FeatureCollection"}  # fmt: skip


def _where(where: str, message: str) -> StaError:
    return bad_request(f"{where}: {message}" if where else message)


# --- values ----------------------------------------------------------------------------------


def parse_time(text: Any, where: str) -> datetime.datetime:
    """An ISO 8601 instant with a time zone (``2026-12-01T08:00:00Z``)."""
    if not isinstance(text, str):
        raise _where(where, "a time must be a text in ISO 8601, e.g. 2026-12-01T08:00:00Z.")
    try:
        value = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise _where(where, f"{text!r} is not a time in ISO 8601.") from None
    if value.utcoffset() is None:
        raise _where(where, f"{text!r} has no time zone (add Z or +01:00).")
    return value


def parse_interval(text: Any, where: str) -> tuple[datetime.datetime, datetime.datetime]:
    """``start/end`` in ISO 8601; the end must not lie before the start."""
    if not isinstance(text, str) or text.count("/") != 1:
        raise _where(where, "an interval must be written start/end in ISO 8601.")
    first, second = text.split("/")
    start, end = parse_time(first, where), parse_time(second, where)
    if end < start:
        raise _where(where, "the interval ends before it starts.")
    return start, end


def _geometry(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("type") not in GEOJSON_TYPES:
        raise _where(where, "a GeoJSON object with a type (e.g. Point) is needed.")
    return value


def point_of(geometry: Any) -> tuple[float | None, float | None]:
    """Longitude and latitude of a GeoJSON point (or a Feature with a point), else None."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return None, None
    coordinates = geometry.get("coordinates")
    if (
        isinstance(coordinates, list)
        and len(coordinates) >= 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates[:2])
        and -180 <= coordinates[0] <= 180
        and -90 <= coordinates[1] <= 90
    ):
        return float(coordinates[0]), float(coordinates[1])
    return None, None


def one_line(text: str) -> str:
    """``text`` without control characters and line breaks (each becomes a space): names end
    up in e-mail subjects and page titles, where a line break would break them."""
    cleaned = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in text
    )
    return cleaned.strip()


def field_values(entity: Entity, prop: Property, value: Any, where: str) -> dict[str, Any]:
    """The model fields a property's JSON value sets (``None`` clears an optional one)."""
    where = f"{where}.{prop.name}" if where else prop.name
    if value is None:
        return _cleared(entity, prop, where)
    kind = prop.kind
    if kind is Kind.STRING:
        if not isinstance(value, str):
            raise _where(where, "must be a text.")
        if prop.name in ("name", "description"):
            value = one_line(value)
        limit = getattr(entity.model._meta.get_field(prop.fields[0]), "max_length", None)
        if limit is not None and len(value) > limit:
            raise _where(where, f"is longer than {limit} characters.")
        return {prop.fields[0]: value}
    if kind is Kind.JSON:
        return {prop.fields[0]: value}
    if kind is Kind.GEOMETRY:
        values: dict[str, Any] = {prop.fields[0]: _geometry(value, where)}
        if prop.fields[0] in ("location", "feature"):
            values["longitude"], values["latitude"] = point_of(value)
        return values
    if kind is Kind.TIME:
        return {prop.fields[0]: parse_time(value, where)}
    if kind is Kind.INTERVAL:
        return dict(zip(prop.fields, parse_interval(value, where), strict=True))
    if kind is Kind.TIME_OR_INTERVAL:
        if isinstance(value, str) and "/" in value:
            return dict(zip(prop.fields, parse_interval(value, where), strict=True))
        return {prop.fields[0]: parse_time(value, where), prop.fields[1]: None}
    raise _where(where, "cannot be set this way.")  # the result: see _observation


def _cleared(entity: Entity, prop: Property, where: str) -> dict[str, Any]:
    """The fields of a property set to nothing: empty text, else NULL where the column allows."""
    values: dict[str, Any] = {}
    for name in prop.fields:
        field = entity.model._meta.get_field(name)
        if isinstance(field, models.CharField | models.TextField):
            values[name] = ""
        elif getattr(field, "null", False):
            values[name] = None
        else:
            raise _where(where, "must not be empty.")
    if prop.required:
        raise _where(where, "must not be empty.")
    if prop.kind is Kind.GEOMETRY and prop.fields[0] in ("location", "feature"):
        values["longitude"] = values["latitude"] = None
    return values


# --- relations ---------------------------------------------------------------------------------


def relation(entity: Entity, navigation: Navigation) -> Any:
    """The Django field behind a navigation property (forward or reverse)."""
    return entity.model._meta.get_field(navigation.accessor)


def _required_links(entity: Entity) -> list[Navigation]:
    return [
        navigation
        for navigation in entity.navigations
        if not navigation.many and not relation(entity, navigation).null
    ]


def linked(entity: Entity, data: dict[str, Any], where: str) -> models.Model:
    """The existing entity ``{"@iot.id": n}`` names."""
    if set(data) - {"@iot.id", "@iot.selfLink"}:
        raise _where(where, "give either @iot.id (a link) or the properties of a new entity.")
    ident = data["@iot.id"]
    if isinstance(ident, str) and ident.isdigit():
        ident = int(ident)
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise _where(where, "@iot.id must be a whole number.")
    found = entity.model._default_manager.filter(pk=ident).first()
    if found is None:
        raise _where(where, f"{entity.singular} {ident} does not exist.")
    auth.check(found)  # linking another authority's entity is a 403
    return found


def check_keys(entity: Entity, data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _where(where, f"a {entity.singular} must be a JSON object.")
    for key in data:
        if key.endswith(IGNORED_SUFFIXES) or key == "@iot.id":
            continue
        if entity.property(key) is None and entity.navigation(key) is None:
            raise _where(where, f"{entity.singular} has no property {key!r}.")
    return {key: value for key, value in data.items() if not key.endswith(IGNORED_SUFFIXES)}


# --- creating ----------------------------------------------------------------------------------


class Creator:
    """One deep insert: remembers the time so that all HistoricalLocations of it agree."""

    def __init__(self, now: datetime.datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.entities = 0

    def create(
        self,
        entity: Entity,
        data: Any,
        where: str = "",
        parent: tuple[str, models.Model] | None = None,
        depth: int = 0,
    ) -> models.Model:
        """A new entity (or the linked one); ``parent`` is (foreign key, object) to attach to."""
        if depth > MAX_DEPTH:
            raise _where(where, f"entities may be nested at most {MAX_DEPTH} deep.")
        data = check_keys(entity, data, where)
        self.entities += 1
        if self.entities > MAX_ENTITIES:
            # Refused before the transaction grows further; it is rolled back as a whole.
            raise StaError(413, f"At most {MAX_ENTITIES} entities per deep insert.")
        if "@iot.id" in data:
            found = linked(entity, data, where)
            if parent is not None:
                self._attach(found, parent, where)
            return found
        if entity.set_name == "Observations":
            return self._observation(data, where, parent, depth)
        fields: dict[str, Any] = {}
        for prop in entity.properties:
            if prop.name in data:
                fields.update(field_values(entity, prop, data[prop.name], where))
            elif prop.required:
                raise _where(where, f"{entity.singular} needs {prop.name!r}.")
        if parent is not None:
            fields[parent[0]] = parent[1]
        for navigation in entity.navigations:
            if navigation.many or navigation.name not in data:
                continue
            target = ENTITIES[navigation.target]
            fields[navigation.accessor] = self.create(
                target, data[navigation.name], _join(where, navigation.name), None, depth + 1
            )
        for navigation in _required_links(entity):
            if navigation.accessor not in fields:
                raise _where(where, f"{entity.singular} needs a link to its {navigation.name}.")
        obj = entity.model(**fields)
        auth.claim(obj)  # a new Thing gets the writer's authority
        obj.save()
        for navigation in entity.navigations:
            if navigation.many and navigation.name in data:
                self.add_many(entity, obj, navigation, data[navigation.name], where, depth)
        if entity.set_name == "MultiDatastreams":
            self._check_members(obj, where)
        return obj

    def add_many(
        self,
        entity: Entity,
        obj: models.Model,
        navigation: Navigation,
        items: Any,
        where: str,
        depth: int = 0,
    ) -> list[models.Model]:
        """Create or link each item of a to-many navigation of ``obj``."""
        where = _join(where, navigation.name)
        if not isinstance(items, list):
            raise _where(where, "must be a JSON array.")
        target = ENTITIES[navigation.target]
        field = relation(entity, navigation)
        made = []
        for index, item in enumerate(items):
            here = f"{where}[{index}]"
            if field.one_to_many:  # the item points to obj with its foreign key
                made.append(self.create(target, item, here, (field.field.name, obj), depth + 1))
                continue
            member = self.create(target, item, here, None, depth + 1)
            made.append(member)
            if isinstance(obj, MultiDatastream) and navigation.name == "ObservedProperties":
                MultiDatastreamProperty.objects.create(
                    multi_datastream_id=obj.pk, observed_property_id=member.pk, position=index
                )
            else:
                getattr(obj, navigation.accessor).add(member)
        if made and navigation.name in ("Locations", "Things"):
            self.record_locations(obj, made)
        return made

    def record_locations(self, obj: models.Model, made: list[models.Model]) -> None:
        """A Thing got Locations: a HistoricalLocation records them with the time (§8.2.3)."""
        pairs: list[tuple[Any, list[Any]]]
        pairs = [(obj, made)] if isinstance(obj, Thing) else [(t, [obj]) for t in made]
        for thing, locations in pairs:
            if isinstance(thing, Thing) and all(isinstance(x, Location) for x in locations):
                history = HistoricalLocation.objects.create(thing=thing, time=self.now)
                history.locations.set(locations)

    def _attach(self, found: models.Model, parent: tuple[str, models.Model], where: str) -> None:
        """A linked entity given under a to-many navigation: it is moved to the parent."""
        name, owner = parent
        if getattr(found, f"{name}_id", None) != owner.pk:
            setattr(found, name, owner)
            found.save(update_fields=[name])

    def _check_members(self, obj: models.Model, where: str) -> None:
        kinds = obj.multi_observation_data_types  # type: ignore[attr-defined]
        units = obj.unit_of_measurements  # type: ignore[attr-defined]
        members = MultiDatastreamProperty.objects.filter(multi_datastream_id=obj.pk).count()
        if not isinstance(kinds, list) or not isinstance(units, list):
            raise _where(where, "multiObservationDataTypes and unitOfMeasurements are arrays.")
        if not len(kinds) == len(units) == members:
            raise _where(
                where,
                "multiObservationDataTypes, unitOfMeasurements and ObservedProperties must "
                "have the same length.",
            )

    def _observation(
        self, data: dict[str, Any], where: str, parent: tuple[str, models.Model] | None,
        depth: int,
    ) -> models.Model:  # fmt: skip
        entity = ENTITIES["Observations"]
        if "result" not in data:
            raise _where(where, "Observation needs 'result'.")
        fields: dict[str, Any] = {}
        for prop in entity.properties:
            if prop.name in data and prop.kind is not Kind.RESULT:
                fields.update(field_values(entity, prop, data[prop.name], where))
        streams: dict[str, Any] = {}
        feature: Any = None
        if parent is not None and parent[0] == "feature_of_interest":
            feature = parent[1]
        elif parent is not None:
            streams[parent[0]] = parent[1]
        for name, key in (("Datastream", "datastream"), ("MultiDatastream", "multi_datastream")):
            if name in data:
                target = ENTITIES[entity.navigation(name).target]  # type: ignore[union-attr]
                streams[key] = self.create(target, data[name], _join(where, name), None, depth + 1)
        if len(streams) != 1:
            raise _where(where, "an Observation needs a link to one Datastream or MultiDatastream.")
        stream = next(iter(streams.values()))
        if feature is None and "FeatureOfInterest" in data:
            feature = self.create(
                ENTITIES["FeaturesOfInterest"], data["FeatureOfInterest"],
                _join(where, "FeatureOfInterest"), None, depth + 1,
            )  # fmt: skip
        elif feature is None:
            feature = feature_for(stream.thing, where)
        reading = ingest.Reading(
            datastream_id=streams.get("datastream") and stream.pk,
            multi_datastream_id=streams.get("multi_datastream") and stream.pk,
            phenomenon_time=fields.get("phenomenon_time_start") or self.now,
            phenomenon_time_end=fields.get("phenomenon_time_end"),
            result=data["result"],
            result_time=fields.get("result_time"),
            result_quality=fields.get("result_quality"),
            valid_time_start=fields.get("valid_time_start"),
            valid_time_end=fields.get("valid_time_end"),
            parameters=fields.get("parameters"),
            feature_of_interest_id=feature.pk,
        )
        try:
            (pk,) = ingest.store_returning_ids([reading], now=self.now)
        except ingest.Refused as refused:
            raise _where(where, refused.message) from None
        return Observation.objects.get(pk=pk)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def feature_for(thing: Thing, where: str = "") -> FeatureOfInterest:
    """The FeatureOfInterest of an observation that names none: made from the Thing's current
    Location (OGC 18-088 §10.2), and reused for later observations at the same place."""
    location = (
        Location.objects.filter(historical_locations__thing=thing)
        .order_by("-historical_locations__time", "-id")
        .first()
    ) or thing.locations.order_by("-id").first()
    if location is None:
        raise _where(
            where,
            "the Observation names no FeatureOfInterest and its Thing has no Location "
            "to make one from.",
        )
    candidates = FeatureOfInterest.objects.filter(
        name=location.name,
        encoding_type=location.encoding_type,
        longitude=location.longitude,
        latitude=location.latitude,
    )
    for candidate in candidates[:20]:
        if candidate.feature == location.location:
            return candidate
    return FeatureOfInterest.objects.create(
        name=location.name,
        description=location.description,
        encoding_type=location.encoding_type,
        feature=location.location,
        longitude=location.longitude,
        latitude=location.latitude,
    )
