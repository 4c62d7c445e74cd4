"""Every benchmark in bench/ still runs: each script once with ``--smoke`` (tiny sizes).

The scripts set up their own database and production-mode server; a broken set-up step or a
raw-SQL statement that no longer matches the tables fails here, not on the day someone wants
numbers. On PostgreSQL each script gets a fresh database on the test server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.support import ROOT

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

SCRIPTS = sorted(path.name for path in (ROOT / "bench").glob("*.py") if path.name != "common.py")
POSTGRES_ONLY = {"cases_inbox.py"}
# Scripts with SQL of their own run on both databases; the others measure through HTTP only,
# so the SQLite pass is enough for them (the PostgreSQL pass is for what is database-specific).
RAW_SQL = {
    "appointments.py",
    "cases_inbox.py",
    "documents_search.py",
    "mqtt_ingest.py",
    "sta_ingest.py",
    "sta_query.py",
}
# Scripts that run against the scale-out stack of deploy/stack.py (nginx, redis and a PostgreSQL
# server of its own): their smoke run is in tests/deploy/test_stack.py, on the stack that module
# starts anyway (once, in the SQLite pass).
ON_THE_STACK = {"load_faults.py"}


def test_every_benchmark_has_a_smoke_mode():
    assert SCRIPTS, "no benchmark scripts found"
    for script in SCRIPTS:
        text = (ROOT / "bench" / script).read_text(encoding="utf-8")
        assert "add_smoke_option(parser)" in text, f"bench/{script} has no --smoke"
    on_the_stack = (ROOT / "tests" / "deploy" / "test_stack.py").read_text(encoding="utf-8")
    for script in ON_THE_STACK:
        assert f'"{script}"), "--smoke"' in on_the_stack


@pytest.fixture(scope="module")
def set_up_once(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Where the smoke runs share what they set up alike (bench/common.py RATHAUS_BENCH_CACHE):
    the migrated SQLite data directory, with the demo where a script loads it, and the collected
    static files are made by the first script that needs them and copied by the others."""
    return str(tmp_path_factory.mktemp("bench-set-up"))


@pytest.fixture
def bench_database(set_up_once: str) -> Iterator[dict[str, str]]:
    """The environment for a benchmark: a new SQLite file, or a new PostgreSQL database."""
    env = dict(os.environ, RATHAUS_BENCH_CACHE=set_up_once)
    env.pop("RATHAUS_DATABASE_URL", None)
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    settings = connection.settings_dict
    server = {"host": settings["HOST"], "port": settings["PORT"], "user": settings["USER"]}
    name = f"bench_smoke_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["RATHAUS_DATABASE_URL"] = (
        f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    )
    try:
        yield env
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pass_of(script: str) -> pytest.ParameterSet:
    """PostgreSQL-only scripts are left out of the SQLite pass, scripts without SQL of their own
    out of the PostgreSQL pass (marks, so that neither pass has a skipped test)."""
    if script in POSTGRES_ONLY:
        return pytest.param(script, marks=pytest.mark.postgresql)
    if script not in RAW_SQL:
        return pytest.param(script, marks=pytest.mark.sqlite_pass)
    return pytest.param(script)


@pytest.mark.parametrize(
    "script", [_pass_of(script) for script in SCRIPTS if script not in ON_THE_STACK]
)
def test_benchmark_runs_in_smoke_mode(script, bench_database):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--smoke"],
        cwd=ROOT, env=bench_database, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    # the script's findings (what failed) are in its output, the traceback in its errors
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "| what | clients | p50 ms | p95 ms | requests/s |" in result.stdout
