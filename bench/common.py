"""Shared parts of the HTTP benchmarks: a production-mode server on loopback and a load loop."""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# A folder where set-up results (a migrated SQLite data directory, the collected static files)
# are kept and copied instead of made again. Only the smoke runs of the test suite set it, so
# that each script's smoke run does not migrate, load the demo and collect the static files anew;
# a measurement always builds its own.
CACHE = os.environ.get("RATHAUS_BENCH_CACHE", "")


def add_smoke_option(parser: argparse.ArgumentParser) -> None:
    """``--smoke``: tiny sizes, so the test suite can check in seconds that the script still runs
    end to end (tests/test_bench_smoke.py); its numbers mean nothing."""
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes to check that the benchmark runs"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cached(key: str, data_dir: str, build: Callable[[], None], only: str = "") -> None:
    """Run ``build`` for ``data_dir``, or, with RATHAUS_BENCH_CACHE set, copy what an earlier
    build with the same key left there (all of the directory but ``static``, or only the
    subfolder ``only``)."""
    if not CACHE:
        build()
        return
    entry = Path(CACHE) / hashlib.sha256(key.encode()).hexdigest()[:16]
    target = Path(data_dir) / only if only else Path(data_dir)
    if entry.is_dir():
        shutil.copytree(entry, target, dirs_exist_ok=True)
        return
    build()
    partial = entry.with_name(entry.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    skip = shutil.ignore_patterns("static") if not only else None
    shutil.copytree(target, partial, ignore=skip)
    partial.rename(entry)


def sqlite_only(env: dict[str, str] | os._Environ[str]) -> bool:
    """The database is a new SQLite file in the data directory (not a server's database)."""
    return not env.get("RATHAUS_DATABASE_URL")


@contextmanager
def fresh_database() -> Iterator[str]:
    """A migrated database in a temporary data directory, with Django set up in this process;
    yields the directory. The benchmark's rows go there and vanish with it."""
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-") as data_dir:
        os.environ["RATHAUS_DATA_DIR"] = data_dir
        os.environ.setdefault("RATHAUS_LOG_LEVEL", "WARNING")
        print("migrating a fresh database …", file=sys.stderr)

        def migrate() -> None:
            subprocess.run([sys.executable, "-m", "rathaus", "migrate", "--noinput"], cwd=ROOT,
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip

        if sqlite_only(os.environ):
            cached("migrate", data_dir, migrate)
        else:
            migrate()
        sys.path.insert(0, str(ROOT / "src"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
        import django

        django.setup()
        yield data_dir


def rathaus(env: dict[str, str], *args: str, check: bool = True) -> None:
    subprocess.run([sys.executable, "-m", "rathaus", *args], env=env, cwd=ROOT, check=check,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def get(port: int, path: str, headers: dict[str, str] | None = None, expected: int = 200) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1", **(headers or {})}
    connection.request("GET", path, headers=sent)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != expected:
        raise RuntimeError(f"GET {path}: HTTP {response.status}")
    return time.perf_counter() - started


def measure(
    port: int,
    paths: Sequence[str],
    clients: int,
    requests: int,
    headers: dict[str, str] | None = None,
    expected: int = 200,
) -> tuple[float, float, float]:
    """p50 and p95 in ms and requests per second; the paths are used in turn."""
    for path in paths[:10]:  # warm up the worker processes
        get(port, path, headers, expected)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        durations = list(
            pool.map(lambda n: get(port, paths[n % len(paths)], headers, expected), range(requests))
        )
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(durations, n=100)
    return cuts[49] * 1000, cuts[94] * 1000, requests / elapsed


@contextmanager
def production_server(
    setup: Sequence[Sequence[str]],
    workers: int,
    tolerant: Sequence[str] = (),
    keep_database_url: bool = False,
    extra_env: dict[str, str] | None = None,
    info: dict[str, object] | None = None,
    prepare: Callable[[dict[str, str]], None] | None = None,
) -> Iterator[int]:
    """A fresh database, the given set-up commands, then `rathaus serve` and `rathaus worker`.

    Commands named in ``tolerant`` may exit non-zero (an import that rejects some rows). With
    ``keep_database_url`` the database named by RATHAUS_DATABASE_URL is used (an empty one, as
    scripts/with_postgres.py provides); otherwise a new SQLite file. ``extra_env`` is added to
    the server's environment; ``info`` (if given) receives the environment as ``env``, so that a
    benchmark can reach the same database directly. ``prepare`` runs after the set-up commands
    with the server's environment (to generate data straight into the database).
    """
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-") as data_dir:
        port = free_port()
        env = {**os.environ, "RATHAUS_DATA_DIR": data_dir, "RATHAUS_PORT": str(port)}
        if not keep_database_url:
            env.pop("RATHAUS_DATABASE_URL", None)
        print("setting up a fresh database …", file=sys.stderr)

        def set_up() -> None:
            rathaus(env, "migrate", "--noinput")
            for command in setup:
                rathaus(env, *command, check=command[0] not in tolerant)

        if sqlite_only(env):
            cached(json.dumps(["migrate", *setup]), data_dir, set_up)
        else:
            set_up()
        if prepare is not None:
            prepare(env)
        production = {
            **env,
            "RATHAUS_DEBUG": "false",
            "RATHAUS_SECRET_KEY": secrets.token_urlsafe(48),
            "RATHAUS_ALLOWED_HOSTS": "127.0.0.1",
            "RATHAUS_BEHIND_TLS_PROXY": "true",
            "RATHAUS_WEB_WORKERS": str(workers),
            "RATHAUS_LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        if info is not None:
            info["env"] = production
        collect = ["collectstatic", "--noinput"]
        cached("collectstatic", data_dir, lambda: rathaus(production, *collect), only="static")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "rathaus", command], env=production, cwd=ROOT, **quiet
            )
            for command in ("serve", "worker")
        ]
        try:
            deadline = time.monotonic() + 180  # a busy shared machine starts slowly
            while True:
                try:
                    get(port, "/health")
                    break
                except (OSError, RuntimeError):
                    if time.monotonic() > deadline:
                        raise SystemExit("server did not become healthy in time") from None
                    time.sleep(0.3)
            yield port
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)


Row = tuple[str, int, float, float, float]
"""One line of :func:`print_table`: what, clients, p50 ms, p95 ms, requests per second."""


def summarize(durations: Sequence[float]) -> tuple[float, float, float]:
    """p50 and p95 in ms and requests per second of requests sent one after another."""
    ordered = sorted(durations)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered) * 1000, p95 * 1000, len(ordered) / sum(ordered)


def time_in_process(
    paths: Sequence[tuple[str, str]], repeats: int, count_queries: bool = False
) -> list[Row]:
    """Times ``repeats`` requests of each (label, path) through Django's test client (the whole
    middleware stack, no network), after one request that must answer 200; the label gets the
    size of the answer and, with ``count_queries``, the database queries of that first request."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    rows: list[Row] = []
    for label, path in paths:
        queries: list[str] = []

        def count(execute: Any, sql: str, *args: Any, found: list[str] = queries) -> Any:
            found.append(sql)
            return execute(sql, *args)

        if count_queries:
            # (not CaptureQueriesContext: each request starts by clearing the debug query log)
            with connection.execute_wrapper(count):
                response = client.get(path)
        else:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
        durations = []
        for _ in range(repeats):
            started = time.perf_counter()
            client.get(path)
            durations.append(time.perf_counter() - started)
        detail = f"{len(response.content) // 1024} kB"
        if count_queries:
            detail += f", {len(queries)} queries"
        rows.append((f"{label} ({detail})", 1, *summarize(durations)))
    return rows


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def database_name() -> str:
    return (
        "PostgreSQL"
        if os.environ.get("RATHAUS_DATABASE_URL", "").startswith("postgres")
        else "SQLite"
    )


def print_table(title: str, rows: list[Row], note: str) -> None:
    print(f"{title}: measured {date.today().isoformat()} on {os.cpu_count()} cores "
          f"({cpu_model()}), Python {platform.python_version()}, {database_name()}, "
          f"{note}.\n")  # fmt: skip
    print("| what | clients | p50 ms | p95 ms | requests/s |")
    print("|---|---:|---:|---:|---:|")
    for what, clients, p50, p95, rate in rows:
        print(f"| {what} | {clients} | {p50:.1f} | {p95:.1f} | {rate:.0f} |")
    print()
