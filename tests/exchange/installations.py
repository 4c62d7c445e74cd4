"""Two real rathaus installations on this machine, connected by the exchange (ADR 0055).

``two_installations()`` sets up Barleben (the sender) and "Landkreis Börde elsewhere" (the
receiver), each with its own data directory, its own database (a SQLite file, or a database of
its own on the test run's PostgreSQL server), its own exchange keys, its own web server
(``rathaus serve``) and task worker, on free ports of 127.0.0.1. Everything is torn down
afterwards: processes, databases, directories.

- The **receiver** knows the Landkreis with its Versammlungsbehörde, offers the service (LeiKa
  99089016000000) with a form for it, owns a destination for that service in the Landkreis's
  area (ARS 15083) and has a sender entry for Barleben (its token goes to the sender).
- The **sender** knows Barleben with a unit and the Landkreis *without* a unit, so routing puts a
  submission for the service into the outbox; its destination points to the receiver's exchange
  API with the token.

The set-up loads only what the exchange needs (no demo data). The same functions run inside
each installation (``set_up_sender``, ``set_up_receiver``: called through ``Installation.django``)
and are used by ``bench/exchange.py``. This module needs no pytest: failures raise
:class:`InstallationError` with the servers' logs.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent

SENDER_AUTHORITY = "barleben"
RECEIVER_AUTHORITY = "landkreis-boerde"
RECEIVER_UNIT = "versammlungsbehoerde"
SENDER_UNIT = "ordnungsamt"
LEIKA_KEY = "99089016000000"  # Versammlungsanzeige
LANDKREIS_ARS = "15083"
FORM_SLUG = "versammlung-zweiter-server"
CITIZEN_EMAIL = "kim.beispiel@example.org"
CITIZEN_PASSWORD = "ein langer satz als passwort"
CLERK = "versammlung"  # the receiver's clerk of the Versammlungsbehörde
ADMIN = "digitales"  # the sender's administrator (the outbox)
KEY_SIZE = 2048  # 4096 in production; slow to make in tests

# Variables of the caller that would make both installations share something.
OWN_VARIABLES = (
    "RATHAUS_DATABASE_URL", "RATHAUS_DATA_DIR", "RATHAUS_AUDIT_CHECKPOINT_FILE",
    "RATHAUS_EXCHANGE_KEY_FILE", "RATHAUS_PORT", "RATHAUS_PUBLIC_URL",
    "RATHAUS_DEFAULT_AUTHORITY", "DJANGO_SETTINGS_MODULE",
)  # fmt: skip

# A small form for the service, installed on both sides with the same schema: an address with
# a postal code (routing goes by it), a date, a text and a file (its hash travels along).
FORM_PACKAGE: dict[str, Any] = {
    "slug": FORM_SLUG,
    "title": "Versammlung anzeigen",
    "leika_key": LEIKA_KEY,
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "topic": {"type": "string", "minLength": 1, "maxLength": 200},
            "date": {"type": "string", "format": "date"},
            "organiser": {"type": "string", "minLength": 1, "maxLength": 100},
            "address": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "street": {"type": "string", "minLength": 1, "maxLength": 200},
                    "postal_code": {"type": "string", "format": "postal-code-de"},
                    "place": {"type": "string", "minLength": 1, "maxLength": 100},
                },
                "required": ["street", "postal_code", "place"],
            },
            "plan": {"type": "array", "maxItems": 1, "items": {"type": "string",
                                                               "format": "upload"}},
        },
        "required": ["topic", "date", "organiser", "address"],
    },
    "layout": {
        "steps": [
            {
                "id": "versammlung",
                "title": "Versammlung",
                "elements": [
                    {"field": "topic", "widget": "text", "label": "Thema"},
                    {"field": "date", "widget": "date", "label": "Datum"},
                    {"field": "organiser", "widget": "text", "label": "Veranstalter"},
                    {"field": "address", "widget": "address", "label": "Anschrift"},
                    {"field": "plan", "widget": "file", "label": "Lageplan",
                     "accept": ["application/pdf", "image/png"], "max_size": 1048576},
                ],
            }
        ]
    },
}  # fmt: skip


class InstallationError(RuntimeError):
    """Setting up or running an installation failed; the message carries the logs."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- one installation ------------------------------------------------------------------------


