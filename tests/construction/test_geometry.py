"""The place of a construction site: GeoJSON checked with clear German messages."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rathaus.construction import geometry
from rathaus.construction.geometry import GeometryError

BARLEBEN = [11.6219, 52.2009]
LINE = [[11.6222, 52.2016], [11.6196, 52.2008], [11.6171, 52.2001]]
SQUARE = [[11.61, 52.20], [11.62, 52.20], [11.62, 52.21], [11.61, 52.21], [11.61, 52.20]]


def message(value: object) -> str:
    with pytest.raises(GeometryError) as raised:
        geometry.validate(value)
    return raised.value.message


def test_points_lines_areas_and_multi_geometries_are_accepted_and_rounded():
    assert geometry.validate({"type": "Point", "coordinates": [11.62191234567, 52.2009, 48]}) == {
        "type": "Point", "coordinates": [11.621912, 52.2009]}  # fmt: skip
    assert geometry.validate({"type": "LineString", "coordinates": LINE})["type"] == "LineString"
    assert geometry.validate({"type": "Polygon", "coordinates": [SQUARE]})["type"] == "Polygon"
    multi = {"type": "MultiLineString", "coordinates": [LINE, LINE[:2]]}
    assert geometry.validate(multi)["coordinates"][1] == LINE[:2]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                                                                 "coordinates": BARLEBEN}}  # fmt: skip
    assert geometry.validate(feature) == {"type": "Point", "coordinates": BARLEBEN}


def test_text_that_is_not_geojson_is_refused():
    with pytest.raises(GeometryError, match="kein GeoJSON"):
        geometry.parse("{nicht json")
    assert "kein GeoJSON" in message([1, 2])
    assert geometry.parse("   ") is None


def test_unsupported_types_are_named():
    found = message({"type": "GeometryCollection", "geometries": []})
    assert "GeometryCollection" in found
    assert "Punkt, eine Linie oder eine Fläche" in found


def test_too_many_points_are_refused():
    line = [[11.6 + index * 1e-5, 52.2] for index in range(geometry.MAX_POINTS + 1)]
    assert "zu viele Punkte" in message({"type": "LineString", "coordinates": line})


def test_points_outside_germany_are_refused():
    assert "nicht in Deutschland" in message({"type": "Point", "coordinates": [2.35, 48.85]})


def test_swapped_latitude_and_longitude_is_recognised():
    found = message({"type": "Point", "coordinates": [52.2009, 11.6219]})
    assert "Breite und Länge vertauscht?" in found


def test_a_self_intersecting_area_is_refused():
    bow_tie = [[11.61, 52.20], [11.62, 52.21], [11.62, 52.20], [11.61, 52.21], [11.61, 52.20]]
    assert "überschneidet sich selbst" in message({"type": "Polygon", "coordinates": [bow_tie]})


def test_a_line_needs_two_different_points():
    assert "mindestens zwei" in message({"type": "LineString", "coordinates": [BARLEBEN]})
    assert "mindestens zwei" in message({"type": "LineString",
                                         "coordinates": [BARLEBEN, BARLEBEN]})  # fmt: skip


def test_an_unclosed_ring_is_refused():
    assert "nicht geschlossen" in message({"type": "Polygon", "coordinates": [SQUARE[:-1]]})


def test_a_point_needs_two_numbers():
    assert "zwei Zahlen" in message({"type": "Point", "coordinates": [11.6]})
    assert "zwei Zahlen" in message({"type": "Point", "coordinates": [True, 52.2]})
    assert "zwei Zahlen" in message({"type": "Point", "coordinates": ["11.6", 52.2]})


def test_typed_lines_are_latitude_first_and_become_geojson():
    assert geometry.from_lines("point", "52,2009; 11,6219") == {
        "type": "Point", "coordinates": [11.6219, 52.2009]}  # fmt: skip
    line = geometry.from_lines("line", "52.2016, 11.6222\n\n52.2008, 11.6196\n")
    assert line == {"type": "LineString", "coordinates": [[11.6222, 52.2016], [11.6196, 52.2008]]}
    area = geometry.from_lines("area", "52.20, 11.61\n52.20, 11.62\n52.21, 11.62")
    assert area is not None
    assert area["coordinates"][0][0] == area["coordinates"][0][-1]  # closed for the writer
    assert geometry.to_lines(area) == ("area", "52.2, 11.61\n52.2, 11.62\n52.21, 11.62")
    assert geometry.from_lines("line", "") is None


def test_typed_lines_with_mistakes_say_which_line():
    with pytest.raises(GeometryError, match="Zeile 2"):
        geometry.from_lines("line", "52.2, 11.6\nBreiteweg")
    with pytest.raises(GeometryError, match="vertauscht"):
        geometry.from_lines("point", "11.6219, 52.2009")
    with pytest.raises(GeometryError, match="genau eine Zeile"):
        geometry.from_lines("point", "52.2, 11.6\n52.3, 11.6")


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.sampled_from(["type", "coordinates", "geometry", "x"]), inner,
                      max_size=3),
    max_leaves=30,
)  # fmt: skip
types = st.sampled_from([*geometry.TYPES, "Feature", "Kreis"])


@settings(max_examples=300, deadline=None)
@given(kind=types, coordinates=junk)
def test_random_geometries_are_accepted_or_refused_with_a_message(kind, coordinates):
    value = {"type": kind, "coordinates": coordinates, "geometry": coordinates}
    try:
        result = geometry.validate(value)
    except GeometryError as error:
        refused = error.message
    else:
        refused = ""
        assert result["type"] in geometry.TYPES
        json.dumps(result)
    assert refused or result


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(["point", "line", "area", "", "x"]), text=st.text(max_size=80))
def test_random_typed_text_is_accepted_or_refused_with_a_message(kind, text):
    try:
        result = geometry.from_lines(kind, text)
    except GeometryError as error:
        refused = error.message
    else:
        refused = ""
        assert result is None or result["type"] in geometry.TYPES
    assert refused or result is None or result["coordinates"]
