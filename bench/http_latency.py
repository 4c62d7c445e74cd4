#!/usr/bin/env python3
"""Latency and throughput of the main pages in production mode, on this machine.

Sets up a fresh data directory (migrate, demo data, collectstatic), starts ``rathaus serve``
(gunicorn) and ``rathaus worker`` on loopback, then sends a bounded number of GET requests per path
with 1 and 8 concurrent clients and prints a Markdown table (p50, p95, requests per second).
Everything stops by itself; only 127.0.0.1 is contacted.

    .venv/bin/python bench/http_latency.py [--requests 400] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["/", "/kontakt/", "/health", "/api/v1/authorities", "/verwaltung/anmelden/"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rathaus(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "rathaus", *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def get(port: int, path: str) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}")
    return time.perf_counter() - started


def measure(port: int, path: str, clients: int, requests: int) -> tuple[float, float, float]:
    for _ in range(10):  # warm up the worker processes
        get(port, path)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        durations = list(pool.map(lambda _n: get(port, path), range(requests)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(durations, n=100)
    return cuts[49] * 1000, cuts[94] * 1000, requests / elapsed


def wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            get(port, "/health")
            return
        except (OSError, RuntimeError):
            time.sleep(0.3)
    raise SystemExit("server did not become healthy in time")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per path and level")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rathaus-bench-") as data_dir:
        port = free_port()
        env = {**os.environ, "RATHAUS_DATA_DIR": data_dir, "RATHAUS_PORT": str(port)}
        env.pop("RATHAUS_DATABASE_URL", None)
        print("setting up a fresh database …", file=sys.stderr)
        rathaus(env, "migrate", "--noinput")
        rathaus(env, "demo-data")
        production = {
            **env,
            "RATHAUS_DEBUG": "false",
            "RATHAUS_SECRET_KEY": secrets.token_urlsafe(48),
            "RATHAUS_ALLOWED_HOSTS": "127.0.0.1",
            "RATHAUS_BEHIND_TLS_PROXY": "true",
            "RATHAUS_WEB_WORKERS": str(args.workers),
            "RATHAUS_LOG_LEVEL": "WARNING",
        }
        rathaus(production, "collectstatic", "--noinput")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        server = subprocess.Popen([sys.executable, "-m", "rathaus", "serve"], env=production,
                                  cwd=ROOT, **quiet)  # fmt: skip
        worker = subprocess.Popen([sys.executable, "-m", "rathaus", "worker"], env=production,
                                  cwd=ROOT, **quiet)  # fmt: skip
        try:
            wait_until_up(port, time.monotonic() + 60)
            rows = []
            for path in PATHS:
                for clients in (1, 8):
                    print(f"GET {path} with {clients} client(s) …", file=sys.stderr)
                    p50, p95, rate = measure(port, path, clients, args.requests)
                    rows.append((path, clients, p50, p95, rate))
        finally:
            for process in (server, worker):
                process.terminate()
            for process in (server, worker):
                process.wait(timeout=30)

    print(f"Measured {date.today().isoformat()} on {os.cpu_count()} cores ({cpu_model()}), "
          f"Python {platform.python_version()}, SQLite, gunicorn with {args.workers} workers, "
          f"{args.requests} requests per row.\n")  # fmt: skip
    print("| path | clients | p50 ms | p95 ms | requests/s |")
    print("|---|---:|---:|---:|---:|")
    for path, clients, p50, p95, rate in rows:
        print(f"| `{path}` | {clients} | {p50:.1f} | {p95:.1f} | {rate:.0f} |")


if __name__ == "__main__":
    main()
