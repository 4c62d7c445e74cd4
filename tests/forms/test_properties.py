"""Property tests: valid data survives the rendered form; nothing crashes on arbitrary input."""

from __future__ import annotations

import datetime
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from rathaus.forms.engine import FormSpec
from rathaus.forms.rendering import StepBinder, summary
from tests.support import ALL_TYPES_LAYOUT, ALL_TYPES_SCHEMA, as_querydict, render_step, resubmit

SPEC = FormSpec(ALL_TYPES_SCHEMA, ALL_TYPES_LAYOUT)
PROFILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as people type it: letters incl. umlauts, digits, punctuation, inner spaces.
_CHARS = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    exclude_characters="\r\x0b\x0c\x85\u2028\u2029",
)


def text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return (
        st.text(_CHARS, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda value: len(value) >= min_size)
    )


def multiline(max_size: int) -> st.SearchStrategy[str]:
    return (
        st.lists(text(1, 40), min_size=1, max_size=5)
        .map("\n".join)
        .filter(lambda value: len(value) <= max_size)
    )


def ibans() -> st.SearchStrategy[str]:
    def build(digits: str) -> str:
        bban = "DE00" + digits
        return "DE" + stdnum_iban.calc_check_digits(bban) + digits

    return st.text(string.digits, min_size=18, max_size=18).map(build)


def iso_dates() -> st.SearchStrategy[str]:
    return st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)).map(
        datetime.date.isoformat
    )


address = st.fixed_dictionaries(
    {
        "street": text(1, 200),
        "postal_code": st.text(string.digits, min_size=5, max_size=5),
        "place": text(1, 100),
    }
)
extras = st.sets(st.sampled_from(["wifi", "parking", "ramp"]), min_size=1).map(
    lambda chosen: [item for item in ["wifi", "parking", "ramp"] if item in chosen]
)
child = st.fixed_dictionaries({"first_name": text(1, 50)}, optional={"born": iso_dates()})


@st.composite
def valid_data(draw: st.DrawFn) -> dict:
    data = draw(
        st.fixed_dictionaries(
            {
                "name": text(1, 50),
                "email": st.from_regex(
                    r"[a-z0-9]{1,10}(\.[a-z0-9]{1,10})?@[a-z0-9]{1,15}\.(de|org)",
                    fullmatch=True,
                ),
                "count": st.integers(1, 9),
                "colour": st.sampled_from(["red", "green", "blue"]),
                "has_pet": st.booleans(),
            },
            optional={
                "notes": multiline(2000),
                "phone": st.from_regex(r"\+?[0-9]{3,12}( [0-9]{2,8})?", fullmatch=True),
                "iban": ibans(),
                "amount": st.one_of(
                    st.integers(0, 100000),
                    st.floats(0, 100000, allow_nan=False, allow_infinity=False),
                ),
                "born": iso_dates(),
                "size": st.sampled_from(["s", "l"]),
                "extras": extras,
                "home": address,
                "employer": st.fixed_dictionaries({"company": text(1, 100)}),
                "children": st.lists(child, min_size=1, max_size=4),
            },
        )
    )
    if data["has_pet"]:
        data["pet_name"] = draw(text(1, 40))
    return data


@PROFILE
@given(valid_data())
def test_accepted_data_is_rendered_and_accepted_again(data):
    assert SPEC.errors(data) == {}
    again = resubmit(SPEC, data)
    assert again == data
    assert SPEC.errors(again) == {}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(sorted(ALL_TYPES_SCHEMA["properties"])) | st.text(max_size=8)


@PROFILE
@given(json_values)
def test_the_validator_never_raises_for_any_json(value):
    errors = SPEC.errors(value)
    assert isinstance(errors, dict)
    assert all(isinstance(messages, list) and messages for messages in errors.values())


@PROFILE
@given(st.dictionaries(field_names, json_values, max_size=8))
def test_any_stored_answers_can_be_shown(data):
    """Drafts hold whatever was typed; every page that shows them must cope."""
    SPEC.errors(data)
    SPEC.unexpected_paths(data)
    SPEC.hidden_answers(data)
    summary(SPEC, data)
    for index in range(len(SPEC.steps)):
        StepBinder(SPEC, index, data).bind()
        render_step(SPEC, index, data)
    SPEC.prune(data)


posted_names = st.sampled_from(
    [
        "name", "notes", "amount", "count", "born", "colour", "size", "extras", "has_pet",
        "home.street", "home.postal_code", "children.__count", "children.0.first_name",
        "children.1.born", "employer.company", "_add", "_remove",
    ]
)  # fmt: skip


@PROFILE
@given(st.lists(st.tuples(posted_names, st.text(max_size=30)), max_size=20))
def test_reading_any_post_never_raises(pairs):
    present = [(f"{name}.__present", "1") for name, _value in pairs]
    post = as_querydict(pairs + present)
    for index in range(len(SPEC.steps)):
        data = SPEC.read_step(index, post, {})
        SPEC.repeat_action(post, data)
        SPEC.errors(data, step=index)
