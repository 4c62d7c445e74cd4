"""Helpers shared by the test modules: paths, processes, log-ins, submissions, generated files.

Test modules import shared code from here (and factories from ``tests.factories``), never from
each other; fixtures shared between folders live in ``tests/conftest.py``.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import html
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from altcha.v1 import solve_challenge
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.db import connection, connections
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from rathaus.accounts.models import Account, ExternalIdentity
from rathaus.appointments.availability import TZ
from rathaus.appointments.models import AppointmentType, Location, OpeningHours, Resource
from rathaus.core.models import AuditEvent, Authority, OutgoingEmail

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from rathaus.forms.models import Submission

ROOT = Path(__file__).resolve().parent.parent
# Reference files the tests read (see tests/data/README.md for their sources and licences).
DATA = ROOT / "tests" / "data"

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLAMD_STREAM_MAX_BYTES = 4 * 1024 * 1024  # small, so that clamd's size-limit error is testable


# --- processes -------------------------------------------------------------------------------


def database_env() -> dict[str, str]:
    """Environment for a subprocess that should use the test database of this test run."""
    from django.conf import settings as django_settings

    env = dict(os.environ)
    env["RATHAUS_AUDIT_CHECKPOINT_FILE"] = str(django_settings.RATHAUS_AUDIT_CHECKPOINT_FILE)
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        env["RATHAUS_DATABASE_URL"] = f"sqlite:///{Path(settings['NAME']).resolve()}"
    else:
        user = settings["USER"]
        host = settings["HOST"]
        port = settings["PORT"]
        env["RATHAUS_DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{settings['NAME']}"
    return env


def rathaus(*args: str, env: dict[str, str] | None = None, timeout: int = 60):
    """Run the installed `rathaus` command the way an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "rathaus", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


def start_worker(env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A real `rathaus worker` on this test run's database, polling every 0.2 seconds."""
    command = [sys.executable, "-m", "rathaus", "worker", "--queue-name", "*", "--interval", "0.2",
               "--no-startup-delay"]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env or database_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer(str):
    """A real redis-server (Debian's) on a loopback port: the string is its URL, redis://….

    Nothing is saved (``--save ''``, no append-only file), so a restarted server is empty, as a
    replaced cache server would be. ``stop``/``start`` end and start the process on the same
    port; ``freeze``/``thaw`` stop and continue it (SIGSTOP/SIGCONT): a hung server that keeps
    its data and accepts connections but answers nothing.
    """

    binary = "/usr/bin/redis-server"
    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None

    def __new__(cls, port: int, directory: Path) -> RedisServer:
        server = super().__new__(cls, f"redis://127.0.0.1:{port}/0")
        server.port, server.directory, server.process = port, directory, None
        return server

    def answers(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        command = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.directory), "--daemonize", "no",
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.directory / "redis.log"
                text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                self.stop()
                pytest.fail(f"redis-server did not start on port {self.port}:\n{text}")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGCONT)  # a frozen server cannot end
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def freeze(self) -> None:
        assert self.process is not None, "redis-server is not running"
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None, "redis-server is not running"
        self.process.send_signal(signal.SIGCONT)


SANDBOX_API_KEY = "test-sandbox-api-key"
# two keys, as during a key rotation: the sandbox signs with the first
SANDBOX_WEBHOOK_KEYS = {"k2": "second-test-secret", "k1": "first-test-secret"}
SANDBOX_FAST = ("--delay", "0.3", "--repeat", "2", "--seed", "15", "--hold", "5",
                "--retry-interval", "0.3", "--max-attempts", "6")  # fmt: skip


@contextlib.contextmanager
def running_payment_sandbox(*options: str, port: int | None = None) -> Iterator[str]:
    """`rathaus payment-sandbox` as a separate process on a free port, with the test keys;
    yields its address once it answers and stops it afterwards."""
    import tempfile
    import time
    import urllib.request

    port = port or free_port()
    keys = ",".join(f"{key}:{secret}" for key, secret in SANDBOX_WEBHOOK_KEYS.items())
    env = {**os.environ, "RATHAUS_PAYMENT_SANDBOX_API_KEY": SANDBOX_API_KEY,
           "RATHAUS_PAYMENT_WEBHOOK_KEYS": keys}  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as output:
        command = [sys.executable, "-m", "rathaus", "payment-sandbox", "--port", str(port),
                   *options]  # fmt: skip
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)  # fmt: skip

        def logs() -> str:
            output.seek(0)
            return output.read().decode(errors="replace")[-4000:]

        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/health", timeout=1) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None:
                    pytest.fail(f"the payment sandbox exited ({process.returncode}):\n{logs()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"the payment sandbox did not answer in 60 s:\n{logs()}")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- people ----------------------------------------------------------------------------------


def current_code(device: TOTPDevice, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset in steps: -1 is the previous code)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset)
    return f"{value:0{device.digits}d}"


