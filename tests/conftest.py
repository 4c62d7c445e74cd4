from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import (
    CLAMD_STREAM_MAX_BYTES,
    EICAR,
    MELDEBESCHEINIGUNG,
    ROOT,
    SANDBOX_API_KEY,
    SANDBOX_FAST,
    SANDBOX_WEBHOOK_KEYS,
    OutsideReads,
    RedisServer,
    citizen_client,
    free_port,
    load_demo,
    running_payment_sandbox,
    submit,
)

# Installed before the test modules are imported, so their imports are watched too.
OUTSIDE_READS = OutsideReads(ROOT)
sys.addaudithook(OUTSIDE_READS)


@pytest.fixture(autouse=True)
def _nothing_read_beside_the_checkout() -> Iterator[None]:
    """Fail a test that (or whose imports or fixtures) opened a path beside the checkout."""
    earlier = OUTSIDE_READS.take()
    yield
    found = earlier + OUTSIDE_READS.take()
    if found:
        pytest.fail(
            "opened beside the checkout (copy the file into the repository, e.g. tests/data/): "
            + ", ".join(sorted(set(found))),
            pytrace=False,
        )


@pytest.fixture
def outside_reads() -> OutsideReads:
    """The watcher itself, for the test that checks it."""
    return OUTSIDE_READS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data every test database has: the postal code table (23,000 rows).

    Tests that flush the database lose it; the demo loader loads it again when it is missing.
    """
    from rathaus.core import geo

    with django_db_blocker.unblock():
        geo.load_postal_codes()
    yield
    DEMO_SNAPSHOT.release()  # before the test database goes


# --- the demo, loaded once for many tests ------------------------------------------------------
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests whose database is not one rolled-back transaction load the demo themselves.
TRANSACTIONAL_FIXTURES = {
    "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback",
}  # fmt: skip
# The demo's stored files are copied into the test's MEDIA_ROOT; a test whose stored files are
# elsewhere (an S3 bucket) loads the demo itself.
OWN_STORAGE_FIXTURES = {"file_storage", "s3_bucket"}
# Modules with a module- or session-scoped fixture that writes to the test database (and removes
# it afterwards) load the demo per test: an open demo transaction would swallow those writes.
WIDER_DATABASE_FIXTURES: set[str] = set()


def demo_weeks(item: pytest.Item) -> int | None:
    """The weeks of sensor history in the demo snapshot this test runs in; None: the test loads
    the demo itself (or needs none)."""
    names = set(getattr(item, "fixturenames", ()))
    if not names & {"barleben", "barleben_catalogue"}:
        return None
    if names & (TRANSACTIONAL_FIXTURES | OWN_STORAGE_FIXTURES) or item.nodeid.split("::")[0] in (
        WIDER_DATABASE_FIXTURES
    ):
        return None
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        any(marker.args)
        or any(marker.kwargs.get(flag) for flag in ("transaction", "reset_sequences",
                                                     "serialized_rollback"))
    ):  # fmt: skip
        return None
    from rathaus.opendata import demo as sensor_demo

    # barleben_catalogue loads the demo as `rathaus demo-data` does, with the sensor history
    full = item.get_closest_marker("sensor_history") or "barleben_catalogue" in names
    return sensor_demo.WEEKS if full else 0


class DemoSnapshot:
    """The Barleben demo, loaded once into an open transaction that the tests using it run in.

    Loading the demo costs about a second (more on PostgreSQL) and hundreds of tests use it. A
    test's own transaction (pytest-django's TestCase) is a savepoint inside this one and is
    rolled back after the test, so the next test sees the demo as loaded, as if it had loaded it
    itself. The demo transaction is rolled back before a test that does not use it, and the demo
    is loaded again when a test wants another sensor history or the hour changed (the generated
    sensor series end at the current hour). The settings are those every test has (the autouse
    fixtures here); the demo's stored files are copied into each test's MEDIA_ROOT.
    """

    def __init__(self) -> None:
        self.key: tuple[int, object] | None = None
        self.atomic: Any = None
        self.blocker: Any = None
        self.directory: Path | None = None
        self.item: pytest.Item | None = None

    def prepare(self, item: pytest.Item, blocker: Any) -> None:
        """Called as the test's database transaction is about to begin."""
        weeks = demo_weeks(item)
        if weeks is None:
            self.release()
            return
        from django.utils import timezone

        from rathaus.opendata import retention

        key = (weeks, retention.floor_hour(timezone.now()))
        if key != self.key:
            self.release()
            self._load(weeks, blocker)
            self.key = key
        self.item = item

    def serves(self, item: pytest.Item, media_root: Path) -> bool:
        """Whether the demo of this test is the snapshot's; if so, its files are in media_root."""
        if self.item is not item or self.directory is None:
            return False
        if (self.directory / "media").exists():
            shutil.copytree(self.directory / "media", media_root, dirs_exist_ok=True)
        return True

    def _load(self, weeks: int, blocker: Any) -> None:
        from unittest import mock

        from django.db import transaction
        from django.test import override_settings

        from rathaus.cases import register
        from rathaus.core import demo
        from rathaus.opendata import demo as sensor_demo

        self.blocker = blocker
        self.directory = Path(tempfile.mkdtemp(prefix="rathaus-demo-"))
        same_as_every_test = {
            "PASSWORD_HASHERS": FAST_HASHERS,
            "RATHAUS_PUBLIC_URL": "http://testserver",
            "RATHAUS_REGISTER_LOOKUP": "extract",
            "RATHAUS_REGISTER_EXTRACT": str(register.DEMO_EXTRACT),
            "RATHAUS_AUDIT_CHECKPOINT_FILE": self.directory / "audit-checkpoints.jsonl",
            "MEDIA_ROOT": self.directory / "media",
        }
        with blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                with (
                    override_settings(**same_as_every_test),
                    mock.patch.object(sensor_demo, "WEEKS", weeks),
                ):
                    demo.load()
            except BaseException:
                self.release()
                raise

    def release(self) -> None:
        """Roll the demo back (if loaded)."""
        self.item = None
        self.key = None
        atomic, self.atomic = self.atomic, None
        if atomic is not None:
            from django.db import connection, transaction

            with self.blocker.unblock():
                if connection.atomic_blocks[-1:] != [atomic]:
                    raise RuntimeError("a transaction inside the demo snapshot is still open")
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