@dataclass
class Installation:
    """One rathaus installation: a directory, a database, a web server and a worker."""

    name: str
    authority: str
    directory: Path
    env: dict[str, str]
    port: int
    extra_server_env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def exchange_url(self) -> str:
        return f"{self.base_url}/api/v1/exchange"

    @property
    def key_file(self) -> Path:
        return Path(self.env["RATHAUS_EXCHANGE_KEY_FILE"])

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _log(self, what: str) -> Path:
        return self.directory / f"{what}.log"

    def logs(self, limit: int = 6000) -> str:
        parts = []
        for what in ("setup", "server", "worker"):
            path = self._log(what)
            if path.exists():
                text = path.read_text(errors="replace")
                parts.append(f"--- {self.name}: {what} ({path}) ---\n{text[-limit:]}")
        return "\n".join(parts)

    def fail(self, message: str) -> InstallationError:
        return InstallationError(f"{self.name}: {message}\n{self.logs()}")

    # commands

    def rathaus(self, *args: str, timeout: float = 300, check: bool = True
                ) -> subprocess.CompletedProcess[str]:  # fmt: skip
        """Run a ``rathaus`` command of this installation, as its operator would."""
        result = subprocess.run(
            [sys.executable, "-m", "rathaus", *args], cwd=ROOT, env=self.env, text=True,
            capture_output=True, timeout=timeout, check=False,
        )  # fmt: skip
        with self._log("setup").open("a") as log:
            log.write(f"$ rathaus {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        if check and result.returncode != 0:
            raise self.fail(f"rathaus {' '.join(args)} failed ({result.returncode})")
        return result

    def django(self, code: str, timeout: float = 300) -> Any:
        """Run Python code inside this installation (its settings and database); the code sets
        ``result``, which comes back through JSON."""
        runner = (
            "import json, sys, django\ndjango.setup()\nspace = {}\n"
            "exec(sys.argv[1], space)\nprint('\\n' + json.dumps(space.get('result'), default=str))"
        )
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "rathaus.settings"}
        result = subprocess.run([sys.executable, "-c", runner, code], cwd=ROOT, env=env, text=True,
                                capture_output=True, timeout=timeout, check=False)  # fmt: skip
        if result.returncode != 0:
            with self._log("setup").open("a") as log:
                log.write(f"$ django code\n{code}\n{result.stdout}{result.stderr}\n")
            raise self.fail(f"code failed ({result.returncode}):\n{code}\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    # processes

    def start_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            return
        with self._log("server").open("ab") as log:
            command = [sys.executable, "-m", "rathaus", "serve", "--port", str(self.port),
                       "--workers", "2"]  # fmt: skip
            self.server = subprocess.Popen(
                command, cwd=ROOT, env={**self.env, **self.extra_server_env}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def start_worker(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            return
        # As tests.support.start_worker, but into a log file (a pipe nobody reads fills up).
        command = [sys.executable, "-m", "rathaus", "worker", "--queue-name", "*", "--interval",
                   "0.2", "--no-startup-delay"]  # fmt: skip
        with self._log("worker").open("ab") as log:
            self.worker = subprocess.Popen(
                command, cwd=ROOT, env={**self.env, **self.extra_server_env}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def stop_server(self) -> None:
        _stop(self.server)
        self.server = None
        deadline = time.monotonic() + 30
        while _listening(self.port):
            if time.monotonic() > deadline:
                raise self.fail("the web server still listens after it was stopped")
            time.sleep(0.1)

    def stop_worker(self) -> None:
        _stop(self.worker)
        self.worker = None

    def stop(self) -> None:
        with contextlib.suppress(InstallationError):
            self.stop_server()
        self.stop_worker()

    def wait_until_healthy(self, timeout: float = 120) -> None:
        """Until /health answers 200: the web server answers and the worker is alive."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url("/health"), timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                pass
            for process, what in ((self.server, "web server"), (self.worker, "worker")):
                if process is not None and process.poll() is not None:
                    raise self.fail(f"the {what} exited ({process.returncode})")
            if time.monotonic() > deadline:
                raise self.fail(f"/health did not answer 200 within {timeout} s")
            time.sleep(0.3)

    def wait_until_serving(self, timeout: float = 60) -> None:
        """Until the web server answers (any status), without waiting for the worker."""
        deadline = time.monotonic() + timeout
        while not _answers(self.url("/api/v1/version")):
            if self.server is not None and self.server.poll() is not None:
                raise self.fail(f"the web server exited ({self.server.returncode})")
            if time.monotonic() > deadline:
                raise self.fail(f"the web server did not answer within {timeout} s")
            time.sleep(0.2)

    # HTTP

    def browser(self) -> Browser:
        return Browser(self)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


class Browser:
    """Requests to one installation with a cookie jar (a person's session), CSRF handled."""

    def __init__(self, installation: Installation) -> None:
        self.installation = installation
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def _csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "") or ""

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:  # fmt: skip
        url = path if path.startswith("http") else self.installation.url(path)
        sent = {"X-CSRFToken": self._csrf(), **(headers or {})}
        request = urllib.request.Request(url, data=body, method=method, headers=sent)
        try:
            with self.opener.open(request, timeout=60) as answer:
                return Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post_json(self, path: str, data: Any, headers: dict[str, str] | None = None) -> Response:
        return self.request("POST", path, json.dumps(data).encode(),
                            {"Content-Type": "application/json", **(headers or {})})  # fmt: skip

    def put(self, path: str, body: bytes, content_type: str,
            headers: dict[str, str] | None = None) -> Response:  # fmt: skip
        return self.request("PUT", path, body, {"Content-Type": content_type, **(headers or {})})

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        data = {**fields, "csrfmiddlewaretoken": token.group(1) if token else ""}
        return self.request("POST", path, urllib.parse.urlencode(data).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip

    def upload(self, path: str, fields: dict[str, str], name: str, content: bytes,
               content_type: str) -> Response:  # fmt: skip
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            .encode() for key, value in fields.items()
        ]  # fmt: skip
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body,
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})  # fmt: skip

    def log_in_as_citizen(self) -> None:
        answer = self.post_form("/konto/anmelden/", {"email": CITIZEN_EMAIL,
                                                     "password": CITIZEN_PASSWORD})  # fmt: skip
        if answer.status != 302:
            raise self.installation.fail(f"citizen log-in answered {answer.status}")

    def log_in_as_staff(self, username: str) -> None:
        from django_otp.oath import totp

        from rathaus.core.demo import DEMO_PASSWORD

        answer = self.post_form("/verwaltung/anmelden/", {"username": username,
                                                          "password": DEMO_PASSWORD})  # fmt: skip
        if answer.status != 302:
            raise self.installation.fail(f"staff log-in of {username} answered {answer.status}")
        code = f"{totp(bytes.fromhex(totp_key(username))):06d}"
        answer = self.post_form("/verwaltung/anmelden/code/", {"token": code})
        if answer.status != 302:
            raise self.installation.fail(f"the code of {username} answered {answer.status}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# --- databases -------------------------------------------------------------------------------


@dataclass
class PostgresServer:
    """The test run's PostgreSQL server, on which each installation gets a database."""

    host: str
    port: str
    user: str

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(dbname="postgres", autocommit=True, host=self.host,
                               port=self.port, user=self.user)  # fmt: skip

    def create(self, name: str) -> str:
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://{self.user}@{self.host}:{self.port}/{name}"

    def drop(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the pair --------------------------------------------------------------------------------


@dataclass
class Pair:
    sender: Installation
    receiver: Installation
    destination_id: str
    sender_token: str
    form_slug: str = FORM_SLUG

    @property
    def installations(self) -> tuple[Installation, Installation]:
        return (self.sender, self.receiver)

    def logs(self) -> str:
        return "\n".join(installation.logs() for installation in self.installations)


def _installation(name: str, authority: str, directory: Path, database_url: str | None,
                  extra_env: dict[str, str]) -> Installation:  # fmt: skip
    directory.mkdir(parents=True)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in OWN_VARIABLES}
    env.update(
        RATHAUS_DATA_DIR=str(directory / "data"),
        RATHAUS_EXCHANGE_KEY_FILE=str(directory / "exchange-keys.json"),
        RATHAUS_DEFAULT_AUTHORITY=authority,
        RATHAUS_PORT=str(port),
        RATHAUS_PUBLIC_URL=f"http://127.0.0.1:{port}",
        RATHAUS_LOG_LEVEL="INFO",
        RATHAUS_EMAIL_URL="outbox",
    )
    if database_url:
        env["RATHAUS_DATABASE_URL"] = database_url
    env.update(extra_env)
    return Installation(name, authority, directory, env, port)


def _migrate(installations: tuple[Installation, ...]) -> None:
    """``rathaus migrate`` of every installation, side by side."""
    running = []
    for installation in installations:
        log = installation._log("setup").open("ab")
        command = [sys.executable, "-m", "rathaus", "migrate", "--noinput"]
        running.append(
            (
                installation,
                log,
                subprocess.Popen(
                    command, cwd=ROOT, env=installation.env, stdout=log, stderr=subprocess.STDOUT
                ),
            )
        )
    for installation, log, process in running:
        code = process.wait(timeout=600)
        log.close()
        if code != 0:
            raise installation.fail(f"rathaus migrate failed ({code})")


@contextlib.contextmanager
def two_installations(
    postgres: PostgresServer | None = None,
    extra_env: dict[str, str] | None = None,
    on_failure: Callable[[str], None] | None = None,
) -> Iterator[Pair]:
    """Barleben (sender) and the Landkreis elsewhere (receiver), running; torn down afterwards.

    ``extra_env`` goes to both installations (short retry intervals for tests); ``on_failure``
    receives the logs when set-up or the body raised.
    """
    top = Path(tempfile.mkdtemp(prefix="rathaus-two-"))
    label = uuid.uuid4().hex[:10]
    databases: list[str] = []
    installations: list[Installation] = []
    try:
        for name, authority in (("barleben", SENDER_AUTHORITY), ("landkreis", RECEIVER_AUTHORITY)):
            url = None
            if postgres is not None:
                database = f"rathaus_two_{label}_{name}"
                url = postgres.create(database)
                databases.append(database)
            installations.append(_installation(name, authority, top / name, url, extra_env or {}))
        sender, receiver = installations
        _migrate((sender, receiver))
        receiver.django("from tests.exchange.installations import set_up_receiver\n"
                        "result = set_up_receiver()")  # fmt: skip
        sender.django("from tests.exchange.installations import set_up_sender\n"
                      "result = set_up_sender()")  # fmt: skip
        destination_id, token = connect(sender, receiver)
        sender.start_server()
        sender.start_worker()
        sender.wait_until_healthy()
        yield Pair(sender, receiver, destination_id, token)
    except BaseException:
        if on_failure is not None:
            on_failure("\n".join(installation.logs() for installation in installations))
        raise
    finally:
        for installation in installations:
            installation.stop()
        for database in databases:
            with contextlib.suppress(Exception):
                postgres.drop(database)  # type: ignore[union-attr]
        shutil.rmtree(top, ignore_errors=True)


def connect(sender: Installation, receiver: Installation) -> tuple[str, str]:
    """The operator's commands that connect the two (docs/exchange-testing.md); starts the
    receiver, whose exchange API the sender asks for the destination's keys and route."""
    for installation in (sender, receiver):
        installation.rathaus("exchange-keys", "--size", str(KEY_SIZE))
    destination_id = receiver.rathaus(
        "exchange-own", "add", "--authority", RECEIVER_AUTHORITY, "--unit", RECEIVER_UNIT,
        "--leika", LEIKA_KEY, "--ars", LANDKREIS_ARS,
    ).stdout.strip()  # fmt: skip
    token = receiver.rathaus("exchange-own", "sender", "--name", "Gemeinde Barleben").stdout
    receiver.start_server()
    receiver.start_worker()
    receiver.wait_until_healthy()
    sender.rathaus(
        "exchange-destination", "add", "--url", receiver.exchange_url, "--destination-id",
        destination_id, "--authority", RECEIVER_AUTHORITY, f"--token={token.strip()}",
        "--leika", LEIKA_KEY, "--ars", LANDKREIS_ARS,
    )  # fmt: skip
    return destination_id, token.strip()


# --- set-up inside an installation (run through Installation.django) ------------------------


def _authorities(unit: str) -> dict[str, Any]:
    from rathaus.core import demo
    from rathaus.core.models import Authority, Locality, OrgUnit

    made: dict[str, Any] = {}
    for spec in demo.AUTHORITIES:
        values = {k: v for k, v in spec.items() if k not in {"slug", "hosts", "parent"}}
        values["parent"] = made.get(spec["parent"]) if spec["parent"] else None
        made[spec["slug"]] = Authority.objects.create(slug=spec["slug"], **values)
    for slug, name, postal_code in demo.LOCALITIES:
        Locality.objects.create(authority=made[slug], name=name, postal_code=postal_code)
    for spec in demo.UNITS:
        if spec["slug"] == unit:
            values = {k: v for k, v in spec.items() if k not in {"authority", "slug", "parent"}}
            OrgUnit.objects.create(authority=made[spec["authority"]], slug=spec["slug"], **values)
    return made


def _service_and_offer(authority: Any, unit_slug: str) -> Any:
    from rathaus.catalog import services
    from rathaus.catalog.importer import SAMPLE, import_catalog
    from rathaus.catalog.models import Service
    from rathaus.core.models import OrgUnit

    import_catalog(SAMPLE.read_bytes())
    service = Service.objects.get(leika_key=LEIKA_KEY)
    unit = OrgUnit.objects.get(authority=authority, slug=unit_slug)
    services.save_offer(authority, service, {"org_unit": unit, "description": "Versammlung"})
    return service


def _install_form(authority: Any) -> None:
    from rathaus.forms import packages

    packages.install(FORM_PACKAGE, authority=authority)


def set_up_receiver() -> str:
    """The Landkreis elsewhere: its Versammlungsbehörde with a clerk, the service offered there
    with the form (its destination and sender come from the commands, see :func:`connect`)."""
    from django.db import transaction

    from rathaus.core import roles
    from rathaus.core.models import OrgUnit

    with transaction.atomic():
        landkreis = _authorities(RECEIVER_UNIT)[RECEIVER_AUTHORITY]
        _service_and_offer(landkreis, RECEIVER_UNIT)
        _install_form(landkreis)
        _staff(OrgUnit.objects.get(authority=landkreis, slug=RECEIVER_UNIT), CLERK, roles.CLERK)
    return "ok"


def totp_key(username: str) -> str:
    """The hex key of a staff member's authenticator (known, so tests can make the codes)."""
    import hashlib

    return hashlib.sha1(f"rathaus-two:{username}".encode()).hexdigest()  # noqa: S324


def _staff(unit: Any, username: str, role: str, superuser: bool = False) -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rathaus.core import roles
    from rathaus.core.demo import DEMO_PASSWORD
    from rathaus.core.models import Membership

    user = get_user_model().objects.create_user(
        username=username, password=DEMO_PASSWORD, first_name="Paul", last_name="Exempel",
        email=f"{username}@example.org", is_staff=True, is_superuser=superuser,
    )  # fmt: skip
    TOTPDevice.objects.create(user=user, name="Test", confirmed=True, key=totp_key(username))
    Membership.objects.create(user=user, org_unit=unit, role=roles.role(role))


def set_up_sender() -> str:
    """Barleben: a unit with an administrator, the service offered with the form, the Landkreis
    as responsible for its area (and without a unit here), a citizen."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from rathaus.accounts.models import Account
    from rathaus.catalog.models import Responsibility
    from rathaus.core import roles
    from rathaus.core.models import OrgUnit

    with transaction.atomic():
        made = _authorities(SENDER_UNIT)
        barleben, landkreis = made[SENDER_AUTHORITY], made[RECEIVER_AUTHORITY]
        service = _service_and_offer(barleben, SENDER_UNIT)
        Responsibility.objects.create(service=service, ars_prefix=LANDKREIS_ARS,
                                      authority=landkreis, org_unit=None)  # fmt: skip
        _install_form(barleben)
        _staff(OrgUnit.objects.get(authority=barleben), ADMIN, roles.ADMINISTRATOR, True)
        user = get_user_model().objects.create_user(
            username=CITIZEN_EMAIL, email=CITIZEN_EMAIL, password=CITIZEN_PASSWORD,
            first_name="Kim", last_name="Beispiel",
        )  # fmt: skip
        Account.objects.create(user=user, kind=Account.Kind.PERSON, street="Breiteweg 12",
                               postal_code="39179", city="Barleben",
                               email_verified_at=timezone.now())  # fmt: skip
    return "ok"
