"""/metrics under a real gunicorn with two workers: one scrape adds up both workers' counts, and
the child_exit hook (rathaus.core.metrics_gunicorn) cleans up after a killed worker."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.support import ROOT, free_port

TOKEN = "gunicorn-scrape-token-0123456789abcdef"


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    metrics_dir: Path

    def get(self, path: str, token: str = "") -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def pids_with(self, prefix: str) -> set[int]:
        return {
            int(path.stem.rpartition("_")[2]) for path in self.metrics_dir.glob(f"{prefix}_*.db")
        }


def health_requests(text: str) -> float:
    """All answered GET /health requests (whatever their status) in a scrape's text."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "rathaus_http_requests_total"
        and sample.labels["view"] == "health"
        and sample.labels["method"] == "GET"
    )


def scrape(server: Server) -> str:
    status, text = server.get("/metrics", TOKEN)
    assert status == 200
    return text


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("gunicorn-metrics")
    port = free_port()
    # PROMETHEUS_MULTIPROC_DIR stays: it names this test process's own directory, which the
    # server must not take for its own.
    env = dict(os.environ)
    env.update(
        RATHAUS_DATA_DIR=str(data),
        RATHAUS_DEBUG="true",
        RATHAUS_METRICS_TOKEN=TOKEN,
        RATHAUS_LOG_FORMAT="plain",
        DJANGO_SETTINGS_MODULE="rathaus.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    env.pop("RATHAUS_DATABASE_URL", None)  # the server's own SQLite file: no test data needed
    log = (data / "gunicorn.log").open("wb")
    # Started as operators start it: `rathaus serve` loads the settings (which name a
    # metrics/process-<pid> directory) and execs gunicorn with the same pid.
    process = subprocess.Popen(
        [sys.executable, "-m", "rathaus", "serve", "--port", str(port), "--workers", "2"],
        cwd=data, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    running = Server(port, process, data / "metrics" / f"127.0.0.1_{port}")
    try:
        wait_until(lambda: len(running.pids_with("gauge_livesum")) == 2, timeout=120)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_one_scrape_adds_up_the_counts_of_both_workers(server):
    before = health_requests(scrape(server))
    made = 0
    while len(server.pids_with("counter") & server.worker_pids()) < 2 and made < 2000:
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: server.get("/health")[0], range(20)))
        assert set(statuses) <= {200, 503}
        made += 20
    workers = server.worker_pids()
    assert len(server.pids_with("counter") & workers) == 2, "both workers answered requests"

    after = health_requests(scrape(server))

    assert after - before == made
    per_worker = []
    for pid in workers:  # each worker's own file, read alone
        alone = server.metrics_dir.parent / f"alone-{pid}"
        alone.mkdir()
        shutil.copy(server.metrics_dir / f"counter_{pid}.db", alone)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        per_worker.append(health_requests(generate_latest(registry).decode()))
    assert all(count > 0 for count in per_worker)
    assert sum(per_worker) == after


def test_a_killed_worker_keeps_its_counts_and_loses_its_live_gauge(server):
    server.get("/health")
    before = health_requests(scrape(server))
    victim = min(server.worker_pids())
    assert victim in server.pids_with("gauge_livesum")

    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in server.pids_with("gauge_livesum"))  # child_exit ran
    wait_until(lambda: len(server.worker_pids()) == 2 and victim not in server.worker_pids())
    wait_until(lambda: len(server.pids_with("gauge_livesum")) == 2, timeout=120)

    text = scrape(server)
    assert health_requests(text) == before  # the dead worker's requests still count
    in_progress = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "rathaus_http_requests_in_progress"
    ]
    assert in_progress == [1.0]  # only this scrape


def test_on_starting_takes_its_own_directory_empties_it_and_removes_dead_ones(
    tmp_path, monkeypatch
):
    from rathaus.core import metrics_gunicorn

    class Config:
        bind = ["127.0.0.1:8123"]

    class Log:
        def info(self, *args: object) -> None:
            pass

    class Master:
        cfg = Config()
        log = Log()

    # The settings' directory of this very process, as `rathaus serve` leaves it before exec.
    own = tmp_path / "metrics" / f"process-{os.getpid()}"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(own))
    monkeypatch.setenv("RATHAUS_DATA_DIR", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()
    stale = tmp_path / "metrics" / f"process-{dead.pid}"
    stale.mkdir(parents=True)
    (stale / "counter_1.db").write_bytes(b"old")
    living = tmp_path / "metrics" / f"process-{os.getppid()}"
    living.mkdir()
    old = tmp_path / "metrics" / "127.0.0.1_8123"
    old.mkdir(parents=True)
    (old / "counter_4711.db").write_bytes(b"old")
    (old / "notes.txt").write_text("kept")

    metrics_gunicorn.on_starting(Master())

    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(old)
    assert sorted(path.name for path in old.iterdir()) == ["notes.txt"]
    assert not stale.exists()  # its process has ended
    assert living.exists()