DEMO_SNAPSHOT = DemoSnapshot()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        for name, definitions in info.name2fixturedefs.items() if info else ():
            definition = definitions[-1]
            if (
                definition.scope != "function"
                and name != "django_db_setup"
                and definition.func.__module__.startswith("tests.")  # not pytest-django's own
                and {"django_db_blocker", "django_db_setup"} & set(definition.argnames)
            ):
                WIDER_DATABASE_FIXTURES.add(item.nodeid.split("::")[0])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # `make test` selects by these marks; a run of its own (a test path, no -m) says why not
    on_postgresql = os.environ.get("RATHAUS_DATABASE_URL", "").startswith("postgres")
    if item.get_closest_marker("postgresql") and not on_postgresql:
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass (make unit-postgres)")
    if item.get_closest_marker("sqlite_pass") and on_postgresql:
        pytest.skip("covered by the SQLite pass for both databases")
    if demo_weeks(item) is None:
        DEMO_SNAPSHOT.release()  # before the test's own fixtures, wider ones included


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Any:
    if fixturedef.argname == "_django_db_helper":  # pytest-django's: begins the test's transaction
        DEMO_SNAPSHOT.prepare(request.node, request.getfixturevalue("django_db_blocker"))
    return (yield)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _portal_at_the_test_client(settings):
    """The portal of an authority without host names is RATHAUS_PUBLIC_URL; in tests it is the
    test client's address, so links in e-mails read http://testserver/… as in a request."""
    settings.RATHAUS_PUBLIC_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _demo_register_extract(settings):
    """As in the demo, register data comes from the demo register extract (ADR 0029); tests of
    the staff task set RATHAUS_REGISTER_LOOKUP to "staff"."""
    from rathaus.cases import register

    settings.RATHAUS_REGISTER_LOOKUP = "extract"
    settings.RATHAUS_REGISTER_EXTRACT = str(register.DEMO_EXTRACT)


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    """Each test has its own checkpoint file: checkpoints outlive the rolled-back database."""
    settings.RATHAUS_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture(autouse=True)
