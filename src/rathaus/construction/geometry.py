"""The place of a construction site: GeoJSON geometries checked before they are stored.

A place is a GeoJSON geometry (RFC 7946): a point, a line or an area, or several of one kind
(``Multi*``), in WGS 84 with GeoJSON's order *longitude, latitude*. :func:`validate` checks a
geometry from outside (the staff map, a typed list, an import) and returns it normalised
(coordinates rounded to six decimals, heights dropped) or raises :class:`GeometryError` with a
message in plain German for the staff member: not GeoJSON, a type we do not show, too many
points, a point outside Germany, latitude and longitude swapped, a line with one point, an area
whose ring is not closed or that crosses itself (shapely's ``is_valid``).

Staff without the map type one "latitude, longitude" pair per line — the order in which people
read coordinates off a map — and :func:`from_lines` turns that into GeoJSON.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from shapely import geometry as shapes  # type: ignore[import-untyped]
from shapely.validation import explain_validity  # type: ignore[import-untyped]

MAX_POINTS = 2000
MAX_TEXT_CHARS = 200_000
DECIMALS = 6
# Germany with a small margin (west, south, east, north).
GERMANY = (5.8, 47.2, 15.1, 55.1)
TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
         "MultiPolygon": 3}  # fmt: skip
KINDS = {"point": "Point", "line": "LineString", "area": "Polygon"}
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")

Position = list[float]


class GeometryError(ValueError):
    """The geometry cannot be used; ``message`` says why, in words for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse(text: str) -> dict[str, Any] | None:
    """A geometry from GeoJSON text (a geometry or a Feature); None for an empty text."""
    if not text or not text.strip():
        return None
    if len(text) > MAX_TEXT_CHARS:
        raise GeometryError(_("The place has too many points. At most %(count)s are possible.")
                            % {"count": MAX_POINTS})  # fmt: skip
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise GeometryError(_("The place is not GeoJSON. Please draw it again.")) from None
    return validate(value)


