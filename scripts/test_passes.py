#!/usr/bin/env python3
"""Run the test passes of ``make test`` side by side.

The suite runs twice: everything on SQLite (browser and contract tests included), and the
database-specific tests (mark ``database``, ADR 0036) on a throw-away PostgreSQL server that
``scripts/with_postgres.py`` starts. Each pass keeps one CPU core busy, so on a machine with two
or more cores they run at the same time, in two lanes: the SQLite pass without the browser tests
in the foreground, the PostgreSQL pass in the background with its output in a log file. The lane
that ends first runs the browser tests (on SQLite) after it, so that both cores stay busy to the
end. When all have ended, the logged output is printed in full, then one line per pass; the exit
status is 0 only if all passed.

``--serial`` runs them one after the other (a machine with one core does so by itself), to
read the output as it comes: ``make test SERIAL=1``. Extra arguments after ``--`` go to every
pytest run (e.g. ``-x``, or a test path: a pass that then has no test counts as passed).

Only the Python standard library is used.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_MARKS = "database and not browser and not contract and not sqlite_pass"
SQLITE_MARKS = "not browser and not postgresql"
NO_TESTS = 5  # pytest's exit status when a selection holds no test


def commands(pytest: str, extra: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The SQLite pass without the browser tests, the browser tests, the PostgreSQL pass."""
    sqlite = [pytest, "-m", SQLITE_MARKS, *extra]
    # the SQLite pass keeps pytest's cache; two runs writing it at once would race
    browser = [pytest, "-m", "browser", "-p", "no:cacheprovider", *extra]
    postgres = [
        sys.executable,
        str(ROOT / "scripts" / "with_postgres.py"),
        "--",
        pytest,
        "-m",
        POSTGRES_MARKS,
        "-p",
        "no:cacheprovider",
        *extra,
    ]
    return sqlite, browser, postgres


def outcome(name: str, status: int) -> str:
    return f"{name}: {'passed' if status == 0 else f'FAILED (exit status {status})'}"


def run_serial(sqlite: list[str], browser: list[str], postgres: list[str]) -> list[int]:
    return [subprocess.call(command, cwd=ROOT) for command in (sqlite, browser, postgres)]


class Lanes:
    """Two lanes, one per core: the SQLite pass in the foreground, the PostgreSQL pass in the
    background; the lane that ends first runs the browser tests (on SQLite) after it, so
    neither core waits while the other still has most of the work."""

    def __init__(self, browser: list[str]) -> None:
        self.browser = browser
        self.lock = threading.Lock()
        self.browser_taken = False
        self.browser_status = 0
        self.browser_log = ""
        self.children: list[subprocess.Popen[bytes]] = []

    def _take_browser(self) -> bool:
        with self.lock:
            if self.browser_taken:
                return False
            self.browser_taken = True
            return True

    def _run(self, command: list[str], log: Path | None) -> int:
        if log is None:
            child = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
        else:
            with log.open("w") as output:
                child = subprocess.Popen(
                    command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
        self.children.append(child)
        return child.wait()

    def lane(self, command: list[str], log: Path | None) -> int:
        status = self._run(command, log)
        if self._take_browser():
            where = "in the foreground" if log is None else "after the PostgreSQL pass"
            print(f"Browser tests: {where}", flush=True)
            browser_log = _log_file("browser") if log is not None else None
            self.browser_status = self._run(self.browser, browser_log)
            if browser_log is not None:
                self.browser_log = browser_log.read_text(errors="replace")
                browser_log.unlink()
        return status

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                # with_postgres.py stops and removes its cluster on SIGTERM
                os.killpg(child.pid, signal.SIGTERM)
                child.wait()


def _log_file(name: str) -> Path:
    with tempfile.NamedTemporaryFile(
        "w+", prefix=f"rathaus-{name}-pass-", suffix=".log", delete=False
    ) as log:
        return Path(log.name)


def run_side_by_side(sqlite: list[str], browser: list[str], postgres: list[str]) -> list[int]:
    lanes = Lanes(browser)
    log_path = _log_file("postgres")
    print(f"PostgreSQL pass: started in the background, output in {log_path}", flush=True)
    statuses: dict[str, int] = {}
    background = threading.Thread(
        target=lambda: statuses.__setitem__("postgres", lanes.lane(postgres, log_path))
    )
    background.start()
    try:
        print("SQLite pass:", flush=True)
        statuses["sqlite"] = lanes.lane(sqlite, None)
        background.join()
        print(f"\nPostgreSQL pass ({' '.join(postgres[3:])}):", flush=True)
        print(log_path.read_text(errors="replace"), end="", flush=True)
        if lanes.browser_log:
            print("\nBrowser tests:", flush=True)
            print(lanes.browser_log, end="", flush=True)
    finally:
        lanes.stop()
        log_path.unlink(missing_ok=True)
    return [statuses.get("sqlite", 1), lanes.browser_status, statuses.get("postgres", 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serial", action="store_true", help="one pass after the other")
    parser.add_argument("--pytest", default=str(ROOT / ".venv" / "bin" / "pytest"))
    parser.add_argument("extra", nargs="*", help="arguments for both pytest runs (after --)")
    args = parser.parse_args()
    sqlite, browser, postgres = commands(args.pytest, args.extra)
    one_core = (os.cpu_count() or 1) < 2
    run = run_serial if args.serial or one_core else run_side_by_side
    statuses = run(sqlite, browser, postgres)
    if args.extra:
        # a selection given after `--` may leave a pass without tests (pytest's status 5)
        statuses = [0 if status == NO_TESTS else status for status in statuses]
    for name, status in zip(
        ("SQLite pass", "Browser tests", "PostgreSQL pass"), statuses, strict=True
    ):
        print(outcome(name, status))
    return 0 if not any(statuses) else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
