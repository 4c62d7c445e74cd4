from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.core import demo

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def current_code(device: TOTPDevice, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset in steps: -1 is the previous code)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset)
    return f"{value:0{device.digits}d}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data every test database has: the postal code table (23,000 rows).

    Tests that flush the database lose it; the demo loader loads it again when it is missing.
    """
    from rathaus.core import geo

    with django_db_blocker.unblock():
        geo.load_postal_codes()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    """Each test has its own checkpoint file: checkpoints outlive the rolled-back database."""
    settings.RATHAUS_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture
def barleben(db):
    """The Barleben demo as `rathaus demo-data` loads it."""
    demo.load()
    from rathaus.core.models import Authority

    return Authority.objects.get(slug="barleben")


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


def human_check() -> dict[str, str]:
    """Form fields that pass the registration's person check (the no-JavaScript question)."""
    from django.core import signing

    from rathaus.accounts import altcha

    question = altcha.new_question()
    answer = signing.loads(question.token, salt=altcha._SALT)["sum"]
    return {"question_token": question.token, "question_answer": str(answer)}


def start_worker(env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A real `rathaus worker` on this test run's database, polling every 0.2 seconds."""
    command = [sys.executable, "-m", "rathaus", "worker", "--queue-name", "*", "--interval", "0.2",
               "--no-startup-delay"]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env or database_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLAMD_STREAM_MAX_BYTES = 4 * 1024 * 1024  # small, so that clamd's size-limit error is testable


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
