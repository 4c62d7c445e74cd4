"""Every value from outside is bounded where it enters: no extreme value gives a 500 (ADR 0022).

The test does not list the endpoints: it reads every API operation from the OpenAPI schema and
every page URL pattern with parameters from the URL resolver, so a new one is covered the day it
is added. Each parameter (path, query, JSON body, the fields of the forms on the pages) gets
extreme values — integers beyond 64 bits, 10 000 characters, impossible dates, NUL bytes,
bytes that are no UTF-8 — one at a time, the others plausible, as anonymous visitor and as
member of staff (API key, logged-in session). Any answer is fine but a 5xx.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

from rathaus.api import api
from tests.support import log_in, make_key

CLERK = "buergerbuero"  # a demo clerk whose unit has cases
ADMIN = "digitales"  # the demo's administrator: sees every staff page and the admin
NON_UTF8 = "\udcff\udcfe"  # marks the raw bytes 0xFF 0xFE, which are no UTF-8

TEXT_EXTREMES = [
    str(2**63),
    str(-(2**63) - 1),
    str(10**30),
    "x" * 10_000,
    "0000-00-00",
    "99999-12-31",
    "9999-12-31",
    "0001-01-01",
    "1e400",
    "a\x00b",
    NON_UTF8,
]
JSON_EXTREMES: list[Any] = [
    2**63,
    -(2**63) - 1,
    10**30,
    1e308,
    -1,
    "x" * 10_000,
    "a\x00b",
    "9999-12-31",
    "0000-00-00",
    "99999-12-31T00:00:00",
    [1] * 1000,
    {"a": "b"},
    None,
]


def encode(value: str) -> str:
    """Percent-encode for a URL; NON_UTF8 becomes raw %FF%FE."""
    return "%FF%FE".join(quote(part, safe="") for part in value.split(NON_UTF8))


# --- the API -----------------------------------------------------------------------------------


def _demo_values() -> dict[str, str]:
    from rathaus.appointments.models import AppointmentType, Location
    from rathaus.cases.models import Case
    from rathaus.catalog.models import Service
    from rathaus.forms.models import FormDefinition

    service = Service.objects.exclude(leika_key="").order_by("pk").first()
    form = FormDefinition.objects.order_by("pk").first()
    location = Location.objects.order_by("pk").first()
    kind = AppointmentType.objects.order_by("pk").first()
    case = Case.objects.order_by("pk").first()
    return {
        "slug": form.slug if form else "x",
        "leika_key": service.leika_key if service else "x",
        "leika": service.leika_key if service else "x",
        "q": "Ausweis",
        "location": location.slug if location else "x",
        "type": str(kind.pk) if kind else "1",
        "types": str(kind.pk) if kind else "1",
        "number": case.number if case else "x",
        "token": "x",
        "plz": "39179",
        "ars": "150830040040",
    }


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in spec:
        spec = schema["components"]["schemas"][spec["$ref"].rsplit("/", 1)[1]]
    for option in spec.get("anyOf", []):
        if option.get("type") != "null":
            return _resolve(schema, option)
    return spec


def _plausible(schema: dict[str, Any], name: str, spec: dict[str, Any], demo: dict) -> Any:
    spec = _resolve(schema, spec)
    if name in demo:
        return demo[name]
    if "enum" in spec:
        return spec["enum"][0]
    if spec.get("format") == "date":
        return "2026-01-05"
    if spec.get("format") == "date-time":
        return "2026-01-05T10:00:00+01:00"
    kind = spec.get("type")
    if kind == "integer":
        return 1
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {
            key: _plausible(schema, key, value, demo)
            for key, value in spec.get("properties", {}).items()
        }
    return "x"


def build(
    path: str, params: list[dict[str, Any]], values: dict[str, Any], payload: Any
) -> tuple[str, bytes | None]:
    """The URL (path and query parameters filled in) and the JSON body of one API request."""
    url = path
    query = []
    for param in params:
        if param["name"] not in values:
            continue
        value = str(values[param["name"]])
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", encode(value))
        else:
            query.append(f"{param['name']}={encode(value)}")
    if query:
        url += "?" + "&".join(query)
    return url, None if payload is None else json.dumps(payload).encode()


def api_requests(demo: dict[str, str]) -> Iterator[tuple[str, str, str, bytes | None, str]]:
    """(method, URL with query, content type, body, what is extreme) for every case."""
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            # Optional parameters stay away unless probed: a plausible but wrong value (a cursor)
            # would make the request fail before the probed one is used.
            base = {
                p["name"]: _plausible(schema, p["name"], p["schema"], demo)
                for p in params
                if p.get("required")
            }
            content = operation.get("requestBody", {}).get("content", {})
            body_spec = content.get("application/json", {}).get("schema")
            body = _plausible(schema, "", body_spec, demo) if body_spec else None

            for param in params:
                for extreme in TEXT_EXTREMES:
                    url, raw = build(path, params, {**base, param["name"]: extreme}, body)
                    yield method, url, "application/json", raw, f"{param['name']}={extreme[:20]!r}"
            if isinstance(body, dict):
                for key in body:
                    for extreme in JSON_EXTREMES:
                        url, raw = build(path, params, base, {**body, key: extreme})
                        yield method, url, "application/json", raw, f"body.{key}={extreme!r:.20}"
            if body is not None:
                url, _raw = build(path, params, base, body)
                for raw in (b"\xff\xfe{", b"[" * 5000 + b"]" * 5000, b'{"a": 1e999}'):
                    yield method, url, "application/json", raw, f"body={raw[:10]!r}"


@pytest.fixture
def demo_clients(barleben) -> dict[str, Client]:
    # A server error is an answer here, not an exception: the test lists them all.
    clerk = log_in(Client(raise_request_exception=False), CLERK)
    key = make_key(CLERK, client=clerk)
    return {
        "anonymous": Client(raise_request_exception=False),
        "api key": Client(
            raise_request_exception=False, headers={"Authorization": f"Bearer {key}"}
        ),
        "clerk session": clerk,
        "admin session": log_in(Client(raise_request_exception=False), ADMIN),
    }


def _send(client: Client, method: str, url: str, content_type: str, body: bytes | None):
    return client.generic(method.upper(), url, body or b"", content_type=content_type)


def probe_api(demo_clients: dict[str, Client]) -> list[str]:
    failures = []
    demo = _demo_values()
    count = 0
    for method, url, content_type, body, what in api_requests(demo):
        for who in ("anonymous", "api key"):
            count += 1
            response = _send(demo_clients[who], method, url, content_type, body)
            if response.status_code >= 500:
                failures.append(
                    f"{response.status_code} {method.upper()} {url[:80]} {what} ({who})"
                )
    assert count > 500  # every operation was reached
    return failures


# --- the pages ---------------------------------------------------------------------------------

PLAUSIBLE_PATH = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def page_patterns() -> Iterator[tuple[list[str], URLPattern]]:
    """Every route of the site with its prefixes, as route strings."""

    def walk(patterns: list, prefix: list[str]) -> Iterator[tuple[list[str], URLPattern]]:
        for entry in patterns:
            if not isinstance(entry.pattern, RoutePattern):
                continue  # the API catch-all and the admin's app index (regular expressions)
            route = [*prefix, str(entry.pattern._route)]
            if isinstance(entry, URLResolver):
                if route[-1].startswith("api/"):
                    continue  # the API is probed through its schema above
                yield from walk(entry.url_patterns, route)
            else:
                yield route, entry

    yield from walk(get_resolver().url_patterns, [])


PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


# In a path, dates matter only where the parameter is one.
PATH_EXTREMES = [str(2**63), str(10**30), "x" * 10_000, "1e400", "a\x00b", NON_UTF8]
DATE_EXTREMES = ["0000-00-00", "99999-12-31", "9999-12-31", "0001-01-01"]


def page_urls() -> Iterator[tuple[str, str]]:
    from django.urls.converters import get_converters

    converters = get_converters()
    for parts, _pattern in page_patterns():
        route = "".join(parts)
        params = list(PARAMETER.finditer(route))
        if not params:
            continue
        for target in params:
            converter = converters[target["converter"] or "str"]
            dated = any(word in target["name"] for word in ("date", "day", "tag"))
            for extreme in PATH_EXTREMES + (DATE_EXTREMES if dated else []):
                if not re.fullmatch(converter.regex, extreme.replace(NON_UTF8, "")) and not (
                    NON_UTF8 in extreme and converter.regex in {"[^/]+", ".+"}
                ):
                    continue  # the converter does not take it: the URL does not match at all

                def fill(
                    match: re.Match[str], target: re.Match[str] = target, extreme: str = extreme
                ) -> str:
                    if match.start() == target.start():
                        return encode(extreme)
                    return PLAUSIBLE_PATH.get(match["converter"] or "str", "1")

                yield "/" + PARAMETER.sub(fill, route), f"{target['name']}={extreme[:20]!r}"


def probe_paths(demo_clients: dict[str, Client]) -> list[str]:
    failures = []
    count = 0
    for url, what in page_urls():
        if url.startswith("/admin/"):
            # Only the administrator gets past the admin's login; Django's own views are probed
            # with the numbers only, the values that reached the database.
            if not any(number in what for number in ("922337", "100000")):
                continue
            requests = [("admin session", "GET"), ("admin session", "POST")]
        else:
            requests = [("anonymous", "GET"), ("clerk session", "GET"), ("clerk session", "POST"),
                        ("admin session", "GET")]  # fmt: skip
        for who, method in requests:
            count += 1
            response = demo_clients[who].generic(method, url)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {method} {url[:90]} {what} ({who})")
    assert count > 300
    return failures


def form_pages() -> Iterator[str]:
    """The pages without parameters, whose forms are filled with extreme values below."""
    for parts, _pattern in page_patterns():
        route = "".join(parts)
        if (
            "<" not in route
            and not route.startswith(("admin/", "i18n/"))
            and "abmelden" not in route
        ):
            yield "/" + route


class _Forms(HTMLParser):
    """The forms of a page: method, action and the fields with their preset values."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = attributes.get("action") or self.url
            self.forms.append(((attributes.get("method") or "get").upper(), action, {}))
            return
        if not self.forms:
            return
        fields = self.forms[-1][2]
        name = attributes.get("name", "")
        if tag in {"input", "textarea"} and name:
            if attributes.get("type", "text") not in {"submit", "button", "file", "image"}:
                fields.setdefault(name, attributes.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select is not None:
            fields.setdefault(self._select, attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(url: str, html: str) -> list[tuple[str, str, dict[str, str]]]:
    parser = _Forms(url)
    parser.feed(html)
    return [
        (method, action, fields)
        for method, action, fields in parser.forms
        if action.startswith("/") and "abmelden" not in action and not action.startswith("/i18n/")
    ]


READS = re.compile(r'\b(GET|POST|get|post)\.get(?:list)?\(\s*"([^"]+)"')


def read_parameters(url: str) -> list[tuple[str, str, dict[str, str]]]:
    """Parameters the page's view module reads without a form on the page, as forms of their own.

    (A filter may be offered only to some roles, or only by links.)
    """
    module = sys.modules[resolve(url.split("?")[0]).func.__module__]
    found: dict[str, dict[str, str]] = {"GET": {}, "POST": {}}
    for method, name in READS.findall(inspect.getsource(module)):
        found[method.upper()][name] = ""
    return [(method, url, fields) for method, fields in found.items() if fields]


def form_body(fields: dict[str, str]) -> str:
    return "&".join(f"{quote(name)}={encode(value)}" for name, value in fields.items())


# One field at a time gets these (all of TEXT_EXTREMES go into all fields at once): a value in
# one field must not hide behind another field that makes the request fail early.
FIELD_EXTREMES = [str(2**63), "x" * 10_000, "9999-12-31"]


# Pages reached by a link (their URL has parameters) get fewer values, to keep the test fast.
LINKED_ALL = [str(2**63), "x" * 10_000, "9999-12-31", NON_UTF8]
LINKED_FIELD = [str(2**63), "9999-12-31"]
HREF = re.compile(r'href="(/[^"#]*)"')
NOT_FOLLOWED = ("/static/", "/admin/", "/api/", "/i18n/")


def _route(path: str) -> str | None:
    try:
        return str(resolve(path.split("?")[0]).route)
    except Resolver404:
        return None


def _links(html: str, visited: set[str]) -> Iterator[str]:
    """Links to pages with parameters, one per URL pattern not visited yet."""
    for href in HREF.findall(html):
        href = unescape(href)
        if href.startswith(NOT_FOLLOWED) or "abmelden" in href or "<" not in (_route(href) or "<"):
            continue
        route = _route(href)
        if route is not None and route not in visited:
            visited.add(route)
            yield href


def probe_forms(demo_clients: dict[str, Client]) -> list[str]:
    failures = []
    seen: set[tuple[str, str | None, tuple[str, ...]]] = set()
    for who in ("anonymous", "clerk session", "admin session"):
        client = demo_clients[who]
        visited: set[str] = set()
        queue = [(url, False) for url in form_pages()]
        while queue:
            url, linked = queue.pop(0)
            page = client.get(url)
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                continue
            html = page.content.decode()
            queue += [(link, True) for link in _links(html, visited)]
            for method, action, fields in forms_of(url, html) + read_parameters(url):
                fields.pop("csrfmiddlewaretoken", None)
                # A form that one visitor was probed with is not probed again for the next.
                key = (method, _route(action), tuple(sorted(fields)))
                if not fields or key in seen:
                    continue
                seen.add(key)
                every, each = (
                    (LINKED_ALL, LINKED_FIELD) if linked else (TEXT_EXTREMES, FIELD_EXTREMES)
                )
                cases = [(dict.fromkeys(fields, extreme), "all fields") for extreme in every]
                cases += [({**fields, name: extreme}, name) for name in fields for extreme in each]
                for data, what in cases:
                    body = form_body(data)
                    if method == "GET":
                        separator = "&" if "?" in action else "?"
                        response = client.generic("GET", action + separator + body)
                    else:
                        response = client.generic(
                            "POST", action, body, content_type="application/x-www-form-urlencoded"
                        )
                    if response.status_code >= 500:
                        value = next(iter(data.values())) if what == "all fields" else data[what]
                        failures.append(
                            f"{response.status_code} {method} {action} {what}={value[:20]!r} ({who})"
                        )
    assert len(seen) > 40
    return failures


def test_no_extreme_value_gives_a_server_error(demo_clients):
    """One test for the three probes, so that the demo is loaded once (it takes a while)."""
    failures = probe_api(demo_clients) + probe_paths(demo_clients) + probe_forms(demo_clients)
    assert not failures, "\n".join(failures)


def test_nul_characters_are_refused_at_the_door(demo_clients):
    """PostgreSQL cannot store NUL in text: refused with 4xx before anything is saved."""
    client = demo_clients["anonymous"]
    schema = client.get("/api/v1/forms/anliegen").json()["data_schema"]
    answers = {name: "a\x00b" for name, spec in schema["properties"].items()
               if spec.get("type") == "string"}  # fmt: skip
    response = client.post(
        "/api/v1/forms/anliegen/submissions", {"data": answers}, content_type="application/json"
    )
    assert response.status_code == 422
    form = "application/x-www-form-urlencoded"
    assert client.post("/antrag/anliegen/", "name=a%00b", content_type=form).status_code == 400
    page = client.post("/antrag/anliegen/", {"name": "a\x00b"})  # multipart
    assert page.status_code == 400
    assert "Die Anfrage konnte nicht bearbeitet werden" in page.content.decode()


def test_no_url_of_ours_takes_an_unbounded_integer():
    """``<int:…>`` takes any number of digits; ``<id:…>`` at most 18 (ADR 0022)."""
    unbounded = [
        "".join(parts)
        for parts, _pattern in page_patterns()
        if "<int:" in "".join(parts) and not parts[0].startswith("admin/")
    ]
    assert not unbounded
    assert any("<id:" in "".join(parts) for parts, _pattern in page_patterns())
