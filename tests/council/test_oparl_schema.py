"""Every object the OParl server writes validates against the OParl 1.1 schemas
(tests/data/oparl): the System, the bodies, every page of every list, every object fetched
alone and every object embedded in another one."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.test import Client

from tests.factories import AuthorityFactory
from tests.factories.oparl import realistic_council
from tests.support import DATA

pytestmark = pytest.mark.django_db
SCHEMAS = DATA / "oparl" / "schema"
TYPE_PREFIX = "https://schema.oparl.org/1.1/"


def _schemas() -> dict[str, dict[str, Any]]:
    found = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        # the schemas allow any further property; ours must all be named in the specification
        schema["additionalProperties"] = False
        found[path.name] = schema
    return found


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("url")
def _url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = dt.datetime.fromisoformat(value)
    return "T" in value and parsed.tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return dt.date.fromisoformat(value).isoformat() == value


ALL = _schemas()


def _embedded(validator: Any, name: str, instance: Any, schema: Any) -> Any:
    """OParl's "schema": "File.json": the embedded object validates against that schema."""
    if isinstance(instance, dict) and name in ALL:
        yield from validator.descend(instance, ALL[name])


OParlValidator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"schema": _embedded})


def errors(data: dict[str, Any]) -> list[str]:
    assert data.get("type", "").startswith(TYPE_PREFIX), data
    schema = ALL[data["type"].removeprefix(TYPE_PREFIX) + ".json"]
    validator = OParlValidator(schema, format_checker=FORMATS)
    found = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(data)
    ]
    found += _nulls(data, "")
    return found


def _nulls(value: Any, where: str) -> list[str]:
    if value is None:
        return [f"{where}: null"]
    if isinstance(value, dict):
        return [n for key, item in value.items() for n in _nulls(item, f"{where}/{key}")]
    if isinstance(value, list):
        return [n for i, item in enumerate(value) for n in _nulls(item, f"{where}/{i}")]
    return []


def _get(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Content-Type"] == "application/json; charset=utf-8"
    result: dict[str, Any] = response.json()
    return result


def _walk(client: Client, url: str) -> list[dict[str, Any]]:
    objects = []
    seen = set()
    while url:
        assert url not in seen
        seen.add(url)
        page = _get(client, url)
        assert set(page) == {"data", "pagination", "links"}
        objects += page["data"]
        url = page["links"].get("next")
    return objects


def test_the_validator_finds_what_is_wrong():
    example = json.loads((DATA / "oparl" / "examples" / "Meeting-01.json").read_text("utf-8"))
    example["agendaItem"][0]["order"] = 0  # missing in the example, required by the schema
    assert errors(example) == []
    broken = {
        **example, "start": "2013-01-04 08:00", "organization": ["not a url"], "web": None,
        "colour": "blue",
    }  # fmt: skip
    broken["invitation"] = {**example["invitation"]}
    del broken["invitation"]["accessUrl"]
    found = " | ".join(errors(broken))
    for part in ("start", "organization/0", "/web: null", "colour", "accessUrl"):
        assert part in found


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "oparl" / "examples").iterdir()))
def test_the_specifications_examples_validate(name):
    example = json.loads((DATA / "oparl" / "examples" / name).read_text("utf-8"))
    # the example meeting's agenda item lacks "order", which OParl 1.1 made required
    expected = ["agendaItem/0: 'order' is a required property"] if name == "Meeting-01.json" else []
    assert errors(example) == expected


def test_every_object_served_validates():
    town = realistic_council(AuthorityFactory(slug="barleben", name="Gemeinde Barleben"))
    client = Client()

    system = _get(client, "/oparl/v1/")
    assert errors(system) == []
    assert system["id"] == "http://testserver/oparl/v1/"
    assert system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    bodies = _walk(client, system["body"])
    assert [body["name"] for body in bodies] == ["Gemeinderat Barleben"]
    body = bodies[0]
    assert errors(body) == []
    assert errors(_get(client, body["id"])) == []

    served: dict[str, dict[str, Any]] = {}
    for key in ("organization", "person", "meeting", "paper", "agendaItem", "consultation",
                "file", "locationList", "legislativeTermList", "membership"):  # fmt: skip
        for item in _walk(client, body[key]):
            assert errors(item) == [], (key, item)
            assert item["id"] not in served
            served[item["id"]] = item
    types = {item["type"].removeprefix(TYPE_PREFIX) for item in served.values()}
    assert len(types) == 10
    for url, item in served.items():
        alone = _get(client, url)
        assert errors(alone) == [], alone
        assert alone["id"] == url
        assert alone["type"] == item["type"]

    a = "http://testserver/oparl/v1/"
    # the deleted paper is listed with its id and dates only
    withdrawn = served[f"{a}paper/{town.withdrawn.pk}"]
    assert set(withdrawn) == {"id", "type", "created", "modified", "deleted"}
    assert withdrawn["deleted"] is True
    # the non-public item: its number and order, nothing of its content; its file is not served
    closed = served[f"{a}agendaitem/{town.closed_item.pk}"]
    assert closed["public"] is False
    assert closed["number"] == "9."
    assert not {"resolutionText", "resolutionFile", "result", "auxiliaryFile"} & set(closed)
    assert f"{a}file/{town.secret_file.pk}" not in served
    # the imported file names the source's addresses
    imported = served[f"{a}file/{town.imported.pk}"]
    assert imported["accessUrl"] == "https://ris.example.org/files/77.pdf"
    assert imported["downloadUrl"] == "https://ris.example.org/files/77.pdf?download=1"
