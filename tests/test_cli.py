"""The `rathaus` console command, run as an operator runs it."""

from __future__ import annotations

import pytest

from rathaus.core.models import AuditEvent
from tests.support import ROOT, database_env, rathaus

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def test_help_lists_the_rathaus_commands():
    result = rathaus("help")
    assert result.returncode == 0
    for name in ("demo_data", "audit_verify", "worker", "run", "config_docs"):
        assert name in result.stdout


@pytest.mark.django_db(transaction=True)
def test_audit_verify_command_finds_a_row_changed_in_the_database():
    env = database_env()
    loaded = rathaus("demo-data", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "Demo data: " in loaded.stdout
    intact = rathaus("audit-verify", env=env)
    assert intact.returncode == 0
    assert "Audit log intact" in intact.stdout
    AuditEvent.objects.filter(sequence=1).update(action="demo.deleted")
    damaged = rathaus("audit-verify", env=env)
    assert damaged.returncode == 1
    assert "#1: content was changed after it was written" in damaged.stderr


@pytest.mark.django_db(transaction=True)
def test_serve_runs_the_production_web_server():
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.support import ROOT

    rathaus("demo-data", env=database_env())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**database_env(), "RATHAUS_WEB_WORKERS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "rathaus", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
                    body = response.read().decode()
                    headers = response.headers
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not answer"
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.3)
        assert "Gemeinde Barleben" in body
        # The server names no product version an attacker could look up.
        server_name = headers.get("Server", "")
        assert not any(character.isdigit() for character in server_name), server_name
        assert "/" not in server_name
        assert "camera=()" in headers["Permissions-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_run_starts_web_server_and_worker_and_ctrl_c_stops_both():
    import json
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from rathaus.core.models import WorkerHeartbeat
    from tests.support import ROOT

    rathaus("demo-data", env=database_env())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "rathaus", "run", "--port", str(port)],
        cwd=ROOT,
        env=database_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    health = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as response:
                    health = json.load(response)
                break
            except urllib.error.HTTPError:
                time.sleep(0.3)  # server up, worker not yet
            except OSError:
                time.sleep(0.3)
        assert health is not None, "web server and worker did not become healthy"
        # The public answer: statuses only, no counts, paths or error texts.
        assert health["checks"]["worker"] == {"status": "ok"}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "web server still listening"
    assert not WorkerHeartbeat.objects.exists(), "worker still registered"


def test_the_readme_names_every_rathaus_command():
    """The README's command table keeps up with the management commands the apps ship."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = sorted(
        path.stem.replace("_", "-")
        for path in (ROOT / "src" / "rathaus").glob("*/management/commands/*.py")
        if not path.stem.startswith("_")
    )
    assert "import-process" in commands
    missing = [name for name in commands if f"`rathaus {name}" not in readme]
    assert missing == []