def validate(value: object) -> dict[str, Any]:
    """The geometry checked and normalised, or :class:`GeometryError`."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise GeometryError(_("The place is not GeoJSON. Please draw it again."))
    kind = value["type"]
    if kind not in TYPES:
        raise GeometryError(
            _("A place of the type “%(type)s” cannot be shown. Please give a point, a line or "
              "an area.") % {"type": kind[:40]}
        )  # fmt: skip
    coordinates = _numbers(value.get("coordinates"), DEPTH[kind])
    positions = list(_positions(coordinates, DEPTH[kind]))
    if not positions:
        raise GeometryError(_("The place has no points."))
    if len(positions) > MAX_POINTS:
        raise GeometryError(_("The place has too many points. At most %(count)s are possible.")
                            % {"count": MAX_POINTS})  # fmt: skip
    for position in positions:
        _check_position(position)
    _check_parts(kind, coordinates)
    geometry = {"type": kind, "coordinates": coordinates}
    shape = shapes.shape(geometry)
    if not shape.is_valid:
        reason = explain_validity(shape)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            raise GeometryError(_("The area crosses itself. Please draw its outline without "
                                  "crossings."))  # fmt: skip
        raise GeometryError(_("The shape of the place is not valid (%(reason)s).")
                            % {"reason": reason[:100]})  # fmt: skip
    return geometry


def _numbers(value: object, depth: int) -> Any:
    """The nested coordinate lists with positions as [longitude, latitude], rounded."""
    if depth == 0:
        if not isinstance(value, list) or len(value) not in (2, 3):
            raise GeometryError(_("A point needs two numbers: longitude and latitude."))
        numbers = []
        for number in value[:2]:
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise GeometryError(_("A point needs two numbers: longitude and latitude."))
            if not math.isfinite(number):
                raise GeometryError(_("A point needs two numbers: longitude and latitude."))
            numbers.append(round(float(number), DECIMALS))
        return numbers
    if not isinstance(value, list):
        raise GeometryError(_("The place is not GeoJSON. Please draw it again."))
    if len(value) > MAX_POINTS:
        raise GeometryError(_("The place has too many points. At most %(count)s are possible.")
                            % {"count": MAX_POINTS})  # fmt: skip
    return [_numbers(item, depth - 1) for item in value]


def _positions(coordinates: Any, depth: int) -> Iterable[Position]:
    if depth == 0:
        yield coordinates
        return
    for item in coordinates:
        yield from _positions(item, depth - 1)


def _inside(longitude: float, latitude: float) -> bool:
    west, south, east, north = GERMANY
    return west <= longitude <= east and south <= latitude <= north


def _check_position(position: Position) -> None:
    longitude, latitude = position
    if _inside(longitude, latitude):
        return
    if _inside(latitude, longitude):
        raise GeometryError(
            _("The point %(lat)s, %(lon)s is not in Germany. Latitude and longitude swapped? "
              "Please enter the latitude first (for example 52.20), then the longitude (for "
              "example 11.62).") % {"lat": latitude, "lon": longitude}
        )  # fmt: skip
    raise GeometryError(
        _("The point with latitude %(lat)s and longitude %(lon)s is not in Germany.")
        % {"lat": latitude, "lon": longitude}
    )


def _check_parts(kind: str, coordinates: Any) -> None:
    if kind == "LineString":
        _check_line(coordinates)
    elif kind == "MultiLineString":
        for line in coordinates:
            _check_line(line)
    elif kind == "Polygon":
        _check_polygon(coordinates)
    elif kind == "MultiPolygon":
        for polygon in coordinates:
            _check_polygon(polygon)


def _check_line(line: list[Position]) -> None:
    if len({tuple(point) for point in line}) < 2:
        raise GeometryError(_("A line needs at least two different points."))


def _check_polygon(rings: list[list[Position]]) -> None:
    if not rings:
        raise GeometryError(_("An area needs at least three different points."))
    for ring in rings:
        if len({tuple(point) for point in ring}) < 3:
            raise GeometryError(_("An area needs at least three different points."))
        if ring[0] != ring[-1]:
            raise GeometryError(_("The outline of the area is not closed: its last point must "
                                  "be its first."))  # fmt: skip
        if len(ring) < 4:
            raise GeometryError(_("An area needs at least three different points."))


# --- typed coordinates ------------------------------------------------------------------------


def from_lines(kind: str, text: str) -> dict[str, Any] | None:
    """A geometry from typed lines, one "latitude, longitude" pair per line (decimal point or
    comma; "52.2011, 11.6203" or "52,2011; 11,6203"). ``kind`` is point, line or area; an area
    is closed for the writer. None when no line has text."""
    if len(text) > MAX_TEXT_CHARS:
        raise GeometryError(_("The place has too many points. At most %(count)s are possible.")
                            % {"count": MAX_POINTS})  # fmt: skip
    points: list[Position] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(";") if ";" in line else _NUMBER.findall(line)
        values = [part.strip().replace(",", ".") for part in parts]
        try:
            latitude, longitude = (float(value) for value in values)
        except ValueError:
            raise GeometryError(
                _("Line %(number)s: please give two numbers, latitude and longitude, for "
                  "example 52.2011, 11.6203.") % {"number": number}
            ) from None  # fmt: skip
        points.append([longitude, latitude])
    if not points:
        return None
    geometry_type = KINDS.get(kind)
    if geometry_type is None:
        raise GeometryError(_("Please choose whether the place is a point, a line or an area."))
    if geometry_type == "Point":
        if len(points) != 1:
            raise GeometryError(_("A point has exactly one line with latitude and longitude."))
        return validate({"type": "Point", "coordinates": points[0]})
    if geometry_type == "LineString":
        return validate({"type": "LineString", "coordinates": points})
    if points[0] != points[-1]:
        points.append(points[0])
    return validate({"type": "Polygon", "coordinates": [points]})


def to_lines(geometry: dict[str, Any] | None) -> tuple[str, str]:
    """The kind (point, line, area) and the typed lines of a stored geometry, for the form; a
    ``Multi*`` geometry has no typed form (empty kind)."""
    if not geometry:
        return "", ""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Point":
        positions, name = [coordinates], "point"
    elif kind == "LineString":
        positions, name = coordinates, "line"
    elif kind == "Polygon" and len(coordinates) == 1:
        positions, name = coordinates[0][:-1], "area"
    else:
        return "", ""
    return name, "\n".join(f"{lat}, {lon}" for lon, lat in positions)


def bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a stored geometry."""
    positions = list(_positions(geometry["coordinates"], DEPTH[geometry["type"]]))
    longitudes = [position[0] for position in positions]
    latitudes = [position[1] for position in positions]
    return min(longitudes), min(latitudes), max(longitudes), max(latitudes)


def centre(geometry: dict[str, Any]) -> tuple[float, float]:
    """A point on the geometry as (latitude, longitude), for words and small maps."""
    point = shapes.shape(geometry).representative_point()
    return round(point.y, 5), round(point.x, 5)
