"""`rathaus serve --reload` (what `rathaus run --reload` starts): gunicorn restarts its workers
when a watched file changes, and with RATHAUS_LOG_FORMAT=json every line it writes is JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import rathaus
from tests.support import ROOT, free_port


def live(port: int) -> str | None:
    """The request id of a /health/live answer, or None while nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=5) as answer:
            return answer.headers["X-Request-ID"]
    except OSError:
        return None


def wait_for(condition, server: subprocess.Popen[bytes], log: Path, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
        assert server.poll() is None, log.read_text(encoding="utf-8")
        time.sleep(0.2)
    return result


def test_serve_with_reload_restarts_the_workers_when_a_template_changes(tmp_path):
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "RATHAUS_DATA_DIR": str(tmp_path), "RATHAUS_DEMO": "true",
           "RATHAUS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "RATHAUS_LOG_FORMAT": "json"}  # fmt: skip
    command = [sys.executable, "-m", "rathaus", "serve", "--reload", "--workers", "1"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--port", str(port)], cwd=ROOT, env=env, stdout=output, stderr=output
        )
    try:
        first = wait_for(lambda: live(port), server, log)
        template = Path(rathaus.__file__).parent / "templates" / "errors" / "503.html"

        def touched_and_reloaded() -> bool:
            # A change as an editor saves it; the content stays as it is. Again until the worker
            # reloads: gunicorn's reloader takes the first times it reads as the base, so a touch
            # before its first pass over the files goes unnoticed.
            os.utime(template)
            time.sleep(1)
            return "Worker reloading" in log.read_text(encoding="utf-8")

        wait_for(touched_and_reloaded, server, log)
        second = wait_for(lambda: live(port), server, log)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # every line is JSON, gunicorn's own too
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert any(f"Listening at: http://127.0.0.1:{port}" in entry["message"] for entry in entries)
    assert any(f"{template} modified" in entry["message"] for entry in entries)
    assert sum("Booting worker" in entry["message"] for entry in entries) >= 2
    access = {entry["request_id"]: entry["message"] for entry in entries
              if entry["logger"] == "gunicorn.access"}  # fmt: skip
    assert "GET /health/live" in access[first]
    assert "GET /health/live" in access[second]
