"""``$filter`` (OGC 18-088 §9.3.3.5): the standard's example filters and every operator and
function, run against a small sensor network in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime

import pytest

from rathaus.opendata.models import Observation
from rathaus.opendata.sta.entities import ENTITIES
from rathaus.opendata.sta.filter import apply_filter
from tests.factories.opendata import (
    DatastreamFactory,
    FeatureOfInterestFactory,
    ObservationFactory,
    ObservedPropertyFactory,
    StaLocationFactory,
    ThingFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]

UTC = datetime.UTC
T0 = datetime.datetime(2026, 11, 30, 8, 15, 30, 250000, tzinfo=UTC)
HOUR = datetime.timedelta(hours=1)
EBENDORF = (11.5736, 52.1756)


@pytest.fixture
def network():
    """Two stations: Breiteweg (PM10 with five values, NO2) and Ebendorf (groundwater)."""
    breiteweg = ThingFactory(
        name="Messstation Breiteweg", description="Luft",
        properties={"operator": "Gemeinde Barleben", "height": 3},
    )  # fmt: skip
    breiteweg.locations.add(StaLocationFactory(name="Breiteweg"))
    ebendorf = ThingFactory(
        name="Pegel Ebendorf", description="Grundwasser", properties={"operator": "Land"}
    )
    ebendorf.locations.add(
        StaLocationFactory(
            name="Ebendorf",
            longitude=EBENDORF[0],
            latitude=EBENDORF[1],
            location={"type": "Point", "coordinates": list(EBENDORF)},
        )
    )
    pm10 = DatastreamFactory(
        thing=breiteweg, name="PM10 Breiteweg", observed_property=ObservedPropertyFactory()
    )
    DatastreamFactory(
        thing=breiteweg, name="NO2 Breiteweg", observed_property=ObservedPropertyFactory(name="NO2")
    )
    level = DatastreamFactory(
        thing=ebendorf, name="Pegel", observed_property=ObservedPropertyFactory(name="Pegel"),
        phenomenon_time_start=T0, phenomenon_time_end=T0 + 24 * HOUR,
    )  # fmt: skip
    feature = FeatureOfInterestFactory(name="Luft am Breiteweg")
    values = {}
    for hours, value in enumerate((5.0, 12.5, 47.6, 51.0)):
        values[value] = ObservationFactory(
            datastream=pm10, result_number=value, phenomenon_time_start=T0 + hours * HOUR,
            result_time=T0 + hours * HOUR, feature_of_interest=feature if value < 20 else None,
        )  # fmt: skip
    values["defekt"] = ObservationFactory(
        datastream=pm10, result_number=None, result_json="defekt", result_time=None,
        phenomenon_time_start=T0 + 5 * HOUR,
    )  # fmt: skip
    values["period"] = ObservationFactory(
        datastream=level, result_number=1.5, phenomenon_time_start=T0,
        phenomenon_time_end=T0 + HOUR, result_time=T0 + HOUR,
    )  # fmt: skip
    return {"values": values, "feature": feature, "pm10": pm10, "level": level}


def matching(set_name: str, text: str) -> list:
    entity = ENTITIES[set_name]
    return list(apply_filter(entity.model.objects.order_by("pk"), entity, text))


def results(text: str) -> list:
    return [
        o.result_number if o.result_number is not None else o.result_json
        for o in matching("Observations", text)
        if o.datastream.name == "PM10 Breiteweg"
    ]


def names(set_name: str, text: str) -> list[str]:
    return [obj.name for obj in matching(set_name, text)]


# the standard's examples -------------------------------------------------------------------
def test_the_standards_result_example(network):
    assert results("result lt 10.00") == [5.0]


def test_the_standards_example_with_a_feature_of_interest(network):
    feature = network["feature"].pk
    assert results(f"result le 12.5 and FeatureOfInterest/id eq {feature}") == [5.0, 12.5]
    assert results("result le 3.5 and FeatureOfInterest/id eq 'FOI_1'") == []


def test_the_standards_distance_example(network):
    text = "geo.distance(Locations/location, geography'POINT(-122, 43)') gt 1"
    assert names("Things", text) == ["Messstation Breiteweg", "Pegel Ebendorf"]


def test_the_standards_example_through_two_navigations(network):
    text = (
        "Datastreams/Observations/resultTime ge 2026-11-30T10:00:00.000Z and "
        "Datastreams/Observations/resultTime le 2026-11-30T12:00:00.000Z"
    )
    assert names("Things", text) == ["Messstation Breiteweg"]


def test_the_standards_name_example(network):
    assert names("ObservedProperties", "name eq 'NO2'") == ["NO2"]


# comparison, logic, arithmetic ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("result eq 12.5", [12.5]),
        ("result ne 12.5", [5.0, 47.6, 51.0, "defekt"]),
        ("result gt 12.5", [47.6, 51.0]),
        ("result ge 12.5", [12.5, 47.6, 51.0]),
        ("result lt 12.5", [5.0]),
        ("result le 12.5", [5.0, 12.5]),
        ("12.5 lt result", [47.6, 51.0]),
        ("result gt 10 and result lt 50 or result eq 5", [5.0, 12.5, 47.6]),
        ("result gt 10 and (result lt 50 or result eq 5)", [12.5, 47.6]),
        ("not (result gt 10)", [5.0]),
        ("not result gt 10", [5.0]),
        ("result add 2 eq 14.5", [12.5]),
        ("result sub 2 eq 3", [5.0]),
        ("result mul 2 gt 100", [51.0]),
        ("result div 2 eq 6.25", [12.5]),
        ("result mod 5 eq 1", [51.0]),
        ("result div 0 eq 1", []),
        ("-result lt -50", [51.0]),
        ("result gt 2 mul 3 add 4", [12.5, 47.6, 51.0]),
        ("result eq 'defekt'", ["defekt"]),
        ("(result eq 12.5) eq false and result lt 13", [5.0]),
    ],
)
def test_operators(network, text, expected):
    assert results(text) == expected


def test_null_comparisons(network):
    assert results("resultTime eq null") == ["defekt"]
    assert len(results("resultTime ne null")) == 4
    assert results("null eq null and result eq 5") == [5.0]


def test_literals_true_and_false(network):
    assert len(results("true")) == 5
    assert results("false") == []


# text ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("substringof('Breite', name)", ["Messstation Breiteweg"]),
        ("substringof('breite', name)", []),
        ("substringof('breite', tolower(name))", ["Messstation Breiteweg"]),
        ("startswith(name, 'Pegel')", ["Pegel Ebendorf"]),
        ("startswith(name, 'Pegel') eq false", ["Messstation Breiteweg"]),
        ("endswith(name, 'weg')", ["Messstation Breiteweg"]),
        ("length(name) eq 14", ["Pegel Ebendorf"]),
        ("indexof(name, 'Ebendorf') eq 6", ["Pegel Ebendorf"]),
        ("substring(name, 6) eq 'Ebendorf'", ["Pegel Ebendorf"]),
        ("substring(name, 0, 5) eq 'Pegel'", ["Pegel Ebendorf"]),
        ("toupper(name) eq 'PEGEL EBENDORF'", ["Pegel Ebendorf"]),
        ("substring(name, 6.0, 1e15) eq 'Ebendorf'", ["Pegel Ebendorf"]),
        ("substring(name, length(name) sub 4) eq 'dorf'", ["Pegel Ebendorf"]),
        ("substring(name, 0, length(name) sub 100) eq ''", ["Messstation Breiteweg", "Pegel Ebendorf"]),
        ("trim(concat(' ', name)) eq 'Pegel Ebendorf'", ["Pegel Ebendorf"]),
        ("concat(concat(name, ', '), description) eq 'Pegel Ebendorf, Grundwasser'",
         ["Pegel Ebendorf"]),
        ("name eq 'Pegel Ebendorf' or name eq 'O''Brien'", ["Pegel Ebendorf"]),
        ("properties/operator eq 'Gemeinde Barleben'", ["Messstation Breiteweg"]),
        ("properties/height gt 2", ["Messstation Breiteweg"]),
        ("startswith(properties/operator, 'Gem')", ["Messstation Breiteweg"]),
        ("properties/height eq null", ["Pegel Ebendorf"]),
    ],
)  # fmt: skip
def test_text_functions_and_properties(network, text, expected):
    assert names("Things", text) == expected


def test_quotes_are_escaped_by_doubling(network):
    ThingFactory(name="Bürgers' Station")
    assert names("Things", "name eq 'Bürgers'' Station'") == ["Bürgers' Station"]


# dates and times -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "year(resultTime) eq 2026 and month(resultTime) eq 11 and day(resultTime) eq 30 and result lt 6",
        "hour(resultTime) eq 8 and minute(resultTime) eq 15 and second(resultTime) eq 30",
        "fractionalseconds(resultTime) eq 0.25 and hour(resultTime) eq 8",
        "date(resultTime) eq 2026-11-30 and time(resultTime) lt 09:00:00",
        "resultTime eq 2026-11-30T09:15:30.25+01:00",
        "resultTime eq '2026-11-30T08:15:30.250Z'",
        "resultTime lt 2026-11-30T08:15:30.250Z add duration'PT1H'",
        "resultTime add duration'PT1H' lt 2026-11-30T10:00:00Z",
        "totaloffsetminutes(resultTime) eq 0 and result lt 6",
        "resultTime gt mindatetime() and resultTime lt maxdatetime() and result lt 6",
        "resultTime lt now() sub duration'P1D' and result lt 6",
    ],
)
def test_date_and_time_functions(network, text):
    assert results(text) == [5.0]


def test_intervals_compare_by_start_for_after_and_by_end_for_before(network):
    period = network["values"]["period"]
    level = "Datastream/name eq 'Pegel' and "
    assert matching("Observations", level + "phenomenonTime ge 2026-11-30T08:15:30.25Z") == [period]
    assert matching("Observations", level + "phenomenonTime lt 2026-11-30T09:00:00Z") == []
    assert matching("Observations", level + "phenomenonTime le 2026-11-30T09:15:30.25Z") == [period]
    assert matching("Observations", level + "phenomenonTime eq 2026-11-30T08:15:30.25Z") == []
    assert results("phenomenonTime eq 2026-11-30T08:15:30.25Z") == [5.0]
    assert matching("Observations", level + "maxdatetime(phenomenonTime) gt now()") == []
    assert names("Datastreams", "phenomenonTime lt 2026-12-02T00:00:00Z") == ["Pegel"]


# mathematics ---------------------------------------------------------------------------------
def test_math_functions(network):
    assert results("round(result) eq 48") == [47.6]
    assert results("floor(result) eq 12") == [12.5]
    assert results("ceiling(result) eq 13") == [12.5]


# geometry ------------------------------------------------------------------------------------
AROUND_BARLEBEN = (
    "geography'POLYGON((11.60 52.19, 11.64 52.19, 11.64 52.21, 11.60 52.21, 11.60 52.19))'"
)
WITH_A_HOLE = (
    "geography'POLYGON((11.5 52.1, 11.7 52.1, 11.7 52.3, 11.5 52.3, 11.5 52.1), "
    "(11.61 52.19, 11.63 52.19, 11.63 52.21, 11.61 52.21, 11.61 52.19))'"
)
# a concave "L": Barleben lies in its notch, Ebendorf inside
L_SHAPE = (
    "geography'POLYGON((11.55 52.15, 11.70 52.15, 11.70 52.18, 11.60 52.18, 11.60 52.25, "
    "11.55 52.25, 11.55 52.15))'"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"st_within(location, {AROUND_BARLEBEN})", ["Breiteweg"]),
        (f"st_within(location, {WITH_A_HOLE})", ["Ebendorf"]),
        (f"st_within(location, {L_SHAPE})", ["Ebendorf"]),
        (f"st_intersects(location, {AROUND_BARLEBEN})", ["Breiteweg"]),
        (f"geo.intersects(location, {AROUND_BARLEBEN})", ["Breiteweg"]),
        (f"st_contains({AROUND_BARLEBEN}, location)", ["Breiteweg"]),
        (f"st_disjoint(location, {AROUND_BARLEBEN})", ["Ebendorf"]),
        ("st_equals(location, geography'POINT(11.6219 52.2009)')", ["Breiteweg"]),
        ("st_equals(location, geography'SRID=4326;POINT(11.5736 52.1756)')", ["Ebendorf"]),
        ("geo.distance(location, geography'POINT(11.62 52.20)') lt 0.01", ["Breiteweg"]),
        ("geo.distance(location, geography'POINT(11.62 52.20)') gt 0.01", ["Ebendorf"]),
    ],
)
def test_geospatial_functions_on_points(network, text, expected):
    assert names("Locations", text) == expected


def test_geospatial_functions_through_navigation(network):
    assert names("Things", f"st_within(Locations/location, {AROUND_BARLEBEN})") == [
        "Messstation Breiteweg"
    ]
    assert len(results(f"st_within(FeatureOfInterest/feature, {AROUND_BARLEBEN})")) == 2


# navigation ----------------------------------------------------------------------------------
def test_paths_through_to_one_navigation(network):
    assert results("Datastream/ObservedProperty/name eq 'PM10' and result gt 50") == [51.0]
    assert names("Datastreams", "Thing/name eq 'Pegel Ebendorf'") == ["Pegel"]
    assert names("Datastreams", "Thing/id eq " + str(network["level"].thing_id)) == ["Pegel"]


def test_paths_through_to_many_navigation_mean_some_related_entity(network):
    thing = ENTITIES["Things"].model.objects.get(name="Messstation Breiteweg")
    thing.locations.add(StaLocationFactory(name="Breiteweg Süd"))
    assert names("Things", "startswith(Locations/name, 'Breiteweg')") == ["Messstation Breiteweg"]
    assert names("Things", "Datastreams/ObservedProperty/name eq 'NO2'") == [
        "Messstation Breiteweg"
    ]
    assert names("Things", "Datastreams/Observations/result gt 50") == ["Messstation Breiteweg"]
    assert names("Things", "not (Datastreams/Observations/result gt 50)") == ["Pegel Ebendorf"]
    assert names("Locations", "Things/Datastreams/name eq 'Pegel'") == ["Ebendorf"]


def test_unit_of_measurement_is_filtered_by_its_keys(network):
    stream = network["pm10"]
    symbol = stream.unit_of_measurement["symbol"]
    found = names("Datastreams", f"unitOfMeasurement/symbol eq '{symbol}'")
    assert "PM10 Breiteweg" in found


def test_a_filter_narrows_a_queryset_that_is_already_narrowed(network):
    entity = ENTITIES["Observations"]
    queryset = Observation.objects.filter(datastream=network["pm10"])
    assert apply_filter(queryset, entity, "result gt 40").count() == 2


def test_multi_datastreams_and_historical_locations_are_filtered_through_their_navigation(network):
    from tests.factories.opendata import (
        HistoricalLocationFactory,
        MultiDatastreamFactory,
        MultiDatastreamPropertyFactory,
    )

    weather = MultiDatastreamFactory(name="Wetter Breiteweg")
    MultiDatastreamPropertyFactory(
        multi_datastream=weather, observed_property=ObservedPropertyFactory(name="Temperatur")
    )
    HistoricalLocationFactory(thing=weather.thing, time=T0)
    assert names("MultiDatastreams", "ObservedProperties/name eq 'Temperatur'") == [
        "Wetter Breiteweg"
    ]
    assert names("MultiDatastreams", "ObservedProperties/name eq 'PM10'") == []
    found = matching("HistoricalLocations", "time eq 2026-11-30T08:15:30.25Z and Thing/id gt 0")
    assert [h.thing_id for h in found] == [weather.thing_id]


def test_durations_between_two_times(network):
    # resultTime is an hour after the start of the groundwater period, equal for the rest
    late = "resultTime sub phenomenonTime ge duration'PT1H'"
    assert matching("Observations", late) == [network["values"]["period"]]
    assert len(results("resultTime sub phenomenonTime eq duration'PT0S'")) == 4