def human_check() -> dict[str, str]:
    """Form fields that pass the registration's person check (the no-JavaScript question)."""
    from django.core import signing

    from rathaus.accounts import altcha

    question = altcha.new_question()
    answer = signing.loads(question.token, salt=altcha._SALT)["sum"]
    return {"question_token": question.token, "question_answer": str(answer)}


def log_in(client: Client, username: str, password: str | None = None) -> Client:
    """A staff member logs in with both factors: password, then the current code of their app."""
    from rathaus.core.demo import DEMO_PASSWORD

    response = client.post(
        "/verwaltung/anmelden/", {"username": username, "password": password or DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    response = client.post("/verwaltung/anmelden/code/", {"token": current_code(device)})
    assert response["Location"] == "/verwaltung/"
    return client


def clerk_of(org_unit: Any, username: str, **fields: Any) -> Any:
    """A clerk of the unit with a confirmed authenticator app, built with the factories.

    Log in with ``log_in(Client(), username, tests.factories.PASSWORD)``.
    """
    from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory

    user = UserFactory(username=username, **fields)
    TOTPDeviceFactory(user=user)
    MembershipFactory(user=user, org_unit=org_unit)
    return user


def role_holder(authority: Any, username: str, role: str, unit: str = "Digitalwerkstatt") -> Client:
    """A client logged in as a new clerk of a new unit of ``authority`` with ``role``."""
    from rathaus.core import roles
    from tests.factories import PASSWORD
    from tests.factories.core import OrgUnitFactory

    user = clerk_of(OrgUnitFactory(authority=authority, name=unit), username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def citizen_client() -> Client:
    """A client logged in as the demo citizen."""
    from rathaus.accounts.demo import CITIZEN_EMAIL
    from rathaus.core.demo import DEMO_PASSWORD

    client = Client()
    response = client.post("/konto/anmelden/", {"email": CITIZEN_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


# A new citizen's registration form, as filled in on /konto/registrieren/.
CITIZEN_PASSWORD = "ein langer satz als passwort"
REGISTRATION = {
    "kind": "person",
    "first_name": "Kim",
    "last_name": "Beispiel",
    "email": "Kim.Beispiel@example.org",
    "password1": CITIZEN_PASSWORD,
    "password2": CITIZEN_PASSWORD,
    "privacy": "on",
}

# A browser's staff log-in: the label of the code field, and the password step.
CODE_LABEL = "Sechsstelliger Code aus Ihrer Authenticator-App"


def log_in_with_password(page: Page, username: str, password: str) -> None:
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Weiter").click()


# --- applications ----------------------------------------------------------------------------

# Answers to the demo forms as the JSON API takes them.
MELDEBESCHEINIGUNG = {
    "first_name": "Ilse", "family_name": "Beispiel", "date_of_birth": "1957-03-14",
    "address": {"street": "Breiteweg 12", "postal_code": "39179", "place": "Barleben"},
    "kind": "simple", "purpose": "employer", "copies": 1, "include_others": False,
    "delivery": "post",
}  # fmt: skip
ANLIEGEN = {
    "topic": "lights", "subject": "Lampe am Spielplatz", "message": "Die Lampe ist seit Tagen aus.",
    "name": "Kim Muster", "email": "kim@example.org", "reply_wanted": True,
}  # fmt: skip


def submit(client: Client, slug: str, data: dict) -> Submission:
    """Submit answers through the JSON API; returns the stored submission."""
    from rathaus.forms.models import Submission

    response = client.post(f"/api/v1/forms/{slug}/submissions", json.dumps({"data": data}),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    return Submission.objects.get(reference=response.json()["reference"])


# The "Anliegen" form's steps as a person fills them in the HTML pages.
ANLIEGEN_STEP = {
    "topic": "lights",
    "subject": "Straßenlampe defekt",
    "message": "Die Lampe vor Breiteweg 147 ist seit Tagen dunkel.",
    "location": "Breiteweg 147",
}
KONTAKT_STEP = {"name": "Ilse Beispiel", "email": "ilse@example.org", "reply_wanted": "yes"}


def get_page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def follow_post(client: Client, url: str, data: dict, status: int = 302) -> str:
    response = client.post(url, data)
    assert response.status_code == status, (url, response.status_code, response.content[:2000])
    return response["Location"] if status == 302 else response.content.decode()


def start_application(client: Client, slug: str, **extra: str) -> str:
    """Start a new application; returns the first step's address."""
    return follow_post(client, f"/antrag/{slug}/", extra)


def fill_step(client: Client, url: str, answers: dict, action: str = "next") -> str:
    """Post the step's form as rendered, with some answers changed; returns the redirect."""
    html = get_page(client, url)
    data = post_data(html, action=action, **answers)
    return follow_post(client, url, data)


# --- the staff API ---------------------------------------------------------------------------


def make_key(username: str, name: str = "Fachverfahren", days: int = 90, client=None) -> str:
    """A key made on the staff page, as the staff member would: shown once in the page."""
    client = client or log_in(Client(), username)
    page = client.post("/verwaltung/konto/api-schluessel/", {"action": "create", "name": name,
                                                            "days": str(days)})  # fmt: skip
    assert page.status_code == 200
    found = re.search(r'id="new-key">(rh_[^<]+)<', page.content.decode())
    assert found is not None
    return found.group(1)


def api(key: str | None) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"} if key else {})


# --- forms -----------------------------------------------------------------------------------

# A form with every widget, a condition, a section and a repeatable group.
ALL_TYPES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "$defs": {
        "address": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "street": {"type": "string", "minLength": 1, "maxLength": 200},
                "postal_code": {"type": "string", "format": "postal-code-de"},
                "place": {"type": "string", "minLength": 1, "maxLength": 100},
            },
            "required": ["street", "postal_code", "place"],
        }
    },
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 50},
        "notes": {"type": "string", "maxLength": 2000},
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "phone": {"type": "string", "format": "phone", "maxLength": 30},
        "iban": {"type": "string", "format": "iban"},
        "amount": {"type": "number", "minimum": 0, "maximum": 100000},
        "count": {"type": "integer", "minimum": 1, "maximum": 9},
        "born": {"type": "string", "format": "date"},
        "colour": {"type": "string", "enum": ["red", "green", "blue"]},
        "size": {
            "type": "string",
            "oneOf": [{"const": "s", "title": "Klein"}, {"const": "l", "title": "Groß"}],
        },
        "extras": {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": ["wifi", "parking", "ramp"]},
        },
        "has_pet": {"type": "boolean"},
        "pet_name": {"type": "string", "maxLength": 40},
        "home": {"$ref": "#/$defs/address"},
        "evidence": {
            "type": "array",
            "maxItems": 2,
            "items": {"type": "string", "format": "upload"},
        },
        "employer": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"company": {"type": "string", "maxLength": 100}},
        },
        "children": {
            "type": "array",
            "maxItems": 4,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "first_name": {"type": "string", "minLength": 1, "maxLength": 50},
                    "born": {"type": "string", "format": "date"},
                },
                "required": ["first_name"],
            },
        },
    },
    "required": ["name", "email", "count", "colour", "has_pet"],
    "allOf": [
        {
            "if": {"properties": {"has_pet": {"const": True}}, "required": ["has_pet"]},
            "then": {"required": ["pet_name"]},
        }
    ],
}

