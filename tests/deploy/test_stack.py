"""The scale-out stack of deploy/stack.py, started for real: nginx, two web instances, two task
workers, PostgreSQL, redis and the payment sandbox, with the demo (docs/operations.md).

One stack for the whole module (starting it takes a minute or more), which the smoke run of the
load-and-fault benchmark uses too. No ``database`` mark: it brings its own PostgreSQL server, so
it runs once, in the SQLite pass of ``make test``. The tests run in file order; the last one
stops the stack and checks that nothing is left.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import Resolver404, resolve

from tests.support import ROOT

STACK = ROOT / "deploy" / "stack.py"
OUTSIDER = "127.0.0.2"  # a client on this machine that is not the proxy (127.0.0.1)
FORGED = "203.0.113.9"
SUBSCRIBE = "/bekanntmachungen/abonnieren/"
MAIL_SQL = "SELECT {} FROM core_outgoingemail WHERE \"to\" = :'email';"


def run_stack(
    state_dir: Path, *args: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(STACK), "--state-dir", str(state_dir), *args],
        capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT,
    )  # fmt: skip


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class Stack:
    state_dir: Path
    data: dict[str, Any]

    @property
    def nginx_port(self) -> int:
        return int(self.data["processes"]["nginx"]["port"])

    def web_port(self, number: int) -> int:
        return int(self.data["processes"]["web"][number - 1]["port"])

    def psql(self, sql: str, **variables: str) -> list[str]:
        """Rows of ``sql`` (read from standard input, so :'name' takes a variable safely)."""
        postgres = self.data["processes"]["postgres"]
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        options = [f"--variable={name}={value}" for name, value in variables.items()]
        result = subprocess.run(
            [str(Path(postgres["bindir"]) / "psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", str(postgres["port"]), "-U", postgres["user"],
             "-d", "rathaus", *options],
            input=sql, capture_output=True, text=True, env=env, check=True, timeout=60,
        )  # fmt: skip
        return result.stdout.splitlines()


def request(
    port: int,
    method: str,
    path: str,
    *,
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> Response:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=60, source_address=(source, 0)
    )
    try:
        connection.request(
            method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})}
        )
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read().decode(errors="replace"))
    finally:
        connection.close()


def subscribe(
    port: int, email: str, *, source: str = "127.0.0.1", headers: dict[str, str] | None = None
) -> Response:
    """The notice board's e-mail subscription: a public form whose confirmation e-mail the task
    worker delivers, and whose rate limit records the client address it saw."""
    form = request(port, "GET", SUBSCRIBE, source=source, headers=headers)
    assert form.status == 200, form.body[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    cookie = re.search(r"csrftoken=([^;]+)", form.headers.get("Set-Cookie", ""))
    assert token
    assert cookie
    return request(
        port, "POST", SUBSCRIBE, source=source,
        headers={
            **(headers or {}),
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie.group(1)}",
            "Referer": f"{'https' if (headers or {}).get('X-Forwarded-Proto') == 'https' else 'http'}"
                       f"://127.0.0.1:{port}{SUBSCRIBE}",
        },
        body=urlencode({"csrfmiddlewaretoken": token.group(1), "email": email, "categories": "allgemein"}),
    )  # fmt: skip


def unique_email() -> str:
    return f"stack-{uuid.uuid4().hex[:12]}@example.org"


def wait_for(condition: Any, seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def mail_body(stack: Stack, email: str) -> str:
    rows = wait_for(lambda: stack.psql(MAIL_SQL.format("text_body"), email=email), 30)
    assert rows, f"no e-mail to {email}"
    return "\n".join(rows)


def ready_path() -> str:
    """``/health/ready`` (readiness: database reachable, migrations applied), where it exists."""
    try:
        resolve("/health/ready")
    except Resolver404:
        return "/health"
    return "/health/ready"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state_dir = tmp_path_factory.mktemp("stack")
    up = run_stack(state_dir, "up", "-n", "2", "-m", "2", "--web-workers", "1", "--demo")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        data = json.loads((state_dir / "stack.json").read_text())
        yield Stack(state_dir, data)
    finally:
        run_stack(state_dir, "down", timeout=300)


def test_up_prints_the_address_and_every_process_runs(stack):
    status = run_stack(stack.state_dir, "status", "--json", timeout=60)
    assert status.returncode == 0, status.stdout + status.stderr
    report = json.loads(status.stdout)
    assert report["url"] == f"http://127.0.0.1:{stack.nginx_port}/"
    names = sorted(process["name"] for process in report["processes"])
    assert names == [
        "nginx", "postgres", "redis", "sandbox", "web 1", "web 2", "worker 1", "worker 2",
    ]  # fmt: skip
    assert stack.data["database_url"].startswith("postgres://")
    assert stack.data["cache_url"].startswith("redis://127.0.0.1:")


def test_pages_and_static_files_through_nginx(stack):
    start = request(stack.nginx_port, "GET", "/")
    assert start.status == 200
    assert start.headers["Server"].startswith("nginx")
    assert request(stack.nginx_port, "GET", "/bekanntmachungen/").status == 200
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', start.body)
    assert stylesheet, "the start page links no stylesheet"
    css = request(stack.nginx_port, "GET", stylesheet.group(1))
    assert css.status == 200
    assert css.headers["Content-Type"] == "text/css"
    assert "immutable" in css.headers["Cache-Control"]  # a hashed name, straight from disk


def test_ready_through_nginx(stack):
    response = request(stack.nginx_port, "GET", ready_path())
    assert response.status == 200, response.body
    assert json.loads(response.body)["status"] == "ok"


def test_a_write_through_nginx_is_processed_by_a_worker(stack):
    email = unique_email()
    response = subscribe(stack.nginx_port, email)
    assert response.status == 302, response.body[:500]
    sent = wait_for(lambda: stack.psql(MAIL_SQL.format("status"), email=email) == ["sent"])
    assert sent, stack.psql(MAIL_SQL.format("status, last_error"), email=email)


def test_forwarded_headers_count_only_from_the_proxy(stack):
    forged = {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "https"}
    # Past nginx, straight to a web instance, from an address that is not the proxy: neither
    # the client address nor the scheme it claims is believed.
    direct = unique_email()
    assert subscribe(stack.web_port(1), direct, source=OUTSIDER, headers=forged).status == 302
    body = mail_body(stack, direct)
    assert f"http://127.0.0.1:{stack.web_port(1)}/" in body
    assert "https://" not in body
    # Through nginx, which overwrites X-Forwarded-For with the address it saw.
    proxied = unique_email()
    assert subscribe(stack.nginx_port, proxied, source=OUTSIDER, headers=forged).status == 302
    assert f"http://127.0.0.1:{stack.nginx_port}/" in mail_body(stack, proxied)
    keys = stack.psql("SELECT key FROM core_ratecounter WHERE key LIKE 'noticeboard-subscribe:%'")
    assert f"noticeboard-subscribe:{OUTSIDER}" in keys
    assert not any(FORGED in key for key in keys)
    # The proxy itself (127.0.0.1) is believed.
    trusted = unique_email()
    assert (
        subscribe(stack.web_port(2), trusted, headers={"X-Forwarded-Proto": "https"}).status == 302
    )
    assert f"https://127.0.0.1:{stack.web_port(2)}/" in mail_body(stack, trusted)


def test_nginx_still_answers_when_a_web_instance_is_killed(stack):
    killed = run_stack(stack.state_dir, "kill", "web", "1", timeout=60)
    assert killed.returncode == 0, killed.stderr
    status = json.loads(run_stack(stack.state_dir, "status", "--json", timeout=60).stdout)
    assert {p["name"]: p["alive"] for p in status["processes"]}["web 1"] is False
    answers = [request(stack.nginx_port, "GET", "/").status for _ in range(8)]
    assert answers == [200] * 8
    started = run_stack(stack.state_dir, "start", "web", "1", timeout=300)
    assert started.returncode == 0, started.stderr
    assert run_stack(stack.state_dir, "status", timeout=60).returncode == 0


def test_the_load_and_fault_run_in_smoke_mode(stack):
    """bench/load_faults.py on this stack: visitors of every kind while a web instance and a
    worker are killed and PostgreSQL restarts; afterwards every acknowledged booking and
    submission is there once, every e-mail sent, no task stuck."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RATHAUS_")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load_faults.py"), "--smoke",
         "--attach", str(stack.state_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "| what | clients | p50 ms | p95 ms | requests/s |" in result.stdout
    status = json.loads(run_stack(stack.state_dir, "status", "--json", timeout=60).stdout)
    assert all(process["alive"] for process in status["processes"]), status


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] not in {"Z", "X"}
    except OSError:
        return False


def _processes_in_groups(groups: set[int]) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] not in {"Z", "X"} and int(fields[2]) in groups:
            found.append(int(stat.parent.name))
    return found


def test_down_leaves_no_process(stack):
    data = json.loads((stack.state_dir / "stack.json").read_text())
    processes = data["processes"]
    groups = {
        int(entry["pid"])
        for entry in [
            processes["nginx"],
            processes["redis"],
            *processes["web"],
            *processes["worker"],
        ]
    }
    postgres = processes["postgres"]
    assert _processes_in_groups(groups), "the stack's processes were not found"
    down = run_stack(stack.state_dir, "down", timeout=300)
    assert down.returncode == 0, down.stderr
    assert _processes_in_groups(groups) == []
    assert not _alive(int(postgres["pid"]))
    assert not Path(postgres["data_dir"]).exists()
    assert run_stack(stack.state_dir, "status", timeout=60).returncode == 3
