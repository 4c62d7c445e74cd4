#!/usr/bin/env python3
"""Run the two test passes of ``make test`` side by side.

The suite runs twice: everything on SQLite (browser and contract tests included), and the
database-specific tests (mark ``database``, ADR 0036) on a throw-away PostgreSQL server that
``scripts/with_postgres.py`` starts. Each pass keeps one CPU core busy, so on a machine with two
or more cores they run at the same time: the PostgreSQL pass in the background with its output
in a log file, the SQLite pass in the foreground. When both have ended, the PostgreSQL pass's
output is printed in full, then one line per pass; the exit status is 0 only if both passed.

``--serial`` runs them one after the other (the way ``make test`` did before; a machine with
one core does so by itself), to read the output as it comes: ``make test SERIAL=1``. Extra
arguments after ``--`` go to both pytest runs (e.g. ``-x``).

Only the Python standard library is used.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_MARKS = "database and not browser and not contract"


def commands(pytest: str, extra: list[str]) -> tuple[list[str], list[str]]:
    sqlite = [pytest, *extra]
    postgres = [
        sys.executable,
        str(ROOT / "scripts" / "with_postgres.py"),
        "--",
        pytest,
        "-m",
        POSTGRES_MARKS,
        # the SQLite pass keeps pytest's cache; two runs writing it at once would race
        "-p",
        "no:cacheprovider",
        *extra,
    ]
    return sqlite, postgres


def outcome(name: str, status: int) -> str:
    return f"{name}: {'passed' if status == 0 else f'FAILED (exit status {status})'}"


def run_serial(sqlite: list[str], postgres: list[str]) -> tuple[int, int]:
    first = subprocess.call(sqlite, cwd=ROOT)
    second = subprocess.call(postgres, cwd=ROOT)
    return first, second


def run_side_by_side(sqlite: list[str], postgres: list[str]) -> tuple[int, int]:
    with tempfile.NamedTemporaryFile(
        "w+", prefix="rathaus-postgres-pass-", suffix=".log", delete=False
    ) as log:
        log_path = Path(log.name)
    print(f"PostgreSQL pass: started in the background, output in {log_path}", flush=True)
    with log_path.open("w") as output:
        background = subprocess.Popen(
            postgres, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        print("SQLite pass:", flush=True)
        first = subprocess.call(sqlite, cwd=ROOT)
        second = background.wait()
        print(f"\nPostgreSQL pass ({' '.join(postgres[3:])}):", flush=True)
        print(log_path.read_text(errors="replace"), end="", flush=True)
    finally:
        if background.poll() is None:
            # with_postgres.py stops and removes its cluster on SIGTERM
            os.killpg(background.pid, signal.SIGTERM)
            background.wait()
        log_path.unlink()
    return first, second


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serial", action="store_true", help="one pass after the other")
    parser.add_argument("--pytest", default=str(ROOT / ".venv" / "bin" / "pytest"))
    parser.add_argument("extra", nargs="*", help="arguments for both pytest runs (after --)")
    args = parser.parse_args()
    sqlite, postgres = commands(args.pytest, args.extra)
    one_core = (os.cpu_count() or 1) < 2
    run = run_serial if args.serial or one_core else run_side_by_side
    first, second = run(sqlite, postgres)
    print(outcome("SQLite pass", first))
    print(outcome("PostgreSQL pass", second))
    return 0 if first == 0 and second == 0 else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
