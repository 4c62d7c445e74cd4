"""The SensorThings entity types: their properties and navigation, mapped to our models.

This table is what the reading side (serialising, ``$select``, ``$expand``), the filter compiler
(``$filter``, ``$orderby``) and the writing side (create, update, deep insert) share. Property
names are the standard's; ``fields`` are the model fields behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.db import models

from rathaus.opendata import models as m


class Kind(Enum):
    STRING = "string"  # text
    JSON = "json"  # any JSON value (properties, unitOfMeasurement, feature, parameters …)
    GEOMETRY = "geometry"  # GeoJSON; a point is mirrored to longitude/latitude
    TIME = "time"  # an instant (fields: one DateTimeField)
    INTERVAL = "interval"  # a period (fields: start, end), written "start/end" in ISO 8601
    TIME_OR_INTERVAL = "time_or_interval"  # an instant, or a period when the end is set
    RESULT = "result"  # an observation's result (fields: result_number, result_json)


@dataclass(frozen=True)
class Property:
    name: str
    fields: tuple[str, ...]
    kind: Kind
    required: bool = False


@dataclass(frozen=True)
class Navigation:
    name: str  # as in the URL and in JSON: "Datastreams", "Thing"
    target: str  # the entity set it leads to: "Datastreams", "Things"
    many: bool
    accessor: str  # the Django field or related name on the model


@dataclass(frozen=True)
class Entity:
    set_name: str  # "Things"
    singular: str  # "Thing"
    model: type[models.Model]
    properties: tuple[Property, ...]
    navigations: tuple[Navigation, ...]

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def navigation(self, name: str) -> Navigation | None:
        return next((n for n in self.navigations if n.name == name), None)


S, J, G = Kind.STRING, Kind.JSON, Kind.GEOMETRY


def _p(name: str, field: str, kind: Kind, required: bool = False) -> Property:
    return Property(name, (field,), kind, required)


def _interval(name: str, prefix: str, kind: Kind = Kind.INTERVAL, req: bool = False) -> Property:
    return Property(name, (f"{prefix}_start", f"{prefix}_end"), kind, req)


NAME = _p("name", "name", S, True)
DESCRIPTION = _p("description", "description", S, True)
ENCODING = _p("encodingType", "encoding_type", S, True)
PROPERTIES = _p("properties", "properties", J)

ENTITIES: dict[str, Entity] = {
    entity.set_name: entity
    for entity in (
        Entity(
            "Things", "Thing", m.Thing, (NAME, DESCRIPTION, PROPERTIES),
            (
                Navigation("Locations", "Locations", True, "locations"),
                Navigation("HistoricalLocations", "HistoricalLocations", True,
                           "historical_locations"),
                Navigation("Datastreams", "Datastreams", True, "datastreams"),
                Navigation("MultiDatastreams", "MultiDatastreams", True, "multi_datastreams"),
            ),
        ),
        Entity(
            "Locations", "Location", m.Location,
            (NAME, DESCRIPTION, ENCODING, _p("location", "location", G, True), PROPERTIES),
            (
                Navigation("Things", "Things", True, "things"),
                Navigation("HistoricalLocations", "HistoricalLocations", True,
                           "historical_locations"),
            ),
        ),
        Entity(
            "HistoricalLocations", "HistoricalLocation", m.HistoricalLocation,
            (_p("time", "time", Kind.TIME, True),),
            (
                Navigation("Thing", "Things", False, "thing"),
                Navigation("Locations", "Locations", True, "locations"),
            ),
        ),
        Entity(
            "Datastreams", "Datastream", m.Datastream,
            (
                NAME, DESCRIPTION,
                _p("unitOfMeasurement", "unit_of_measurement", J, True),
                _p("observationType", "observation_type", S, True),
                _p("observedArea", "observed_area", G),
                _interval("phenomenonTime", "phenomenon_time"),
                _interval("resultTime", "result_time"),
                PROPERTIES,
            ),
            (
                Navigation("Thing", "Things", False, "thing"),
                Navigation("Sensor", "Sensors", False, "sensor"),
                Navigation("ObservedProperty", "ObservedProperties", False, "observed_property"),
                Navigation("Observations", "Observations", True, "observations"),
            ),
        ),
        Entity(
            "MultiDatastreams", "MultiDatastream", m.MultiDatastream,
            (
                NAME, DESCRIPTION,
                _p("unitOfMeasurements", "unit_of_measurements", J, True),
                _p("observationType", "observation_type", S, True),
                _p("multiObservationDataTypes", "multi_observation_data_types", J, True),
                _p("observedArea", "observed_area", G),
                _interval("phenomenonTime", "phenomenon_time"),
                _interval("resultTime", "result_time"),
                PROPERTIES,
            ),
            (
                Navigation("Thing", "Things", False, "thing"),
                Navigation("Sensor", "Sensors", False, "sensor"),
                Navigation("ObservedProperties", "ObservedProperties", True,
                           "observed_properties"),
                Navigation("Observations", "Observations", True, "observations"),
            ),
        ),
        Entity(
            "Sensors", "Sensor", m.Sensor,
            (NAME, DESCRIPTION, ENCODING, _p("metadata", "metadata", S, True), PROPERTIES),
            (
                Navigation("Datastreams", "Datastreams", True, "datastreams"),
                Navigation("MultiDatastreams", "MultiDatastreams", True, "multi_datastreams"),
            ),
        ),
        Entity(
            "ObservedProperties", "ObservedProperty", m.ObservedProperty,
            (NAME, _p("definition", "definition", S, True), DESCRIPTION, PROPERTIES),
            (
                Navigation("Datastreams", "Datastreams", True, "datastreams"),
                Navigation("MultiDatastreams", "MultiDatastreams", True, "multi_datastreams"),
            ),
        ),
        Entity(
            "Observations", "Observation", m.Observation,
            (
                _interval("phenomenonTime", "phenomenon_time", Kind.TIME_OR_INTERVAL),
                _p("resultTime", "result_time", Kind.TIME),
                Property("result", ("result_number", "result_json"), Kind.RESULT, True),
                _p("resultQuality", "result_quality", J),
                _interval("validTime", "valid_time"),
                _p("parameters", "parameters", J),
            ),
            (
                Navigation("Datastream", "Datastreams", False, "datastream"),
                Navigation("MultiDatastream", "MultiDatastreams", False, "multi_datastream"),
                Navigation("FeatureOfInterest", "FeaturesOfInterest", False,
                           "feature_of_interest"),
            ),
        ),
        Entity(
            "FeaturesOfInterest", "FeatureOfInterest", m.FeatureOfInterest,
            (NAME, DESCRIPTION, ENCODING, _p("feature", "feature", G, True), PROPERTIES),
            (Navigation("Observations", "Observations", True, "observations"),),
        ),
    )
}  # fmt: skip

BY_SINGULAR: dict[str, Entity] = {entity.singular: entity for entity in ENTITIES.values()}