def _no_caches_from_rolled_back_tests(monkeypatch) -> None:
    """Published form specs and parsed process models are cached by primary key; a test's rows
    are rolled back and SQLite gives the same ids again, so a later test could read an earlier
    test's form or model from the cache. The same holds for kept public pages: each test has
    its own key prefix."""
    import uuid

    from rathaus.core import pagecache
    from rathaus.forms import selectors
    from rathaus.processes import engine

    selectors._published_spec.cache_clear()
    engine._parsed.cache_clear()
    pagecache._policy.cache_clear()
    monkeypatch.setattr(pagecache, "NAMESPACE", f"test-page-{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test keeps its stored files (the "files" storage below MEDIA_ROOT) in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _cache_emptied_after_transactional_tests(request, django_db_blocker) -> Iterator[None]:
    """The database cache's table (rathaus_cache) has no model, so the flush after a
    transactional test leaves its rows; other tests' rows are rolled back with the test."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if set(request.fixturenames) & TRANSACTIONAL_FIXTURES or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        from django.core.cache import caches

        with django_db_blocker.unblock():
            caches["default"].clear()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port for the whole run; yields its URL (a
    ``RedisServer``: tests may stop, start, freeze and thaw it, and must leave it running)."""
    directory = Path(tempfile.mkdtemp(prefix="rathaus-redis-"))
    server = RedisServer(free_port(), directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A real S3-compatible server (moto) over HTTP on a free loopback port; yields its URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server) -> dict[str, str]:
    """A new, empty bucket on the S3 server; the RATHAUS_S3_* values that reach it."""
    import boto3

    config = {
        "RATHAUS_S3_ENDPOINT_URL": s3_server,
        "RATHAUS_S3_BUCKET": f"rathaus-{uuid.uuid4().hex[:16]}",
        "RATHAUS_S3_REGION": "eu-central-1",
        "RATHAUS_S3_ACCESS_KEY_ID": "rathaus-test",
        "RATHAUS_S3_SECRET_ACCESS_KEY": "rathaus-test-secret",
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=config["RATHAUS_S3_REGION"],
        aws_access_key_id=config["RATHAUS_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=config["RATHAUS_S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(
        Bucket=config["RATHAUS_S3_BUCKET"],
        CreateBucketConfiguration={"LocationConstraint": config["RATHAUS_S3_REGION"]},
    )
    return config


@pytest.fixture(params=["filesystem", "s3"])
def file_storage(request, settings) -> str:
    """Runs a test once with the stored files on the file system and once in an S3 bucket."""
    if request.param == "s3":
        from rathaus.settings import s3_files_storage

        config = request.getfixturevalue("s3_bucket")
        settings.STORAGES = {
            **settings.STORAGES,
            "files": s3_files_storage(
                bucket=config["RATHAUS_S3_BUCKET"],
                endpoint_url=config["RATHAUS_S3_ENDPOINT_URL"],
                region=config["RATHAUS_S3_REGION"],
                access_key=config["RATHAUS_S3_ACCESS_KEY_ID"],
                secret_key=config["RATHAUS_S3_SECRET_ACCESS_KEY"],
            ),
        }
    return str(request.param)


@pytest.fixture
def barleben(db, request, settings):
    """The Barleben demo as `rathaus demo-data` loads it (see ``tests.support.load_demo``); most
    tests get it from the snapshot (``DemoSnapshot``)."""
    if not DEMO_SNAPSHOT.serves(request.node, Path(settings.MEDIA_ROOT)):
        load_demo(request)
    from rathaus.core.models import Authority

    return Authority.objects.get(slug="barleben")


def _clamd_answers(socket_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(str(socket_path))
            sock.sendall(b"zPING\0")
            return sock.recv(16) == b"PONG\0"
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd():
    """A real clamd (Debian's clamav-daemon) on a Unix socket; yields the socket path.

    The official signature downloads are not needed: the database is one body signature of the
    EICAR test string (Rathaus.Test.EICAR), which matches anywhere in a file. As root, clamd
    runs as root (no User line), so it can read the temporary directory.
    """
    binary = shutil.which("clamd") or next(
        (path for path in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if os.access(path, os.X_OK)),
        None,
    )
    if binary is None:
        pytest.fail(
            "clamd not found: install Debian's clamav-daemon (apt-get install clamav-daemon)"
        )
    directory = Path(tempfile.mkdtemp(prefix="rathaus-clamd-"))  # short: socket paths max 107
    (directory / "db").mkdir()
    (directory / "db" / "rathaus-test.ndb").write_text(f"Rathaus.Test.EICAR:0:*:{EICAR.hex()}\n")
    socket_path = directory / "clamd.sock"
    log = directory / "clamd.log"
    config = directory / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket_path}\n"
        f"DatabaseDirectory {directory / 'db'}\n"
        f"TemporaryDirectory {directory}\n"
        f"LogFile {log}\n"
        "Foreground yes\n"
        "MaxThreads 4\n"
        f"StreamMaxLength {CLAMD_STREAM_MAX_BYTES}\n"
    )
    output_path = directory / "output.txt"
    with open(output_path, "wb") as output:
        process = subprocess.Popen(
            [binary, f"--config-file={config}"], cwd=directory, stdin=subprocess.DEVNULL,
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def logs() -> str:
        texts = [path.read_text(errors="replace") for path in (output_path, log) if path.exists()]
        return "\n".join(texts)[-4000:]

    try:
        deadline = time.monotonic() + 60
        while not _clamd_answers(socket_path):
            if process.poll() is not None:
                pytest.fail(f"clamd exited with status {process.returncode}:\n{logs()}")
            if time.monotonic() > deadline:
                pytest.fail(f"clamd did not answer PING within 60 seconds:\n{logs()}")
            time.sleep(0.1)
        yield str(socket_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def meldung(barleben):
    """A Meldebescheinigung applied for by the demo citizen, routed to the Bürgerbüro as a case."""
    from rathaus.cases import services
    from rathaus.cases.models import Case

    submission = submit(citizen_client(), "meldebescheinigung", MELDEBESCHEINIGUNG)
    assert services.route(str(submission.pk)) == "routed"
    return Case.objects.get(submission=submission)


@pytest.fixture
def payment_sandbox(live_server, settings) -> Iterator[str]:
    """The payment sandbox as a separate process (fast and seeded: notifications after 0.3 s,
    each twice, INITIAL after the final status), whose notifications reach this test's live
    server; the settings point the sandbox provider at it. Yields the sandbox's address."""
    settings.RATHAUS_PUBLIC_URL = live_server.url
    settings.RATHAUS_PAYMENT_SANDBOX_API_KEY = SANDBOX_API_KEY
    settings.RATHAUS_PAYMENT_WEBHOOK_KEYS = dict(SANDBOX_WEBHOOK_KEYS)
    with running_payment_sandbox(*SANDBOX_FAST) as url:
        settings.RATHAUS_PAYMENT_SANDBOX_URL = url
        yield url