ALL_TYPES_LAYOUT: dict[str, Any] = {
    "steps": [
        {
            "id": "basics",
            "title": "Grunddaten",
            "elements": [
                {"static": "Bitte füllen Sie alles aus.\n\nDanke.", "title": "Hinweis"},
                {"field": "name", "widget": "text", "label": "Name", "prefill": "last_name"},
                {"field": "notes", "widget": "textarea", "label": "Bemerkungen"},
                {"field": "email", "widget": "email", "label": "E-Mail", "prefill": "email"},
                {"field": "phone", "widget": "phone", "label": "Telefon"},
                {"field": "iban", "widget": "iban", "label": "IBAN"},
                {"field": "amount", "widget": "number", "label": "Betrag"},
                {"field": "count", "widget": "number", "label": "Anzahl"},
                {"field": "born", "widget": "date", "label": "Geburtsdatum"},
            ],
        },
        {
            "id": "choices",
            "title": "Auswahl",
            "elements": [
                {"field": "colour", "widget": "radio", "label": "Farbe",
                 "choices": [{"value": "red", "label": "Rot"}]},
                {"field": "size", "widget": "select", "label": "Größe"},
                {"field": "extras", "widget": "checkboxes", "label": "Extras"},
                {"field": "has_pet", "widget": "yesno", "label": "Haustier?"},
                {"field": "pet_name", "widget": "text", "label": "Name des Tiers",
                 "show_if": {"field": "has_pet", "equals": True}},
            ],
        },
        {
            "id": "more",
            "title": "Weiteres",
            "elements": [
                {"field": "home", "widget": "address", "label": "Anschrift", "prefill": "address"},
                {"field": "evidence", "widget": "file", "label": "Nachweis",
                 "accept": ["application/pdf", "image/png"], "max_size": 1048576},
                {"group": "employer", "label": "Arbeitgeber", "elements": [
                    {"field": "company", "widget": "text", "label": "Firma"}]},
                {"group": "children", "label": "Kind", "repeat": True, "elements": [
                    {"field": "first_name", "widget": "text", "label": "Vorname"},
                    {"field": "born", "widget": "date", "label": "Geboren"}]},
            ],
        },
    ]
}  # fmt: skip

