"""The virus scanner plugins: a real clamd finds EICAR, and every failure fails closed."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core import checks

from rathaus.conf import VIRUS_SCANNERS, ConfigurationError, env
from rathaus.core import scanning
from rathaus.core.scanning import ClamAVScanner, ScannerUnavailable, ScanResult, get_scanner
from tests.support import CLAMD_STREAM_MAX_BYTES, EICAR, ROOT

Behaviour = Callable[[socket.socket, threading.Event], None]


@contextmanager
def fake_server(behaviour: Behaviour, family: int = socket.AF_UNIX) -> Iterator[str]:
    """A listener on a Unix socket (or 127.0.0.1) that treats each connection with behaviour."""
    stop = threading.Event()
    server = socket.socket(family, socket.SOCK_STREAM)
    directory = None
    if family == socket.AF_UNIX:
        directory = tempfile.mkdtemp(prefix="rathaus-fake-")
        address = os.path.join(directory, "fake.sock")
        server.bind(address)
    else:
        server.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.listen(4)
    server.settimeout(0.2)

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                behaviour(connection, stop)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield address
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
        if directory:
            os.unlink(address)
            os.rmdir(directory)


def close_at_once(connection: socket.socket, stop: threading.Event) -> None:
    connection.close()


def never_answer(connection: socket.socket, stop: threading.Event) -> None:
    connection.settimeout(0.1)
    while not stop.is_set():
        try:
            if not connection.recv(65536):
                return
        except TimeoutError:
            continue


def answer(reply: bytes) -> Behaviour:
    def behaviour(connection: socket.socket, stop: threading.Event) -> None:
        connection.settimeout(1)
        received = b""
        # The command (and for INSTREAM the chunks up to the zero-length terminator) first.
        while not (received.startswith(b"zPING\0") or received.endswith(b"\0\0\0\0")):
            part = connection.recv(65536)
            if not part:
                return
            received += part
        connection.sendall(reply)

    return behaviour


# --- a real clamd ----------------------------------------------------------------------------


def test_clamd_finds_the_eicar_test_file(clamd):
    result = ClamAVScanner(clamd, timeout=10).scan(io.BytesIO(EICAR))
    assert result.clean is False
    assert "EICAR" in result.signature
    assert not result.signature.endswith("FOUND")


def test_clamd_finds_eicar_inside_a_larger_file_sent_in_many_chunks(clamd):
    data = b"%PDF-1.4\n" + os.urandom(300_000) + EICAR + os.urandom(300_000)
    result = ClamAVScanner(clamd, timeout=10, chunk_bytes=4096).scan(io.BytesIO(data))
    assert result == ScanResult(clean=False, signature=result.signature)
    assert "EICAR" in result.signature


def test_clamd_passes_a_clean_file(clamd):
    result = ClamAVScanner(clamd, timeout=10).scan(io.BytesIO(b"Antrag auf Hundesteuer\n" * 1000))
    assert result == ScanResult(clean=True)


def test_clamd_answers_ping(clamd):
    ClamAVScanner(clamd, timeout=10).ping()


def test_clamd_size_limit_error_fails_closed(clamd):
    too_big = io.BytesIO(bytes(CLAMD_STREAM_MAX_BYTES + 1024 * 1024))
    with pytest.raises(ScannerUnavailable, match=r"limit|stopped reading|answered"):
        ClamAVScanner(clamd, timeout=10).scan(too_big)


def test_get_scanner_uses_the_configured_clamd(clamd, settings):
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = clamd
    settings.RATHAUS_CLAMD_TIMEOUT_SECONDS = 10
    scanner = get_scanner()
    assert scanner.name == "clamav"
    assert scanner.scan(io.BytesIO(EICAR)).clean is False
    health = scanning.check_health()
    assert health["status"] == "ok"
    assert health["scanner"] == "clamav"


# --- failing closed --------------------------------------------------------------------------


def test_socket_path_without_listener_fails_closed(tmp_path):
    scanner = ClamAVScanner(str(tmp_path / "nobody-listens.sock"), timeout=2)
    with pytest.raises(ScannerUnavailable, match="cannot connect"):
        scanner.scan(io.BytesIO(b"data"))
    with pytest.raises(ScannerUnavailable):
        scanner.ping()


def test_listener_that_closes_at_once_fails_closed():
    with fake_server(close_at_once) as address:
        scanner = ClamAVScanner(address, timeout=2)
        with pytest.raises(ScannerUnavailable):
            scanner.scan(io.BytesIO(b"data" * 100_000))
        with pytest.raises(ScannerUnavailable):
            scanner.ping()


def test_listener_that_never_answers_times_out():
    with (
        fake_server(never_answer) as address,
        pytest.raises(ScannerUnavailable, match=r"in time|no answer"),
    ):
        ClamAVScanner(address, timeout=0.5).scan(io.BytesIO(b"data"))


@pytest.mark.parametrize(
    "reply",
    [b"INSTREAM size limit exceeded. ERROR\0", b"stream: something odd\0", b"\0", b"PONG\0"],
)
def test_error_or_unknown_answers_fail_closed(reply):
    with (
        fake_server(answer(reply)) as address,
        pytest.raises(ScannerUnavailable, match=r"answered|without an answer"),
    ):
        ClamAVScanner(address, timeout=2).scan(io.BytesIO(b"data"))


def test_tcp_address_is_supported():
    with fake_server(answer(b"PONG\0"), family=socket.AF_INET) as address:
        ClamAVScanner(address, timeout=2).ping()
    with fake_server(answer(b"stream: Win.Test.Thing FOUND\0"), family=socket.AF_INET) as address:
        result = ClamAVScanner(address, timeout=2).scan(io.BytesIO(b"x"))
    assert result == ScanResult(clean=False, signature="Win.Test.Thing")


def test_clamav_without_address_fails_closed_and_is_reported(settings):
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = ""
    with pytest.raises(ScannerUnavailable, match="RATHAUS_CLAMD_ADDRESS"):
        get_scanner().scan(io.BytesIO(b"x"))
    ids = [message.id for message in checks.run_checks(tags=[checks.Tags.security])]
    assert "rathaus.E022" in ids
    assert scanning.check_health()["status"] == "error"


# --- the none scanner ------------------------------------------------------------------------


def test_none_scanner_accepts_everything(settings):
    settings.RATHAUS_VIRUS_SCANNER = "none"
    scanner = get_scanner()
    assert scanner.name == "none"
    assert scanner.scan(io.BytesIO(EICAR)) == ScanResult(clean=True)
    assert scanning.check_health() == {"status": "off", "scanner": "none"}


def test_none_scanner_warns_in_production_only(settings):
    settings.RATHAUS_VIRUS_SCANNER = "none"
    settings.RATHAUS_PRODUCTION = False
    ids = [message.id for message in checks.run_checks(tags=[checks.Tags.security])]
    assert "rathaus.W021" not in ids
    settings.RATHAUS_PRODUCTION = True
    found = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "rathaus.W021"]
    assert len(found) == 1
    assert isinstance(found[0], checks.Warning)
    assert "not scanned" in found[0].msg


# --- configuration ---------------------------------------------------------------------------


def test_every_configurable_scanner_is_registered():
    assert set(scanning.scanners) == set(VIRUS_SCANNERS)


@pytest.mark.parametrize(
    ("name", "raw", "fragment"),
    [
        ("VIRUS_SCANNER", "kaspersky", "RATHAUS_VIRUS_SCANNER: expected one of none, clamav"),
        ("CLAMD_ADDRESS", "localhost:3310", "RATHAUS_CLAMD_ADDRESS: expected a socket path"),
        ("CLAMD_ADDRESS", "tcp://clamd", "RATHAUS_CLAMD_ADDRESS: expected a socket path"),
        ("CLAMD_ADDRESS", "tcp://clamd:99999", "RATHAUS_CLAMD_ADDRESS: expected a socket path"),
        ("CLAMD_TIMEOUT_SECONDS", "0", "RATHAUS_CLAMD_TIMEOUT_SECONDS: expected a whole number"),
    ],
)
def test_malformed_scanner_settings_name_the_variable(name, raw, fragment):
    with pytest.raises(ConfigurationError) as excinfo:
        env(name, {f"RATHAUS_{name}": raw})
    assert fragment in str(excinfo.value)


def test_scanner_settings_defaults_and_good_values():
    assert env("VIRUS_SCANNER", {}) == "none"
    assert env("VIRUS_SCANNER", {"RATHAUS_VIRUS_SCANNER": " ClamAV "}) == "clamav"
    assert env("CLAMD_ADDRESS", {}) == ""
    assert env("CLAMD_ADDRESS", {"RATHAUS_CLAMD_ADDRESS": "/run/clamav/clamd.ctl"}) == (
        "/run/clamav/clamd.ctl"
    )
    assert env("CLAMD_ADDRESS", {"RATHAUS_CLAMD_ADDRESS": "tcp://clamd:3310"}) == "tcp://clamd:3310"
    assert env("CLAMD_TIMEOUT_SECONDS", {}) == 30


def test_start_up_stops_on_an_unknown_scanner():
    result = subprocess.run(
        [sys.executable, "-m", "rathaus", "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "RATHAUS_VIRUS_SCANNER": "kaspersky"},
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "RATHAUS_VIRUS_SCANNER: expected one of none, clamav, got 'kaspersky'" in result.stderr
