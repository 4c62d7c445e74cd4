"""The `rathaus` console command, run as an operator runs it."""

from __future__ import annotations

import pytest

from rathaus.core.models import AuditEvent
from tests.conftest import database_env, rathaus


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

    from tests.conftest import ROOT

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
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not answer"
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.3)
        assert "Gemeinde Barleben" in body
    finally:
        server.terminate()
        server.wait(timeout=30)