VALID_DATA: dict[str, Any] = {
    "name": "Erika Muster",
    "notes": "Zeile eins\nZeile zwei",
    "email": "erika@example.org",
    "phone": "+49 39203 565-0",
    "iban": "DE89370400440532013000",
    "amount": 12.5,
    "count": 3,
    "born": "1980-12-31",
    "colour": "green",
    "size": "l",
    "extras": ["wifi", "ramp"],
    "has_pet": True,
    "pet_name": "Bello",
    "home": {"street": "Breiteweg 147", "postal_code": "39179", "place": "Barleben"},
    "employer": {"company": "Muster GmbH"},
    "children": [{"first_name": "Ben", "born": "2015-05-01"}, {"first_name": "Lea"}],
}

# --- HTML forms as a browser without JavaScript submits them -----------------------------------


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.inputs: list[dict[str, str | None]] = []
        self._select: str | None = None
        self._select_values: list[str] = []
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name:
            self.inputs.append(attributes)
            kind = (attributes.get("type") or "text").lower()
            if kind in {"submit", "file", "button", "image", "reset"}:
                return
            if kind in {"radio", "checkbox"} and "checked" not in attributes:
                return
            self.fields.append((name, attributes.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
            self._select_values = []
            self._first_option = None
        elif tag == "option" and self._select is not None:
            value = attributes.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in attributes:
                self._select_values.append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            chosen = self._select_values or ([self._first_option] if self._first_option else [""])
            self.fields.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops one newline directly after <textarea>.
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = _FormParser()
    parser.feed(html)
    return parser.fields


def as_querydict(pairs: list[tuple[str, str]], **extra: str) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    for name, value in extra.items():
        query[name] = value
    return query


def post_data(html: str, **extra: str) -> dict[str, list[str] | str]:
    """The fields of the page's form as a dict for Django's test client (lists for repeats)."""
    data: dict[str, list[str]] = {}
    for name, value in form_fields(html):
        if name == "csrfmiddlewaretoken":
            continue
        data.setdefault(name, []).append(value)
    result: dict[str, list[str] | str] = {k: v if len(v) > 1 else v[0] for k, v in data.items()}
    result.update(extra)
    return result


# --- generated files -------------------------------------------------------------------------


def pdf(catalog: bytes = b"", page: bytes = b"", objects: tuple[bytes, ...] = (),
        content: bytes = b"BT /F1 12 Tf 72 720 Td (Antrag) Tj ET") -> bytes:  # fmt: skip
    """A small, well-formed PDF with a correct cross-reference table.

    Objects 1-4 are catalogue, page tree, page and content stream; ``objects`` become 5, 6, …
    """
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R " + page + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\('hallo'\\)) >>"


def image(kind: str, size: tuple[int, int] = (32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(buffer, kind)
    return buffer.getvalue()


# --- rendering a form step -------------------------------------------------------------------


def render_step(spec: Any, index: int, data: Any, errors: Any = None, files: Any = None) -> str:
    """One step of a form as the page renders it."""
    from django.template import Context, Template

    from rathaus.forms.rendering import StepBinder

    template = Template('{% for el in elements %}{% include "forms/_element.html" %}{% endfor %}')
    elements = StepBinder(spec, index, data, errors, files).bind()
    return template.render(Context({"elements": elements}))


def resubmit(spec: Any, data: Any) -> dict:
    """Render every step with the data and read the rendered forms back, as a browser would."""
    result: dict = {key: value for key, value in data.items() if key == "evidence"}
    for index in range(len(spec.steps)):
        html = render_step(spec, index, data)
        result = spec.read_step(index, as_querydict(form_fields(html)), result)
    return result


# --- the checkout is self-contained ------------------------------------------------------------


class OutsideReads:
    """Records every file or folder opened beside the checkout (a ``shared`` folder next to it, or any other).

    The repository must work for someone who clones it alone, so nothing may read what happens
    to lie next to the checkout. Python's audit hooks see every ``open`` (also of imported
    modules), ``os.listdir`` and ``os.scandir``. The temporary directory is allowed even when it
    lies beside the checkout.
    """

    EVENTS = frozenset({"open", "os.listdir", "os.scandir"})

    def __init__(self, root: Path) -> None:
        import tempfile

        self.root = os.path.abspath(root)
        self.parent = os.path.dirname(self.root)
        self.temp = os.path.abspath(tempfile.gettempdir())
        self.found: list[str] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if event not in self.EVENTS or not args:
            return
        path = args[0]
        if path is None or isinstance(path, int):
            return
        try:
            name = os.path.abspath(os.fsdecode(path))
        except (TypeError, ValueError):
            return
        if self.outside(name):
            self.found.append(name)

    def outside(self, name: str) -> bool:
        def below(path: str, folder: str) -> bool:
            return path == folder or path.startswith(folder + os.sep)

        if not below(name, self.parent) or below(name, self.root):
            return False
        # Temporary files are fine even where the temporary directory lies beside the checkout
        # (a checkout in /tmp, or at the top of the file system).
        return not (below(self.temp, self.parent) and below(name, self.temp))

    def take(self) -> list[str]:
        found, self.found = self.found, []
        return found


# --- appointments ----------------------------------------------------------------------------

MONDAY = dt.date(2025, 10, 27)  # the week of Reformationstag (Friday, 31 October 2025)


def berlin(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


@dataclass
class Office:
    location: Location
    kind: AppointmentType  # 20 minutes + 10 buffer: a slot every 30 minutes
    short: AppointmentType  # 10 minutes, no buffer, same desks
    desk_a: Resource
    desk_b: Resource


def make_authority(slug: str = "testort") -> Authority:
    return Authority.objects.create(
        slug=slug, name=f"Gemeinde {slug}", kind=Authority.Kind.GEMEINDE, ags="15083040",
        ars=f"1508{abs(hash(slug)) % 10**8:08d}",
    )  # fmt: skip


def make_office(authority: Authority | None = None) -> Office:
    """Two desks, Monday to Friday 9–12; desk A also Tuesday 13–15."""
    location = Location.objects.create(
        authority=authority or make_authority(), slug="amt", name="Amt",
        booking_horizon_days=30, min_lead_minutes=60,
    )  # fmt: skip
    kind = AppointmentType.objects.create(
        location=location, slug="ausweis", name="Ausweis", duration_minutes=20, buffer_minutes=10,
        max_active_per_person=2,
    )  # fmt: skip
    short = AppointmentType.objects.create(
        location=location, slug="kurz", name="Kurz", duration_minutes=10, buffer_minutes=0
    )
    desks = []
    for name in ("A", "B"):
        desk = Resource.objects.create(location=location, name=name)
        desk.appointment_types.add(kind, short)
        for weekday in range(5):
            OpeningHours.objects.create(
                resource=desk, weekday=weekday, start=dt.time(9), end=dt.time(12)
            )
        desks.append(desk)
    OpeningHours.objects.create(resource=desks[0], weekday=1, start=dt.time(13), end=dt.time(15))
    return Office(location, kind, short, desks[0], desks[1])


def run_gated(commands: list[list[str]], gate: Path, env: dict[str, str] | None = None) -> list:
    """Start client processes, wait until each prints "ready", open the gate, and return the
    concatenation of the JSON lists they print last (each must exit 0)."""
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for command in commands
    ]
    for process in processes:
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            pytest.fail(f"client did not start: {line} {process.communicate(timeout=30)}")
    gate.touch()
    results: list = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        results.extend(json.loads(out.strip().splitlines()[-1]))
    return results


def run_clients(script: str, argument_lists: list[list[str]]) -> list[str]:
    """Start one process per argument list with ``script GATE *arguments``; each prints
    ``ready`` once its threads wait at the gate, and a JSON list of outcomes at the end. The
    gate opens when all are ready; the outcomes of all processes are returned."""
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        gate = Path(directory) / "go"
        commands = [[sys.executable, "-c", script, str(gate), *arguments]
                    for arguments in argument_lists]  # fmt: skip
        return run_gated(commands, gate, database_env())


def run_in_threads(*calls: Callable[[], object], together: bool = False) -> list[BaseException]:
    """Run each call in a thread of its own and wait for all; return what they raised.

    Each thread closes its database connections when done. With ``together`` the calls wait
    at a barrier first, so that they start at the same moment and race for real."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls)) if together else None

    def run(call: Callable[[], object]) -> None:
        try:
            if barrier is not None:
                barrier.wait()
            call()
        except BaseException as exc:  # reported to the test, which asserts on them
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


WORDS = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]
APPOINTMENT_EMAIL = "erika.muster@example.org"


def person_check(html: str) -> dict[str, str]:
    """Answer the arithmetic question the page asks people without JavaScript."""
    token = re.search(r'name="question_token" value="([^"]+)"', html).group(1)
    a, b = re.search(r"Wie viel ist (\w+) plus (\w+)\?", html).groups()
    return {"question_token": token, "question_answer": str(WORDS.index(a) + WORDS.index(b))}


def details_url(kind: AppointmentType, start: dt.datetime) -> str:
    local = start.astimezone(TZ)
    return reverse(
        "appointments:details",
        args=[kind.location.slug, kind.pk, f"{local:%Y-%m-%d}", f"{local:%H%M}"],
    )


def reserve(
    client: Client, kind: AppointmentType, start: dt.datetime, email: str = APPOINTMENT_EMAIL
):
    url = details_url(kind, start)
    page = client.get(url)
    assert page.status_code == 200
    data = {"name": "Erika Muster", "email": email, "phone": "", **person_check(page.text)}
    return client.post(url, data)


def link(email: OutgoingEmail, pattern: str) -> str:
    return re.search(rf"http://testserver(/termine/\S+/{pattern})", email.text_body).group(1)


APPOINTMENTS_API = "/api/v1/appointments"


def solved(client) -> str:
    challenge = client.get(f"{APPOINTMENTS_API}/challenge").json()
    solution = solve_challenge(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxnumber"], 0
    )
    payload = {
        "algorithm": challenge["algorithm"], "challenge": challenge["challenge"],
        "number": solution.number, "salt": challenge["salt"], "signature": challenge["signature"],
    }  # fmt: skip
    return base64.b64encode(json.dumps(payload).encode()).decode()


def api_post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def token_from_mail(email: str) -> str:
    text = OutgoingEmail.objects.filter(to=email).latest("id").text_body
    return re.search(r"/termine/([\w-]+)/bestaetigen/", text).group(1)


HEALTH_TOKEN = "health-token-of-the-tests-0123456789"


def health_details(client: Client, path: str = "/health") -> Any:
    """The detailed health answer, as a monitor with RATHAUS_HEALTH_TOKEN gets it."""
    from django.test import override_settings

    with override_settings(RATHAUS_HEALTH_TOKEN=HEALTH_TOKEN):
        return client.get(path, headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})


# --- A SAML 2.0 identity provider (pysaml2) on 127.0.0.1, for the BundID login tests ---

SAML_BPK2 = "urn:oid:1.3.6.1.4.1.25484.494450.3"
SAML_PERSON = {
    SAML_BPK2: ["bPK2-Erika-4711"],
    "urn:oid:2.5.4.42": ["Erika"],
    "urn:oid:2.5.4.4": ["Mustermann"],
    "urn:oid:0.9.2342.19200300.100.1.3": ["erika.mustermann@example.org"],
}
SAML_SIG = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SAML_DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"


def saml_key_pair(directory: Path, name: str) -> tuple[str, str]:
    """A new RSA key and a self-signed certificate for it, as PEM files; their paths."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"rathaus test {name}")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


def saml_certificate_base64(cert_path: str) -> str:
    pem = Path(cert_path).read_text()
    return "".join(line for line in pem.splitlines() if "-----" not in line)


class SamlIdentityProvider:
    """pysaml2's IdP over HTTP, and the ways a test can make it misbehave."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.key_file, self.cert_file = saml_key_pair(directory, "idp")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.entity_id = f"{self.base}/idp/metadata"
        self.metadata_file = directory / "idp-metadata.xml"
        self.metadata_file.write_text(self._metadata())
        self.idp: Any = None
        # What the next answer looks like; tests change these.
        self.identity: dict[str, list[str]] = dict(SAML_PERSON)
        self.level = "STORK-QAA-Level-3"
        self.encrypt = True
        self.sign_assertion = True
        self.signing_key_file = self.key_file
        self.status: tuple[str, str] | None = None
        self.in_response_to: str | None = None
        self.requests: list[Any] = []
        self.sp_key, self.sp_cert = saml_key_pair(directory, "sp")  # for the portal's settings

    def _config(self, sp_metadata: str | None) -> Any:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT

        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(f"{self.base}/sso", BINDING_HTTP_REDIRECT)]
                        },
                        "want_authn_requests_signed": True,
                        "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                    }
                },
            }
        )
        return config

    def _metadata(self) -> str:
        from saml2.metadata import create_metadata_string

        document = create_metadata_string("", config=self._config(None), sign=False)
        return document.decode() if isinstance(document, bytes) else document

    def trust(self, sp_metadata: str) -> None:
        """Know the service provider from its published metadata (its keys and ACS)."""
        from saml2.server import Server

        self.idp = Server(config=self._config(sp_metadata))

    def answer(self, query: dict[str, str]) -> str:
        """The HTML page with the POST form, for a redirect-binding AuthnRequest."""
        from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
        from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID
        from saml2.server import Server

        request = self.idp.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        self.requests.append(request)
        message = request.message
        destination = message.assertion_consumer_service_url
        in_response_to = self.in_response_to or message.id
        if self.status is not None:
            response = self.idp.create_error_response(
                in_response_to,
                destination,
                self.status,
                sign=True,
                sign_alg=SAML_SIG,
                digest_alg=SAML_DIGEST,
            )
        else:
            signer = self.idp
            if self.signing_key_file != self.key_file:
                config = self._config(None)
                config.key_file = self.signing_key_file
                signer = Server(config=config)
                signer.metadata = self.idp.metadata
            response = signer.create_authn_response(
                self.identity,
                in_response_to,
                destination,
                message.issuer.text,
                name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text="transient-1"),
                authn={"class_ref": self.level, "authn_auth": self.entity_id},
                sign_assertion=self.sign_assertion,
                sign_response=False,
                encrypt_assertion=self.encrypt,
                encrypt_assertion_self_contained=True,
                encrypt_cert_assertion=None,
                sign_alg=SAML_SIG,
                digest_alg=SAML_DIGEST,
            )
        binding = self.idp.apply_binding(
            BINDING_HTTP_POST, str(response), destination, query.get("RelayState", ""),
            response=True,
        )  # fmt: skip
        # pysaml2's page has neither language nor title; the browser tests hold every page
        # they visit to WCAG, this one too.
        page = str(binding["data"]).replace("<html>", '<html lang="en">', 1)
        return page.replace("<head>", "<head>\n    <title>Test IdP</title>", 1)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: str, content_type: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/idp/metadata":
                    self._send(200, provider.metadata_file.read_text(), "application/xml")
                    return
                if url.path != "/sso":
                    self._send(404, "not found", "text/plain")
                    return
                query = {name: values[0] for name, values in parse_qs(url.query).items()}
                try:
                    page = provider.answer(query)
                except Exception as error:  # the IdP refuses what it cannot verify
                    self._send(400, f"refused: {type(error).__name__}: {error}", "text/plain")
                    return
                self._send(200, page, "text/html")

        return Handler


def saml_form_fields(page: str) -> tuple[str, dict[str, str]]:
    """The action and the hidden fields of the form on an HTML page that carries a SAML answer."""
    forms = re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.DOTALL)
    form = next(form for form in forms if 'name="SAMLResponse"' in form)
    action = html.unescape(re.search(r'action="([^"]*)"', form).group(1))  # type: ignore[union-attr]
    return action, dict(form_fields(form))


def require_xmlsec1() -> None:
    """Fail (not skip) the SAML tests with a clear message when xmlsec1 is missing."""
    if shutil.which("xmlsec1") is None:
        pytest.fail(
            "The SAML login needs the xmlsec1 program (Debian/Ubuntu: apt-get install xmlsec1); "
            "it is not on PATH, so these tests cannot run."
        )


@contextlib.contextmanager
def running_saml_identity_provider(
    settings: Any, directory: Path
) -> Iterator[SamlIdentityProvider]:
    """Start the identity provider and point the SAML settings at it, with a new key pair of
    the portal; the caller lets it ``trust`` the portal's metadata once the portal serves it."""
    require_xmlsec1()
    provider = SamlIdentityProvider(directory)
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    settings.RATHAUS_SAML_IDP_METADATA = str(provider.metadata_file)
    settings.RATHAUS_SAML_SP_KEY = provider.sp_key
    settings.RATHAUS_SAML_SP_CERT = provider.sp_cert
    settings.RATHAUS_SAML_SP_ENTITY_ID = ""
    settings.RATHAUS_SAML_REQUIRE_ENCRYPTED = True
    try:
        yield provider
    finally:
        provider.server.shutdown()
        provider.server.server_close()
        thread.join(timeout=5)


def assert_first_external_login(
    client: Client, *, provider: str, issuer: str, subject: str
) -> Account:
    """After a first login through an identity service (Erika Mustermann, substantial): the
    account page names her and the service, a verified person account without a password
    belongs to the identity, and the login is audited with the provider and the level."""
    home = client.get("/konto/").content.decode()
    assert "Erika Mustermann" in home
    assert "erika.mustermann@example.org" in home
    assert "über einen Identitätsdienst (Vertrauensniveau: substantiell)" in home
    identity = ExternalIdentity.objects.get()
    assert (identity.provider, identity.subject) == (issuer, subject)
    account = identity.account
    assert account.kind == Account.Kind.PERSON
    assert account.email_verified_at is not None
    assert not account.user.has_usable_password()
    login = AuditEvent.objects.filter(action="account.login").last()
    assert login is not None
    assert login.details == {"provider": provider, "trust_level": "substantial"}
    return account


# --- queued tasks ----------------------------------------------------------------------------


def run_queued(*task_paths: str, rounds: int = 10) -> list[str]:
    """Run the waiting tasks of these types in this process, as a worker would, until none is
    left (a task may queue another); the results, in order."""
    from django_tasks_db.models import DBTaskResult

    results = []
    for _round in range(rounds):
        rows = list(
            DBTaskResult.objects.ready().filter(task_path__in=task_paths).order_by("enqueued_at")
        )
        if not rows:
            return results
        for row in rows:
            row.claim("in-test")
            result = row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
            row.set_successful(result)
            results.append(result)
    raise AssertionError(f"tasks still queued after {rounds} rounds")


# --- the SensorThings API: writing ----------------------------------------------------------


def sta_write_key(role: str | None = "Sensordaten", **user: Any) -> str:
    """An API key of a staff member with ``role`` (None: no role), as the SensorThings API
    takes it for writing."""
    from rathaus.core import api_tokens, roles
    from tests.factories import MembershipFactory, UserFactory

    person = UserFactory(is_staff=True, **user)
    if role is not None:
        MembershipFactory(user=person, role=roles.role(role))
    return api_tokens.create(person, "Sensoren", 30).key


class StaWriter:
    """A client that sends JSON to /sta/v1.1/… with a staff API key."""

    def __init__(self, key: str | None) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = Client(headers=headers)

    def send(self, method: str, path: str, body: Any = None, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        call = getattr(self.client, method.lower())
        return call(f"/sta/v1.1/{path}", data=data, content_type="application/json")

    def post(self, path: str, body: Any) -> Any:
        return self.send("POST", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("PATCH", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.send("PUT", path, body)

    def delete(self, path: str) -> Any:
        return self.send("DELETE", path)


def load_demo(request: pytest.FixtureRequest) -> None:
    """Load the Barleben demo as `rathaus demo-data` does.

    Its generated sensor series hold only their newest hour unless the test is marked
    ``sensor_history``: four weeks of hourly values with their aggregates cost most of a second,
    and hundreds of tests load the demo for other reasons.
    """
    from unittest import mock

    from rathaus.core import demo
    from rathaus.opendata import demo as sensor_demo

    # tests/catalog's barleben_catalogue is the demo as `rathaus demo-data` loads it
    full = request.node.get_closest_marker("sensor_history") or "barleben_catalogue" in getattr(
        request.node, "fixturenames", ()
    )
    weeks = sensor_demo.WEEKS if full else 0
    with mock.patch.object(sensor_demo, "WEEKS", weeks):
        demo.load()


@contextlib.contextmanager
def fresh_instance(home: Path) -> Iterator[dict[str, str]]:
    """The environment of a new, empty instance: its own data directory and a new database."""
    env = dict(os.environ)
    env.pop("RATHAUS_DATABASE_URL", None)
    env["RATHAUS_DATA_DIR"] = str(home)
    env["RATHAUS_AUDIT_CHECKPOINT_FILE"] = str(home / "audit-checkpoints.jsonl")
    if connection.vendor == "sqlite":
        yield env
        return
    name = f"rathaus_fresh_{uuid.uuid4().hex[:10]}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    settings = connection.settings_dict
    env["RATHAUS_DATABASE_URL"] = (
        f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"
    )
    try:
        yield env
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
