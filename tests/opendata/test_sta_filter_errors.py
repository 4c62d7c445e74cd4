"""A bad ``$filter`` is a 400 with a message that says what is wrong, never a 500: syntax errors,
unknown properties, wrong types, and expressions past the limits. Random text (hypothesis) and
random well-formed expressions, run against the database, only ever give a StaError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rathaus.opendata.sta import filter_parse
from rathaus.opendata.sta.entities import ENTITIES
from rathaus.opendata.sta.errors import StaError
from rathaus.opendata.sta.filter import apply_filter
from rathaus.opendata.sta.filter_functions import FUNCTIONS
from tests.factories.opendata import ObservationFactory

# On both databases: PostgreSQL refuses type mixes that SQLite lets pass, so the fuzzing runs there too.
pytestmark = [pytest.mark.django_db, pytest.mark.database]


def error_of(set_name: str, text: str) -> StaError:
    entity = ENTITIES[set_name]
    with pytest.raises(StaError) as caught:
        list(apply_filter(entity.model.objects.all(), entity, text))
    assert caught.value.status == 400
    return caught.value


@pytest.mark.parametrize(
    ("set_name", "text", "message"),
    [
        ("Things", "", "$filter is empty."),
        ("Things", "name eq", "ends where a value or property was expected"),
        ("Things", "name eq 'open", "unexpected character \"'\""),
        ("Things", "(name eq 'x'", "expected ')' but found the end"),
        ("Things", "name eq 'x')", "unexpected ')'"),
        ("Things", "name eq 'x' 'y'", "unexpected \"'y'\""),
        ("Things", "name eq 'x' eq 'y'", "put brackets around a comparison"),
        ("Things", "name # 'x'", "unexpected character '#'"),
        ("Things", "colour eq 'red'", "Thing has no property or navigation 'colour'"),
        ("Things", "Datastreams eq 1", "name one of its properties"),
        ("Things", "name/first eq 'x'", "name of Thing has no parts"),
        ("Things", "name eq 1", "text cannot be compared with a number"),
        ("Things", "name", "must be a condition"),
        ("Things", "name add 1 eq 2", "add does not work on text and a number"),
        ("Things", "frobnicate(name)", "there is no function frobnicate()"),
        ("Things", "length(name, 2) eq 1", "length() takes 1 argument(s), not 2"),
        ("Things", "year(name) eq 2020", "year() does not take text"),
        ("Things", "substring(name, -1) eq 'x'", "positions and lengths from 0 up"),
        ("Things", "substring(name, properties/height) eq 'x'", "does not take a JSON value"),
        ("Things", "name gt null", "null can only be compared with eq or ne"),
        ("Things", "properties/a eq name", "JSON property can only be compared"),
        ("Things", "substringof('a', name) gt true", "only be compared with eq or ne"),
        ("Observations", "resultTime gt 2020-01-01T00:00:00", "has no time zone"),
        ("Observations", "resultTime gt 2020-13-01T00:00:00Z", "not a valid date and time"),
        ("Observations", "resultTime gt 'yesterday'", "not a valid date and time"),
        ("Observations", "resultTime gt now() add duration'P1Y'", "not a duration"),
        ("Observations", "result gt 1e400", "too large"),
        ("Observations", "result div 0 eq 1 or 1 div 0 eq 1", "div by zero"),
        ("Observations", "resultTime add 1 gt now()", "add does not work"),
        ("Observations", "resultTime add duration'P40000D' gt now()", "longer than 100 years"),
        ("Observations", "resultTime add duration'P1D' add duration'P1D' gt now()",
         "one duration per time"),
        ("Observations", "mindatetime(resultTime, 1) eq now()", "takes 0 or 1 argument(s)"),
        ("Locations", "location eq 'x'", "a location cannot be compared with text"),
        ("Locations", "st_within(location, geography'CIRCLE(1 2)')", "is not understood"),
        ("Locations", "st_within(location, geography'POLYGON((1 2, 3 4, 1 2))')",
         "at least four points"),
        ("Locations", "st_within(location, geography'POLYGON((1 2, 3 x, 5 6, 1 2))')",
         "bad coordinate"),
        ("Locations", "st_within(name, geography'POINT(1 2)')", "compares the location"),
        ("Locations", "st_touches(location, geography'POINT(1 2)')", "is not offered"),
        ("Locations", "geo.distance(location, geography'POLYGON((0 0, 1 0, 1 1, 0 0))') lt 1",
         "between two points"),
        ("Datastreams", "observedArea eq null and st_within(observedArea, geography'POINT(1 2)')",
         "compares the location"),
    ],
)  # fmt: skip
def test_bad_filters_get_a_clear_400(set_name, text, message):
    assert message in error_of(set_name, text).message


def test_the_expression_length_is_limited():
    text = " or ".join(["name eq 'x'"] * 400)
    assert "too long" in error_of("Things", text).message


def test_the_nesting_is_limited():
    text = "(" * 40 + "name eq 'x'" + ")" * 40
    assert "nested too deeply" in error_of("Things", text).message
    assert "nested too deeply" in error_of("Things", "not " * 40 + "true").message
    text = "length(name) " + "add 1 " * 40 + "eq 1"
    assert "nested too deeply" in error_of("Things", text).message


def test_the_number_of_terms_is_limited():
    text = " or ".join([f"name eq '{n}'" for n in range(150)])
    assert "too many terms" in error_of("Things", text).message


def test_a_polygon_has_a_bounded_number_of_points():
    ring = ", ".join(f"{n} 0" for n in range(120)) + ", 0 0"
    text = f"st_within(location, geography'POLYGON((0 0, {ring}))')"
    assert "at most 100 points" in error_of("Locations", text).message


def test_arithmetic_beyond_the_range_of_floats_is_no_database_error():
    observation = ObservationFactory(result_number=1e300)
    entity = ENTITIES["Observations"]
    text = "result" + " mul 1e15" * 20 + " gt 1"
    assert list(apply_filter(entity.model.objects.all(), entity, text)) == [observation]


# fuzzing -------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_random_text_only_ever_gives_a_sta_error(text):
    status = None
    try:
        filter_parse.parse(text)
    except StaError as error:
        status = error.status
    assert status in (None, 400)


_ATOMS = st.sampled_from(
    [
        "result", "resultTime", "phenomenonTime", "validTime", "parameters/x", "id",
        "Datastream/name", "Datastream/Thing/Locations/location", "FeatureOfInterest/feature",
        "Datastream/Thing/properties/operator", "'text'", "'2026-01-01T00:00:00Z'", "0", "-1",
        "2.5", "1e15", "true", "false", "null", "2026-01-01T00:00:00Z", "2026-01-01",
        "08:00:00", "duration'PT1H'", "geography'POINT(11 52)'", "now()", "mindatetime()",
        "geography'POLYGON((11 52, 12 52, 12 53, 11 52))'", "Datastream/phenomenonTime",
        "Datastream/unitOfMeasurement/symbol", "Datastream/observedArea", "'1'",
        "resultTime sub phenomenonTime", "date(resultTime)", "duration'-P36525D'",
    ]
)  # fmt: skip
_FUNCTIONS = st.sampled_from(sorted(FUNCTIONS))
_OPERATORS = st.sampled_from([*filter_parse.COMPARISONS, *filter_parse.ARITHMETIC, "and", "or"])


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        _ATOMS,
        lambda inner: st.one_of(
            st.builds(lambda a, op, b: f"{a} {op} {b}", inner, _OPERATORS, inner),
            st.builds(lambda a: f"not ({a})", inner),
            st.builds(lambda a: f"-{a}", inner),
            st.builds(lambda f, a: f"{f}({a})", _FUNCTIONS, inner),
            st.builds(lambda f, a, b: f"{f}({a}, {b})", _FUNCTIONS, inner, inner),
            st.builds(lambda f, a, b, c: f"{f}({a}, {b}, {c})", _FUNCTIONS, inner, inner, inner),
            st.builds(lambda a: f"({a})", inner),
        ),
        max_leaves=8,
    )


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_expressions())
def test_random_expressions_run_or_give_a_sta_error(observation, text):
    entity = ENTITIES["Observations"]
    status = None
    try:
        list(apply_filter(entity.model.objects.all(), entity, text))
    except StaError as error:
        status = error.status
    assert status in (None, 400)


@pytest.fixture
def observation():
    return ObservationFactory(parameters={"x": 1})
