#!/usr/bin/env python3
"""Load and faults: the scale-out stack under a realistic mix while processes are killed.

Starts the stack of deploy/stack.py (nginx, 2 web instances, 2 task workers, PostgreSQL,
redis, the Barleben demo) in a temporary state directory, and lets ``--clients`` virtual users
(threads, standard library only) use the site as browsers do for ``--minutes`` minutes. The
requests are mixed 70 % browsing (start page, catalogue, topics, service pages, other public
pages), 15 % appointment availability and booking (month, day, details with the CSRF token and
the solved ALTCHA proof, held), 10 % submissions of the demo form "Anliegen an die Gemeinde"
with a PNG upload, 5 % staff inbox (a demo clerk logged in with password and TOTP code). Each
visitor connects from its own loopback address, so the per-address rate limits apply per visitor.

During the run: kill -9 web instance 1 (and start it again), kill -9 worker 1 (and start it
again), restart PostgreSQL. Then, after the workers drained the queue: every booking and
submission the server acknowledged is in the database exactly once (those without an
acknowledgement at most once), each with exactly one e-mail (and each submission one case),
every e-mail of the run is sent, no task of the run waits, runs or failed, no dead letter.

Prints requests/s, p50/p95/p99 per kind, errors by kind and reason, the faults with the errors
that followed each, and the checks; the exit status is 1 if a check failed.

    .venv/bin/python bench/load_faults.py [--minutes 10] [--clients 8]
    .venv/bin/python bench/load_faults.py --attach var/stack   # a running `make stack --demo`

``--smoke`` runs 20 seconds with the faults close together (tests/test_bench_smoke.py).
Only 127.0.0.0/8 is contacted; the stack is stopped at the end (not with ``--attach``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import queue
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from common import ROOT, add_smoke_option, print_table
from loadgen.client import SLOW, Browser, Recorder, StepFailed
from loadgen.scenarios import CLERKS, KINDS, MIX, Clerk, Ledger, Site, book, browse, discover, inbox
from loadgen.scenarios import submit as submit_form

STACK = ROOT / "deploy" / "stack.py"
EXPECTED = {"browsing": 1, "booking": 7, "submission": 10, "staff": 2}  # requests per visit
# When each fault happens, in seconds after the start for a run of 600 s (scaled to the run's
# length); each killed process is started again a while later, as an operator or systemd would.
FAULTS = [
    (90, "kill web 1"),
    (150, "start web 1"),
    (240, "kill worker 1"),
    (300, "start worker 1"),
    (390, "restart-postgres"),
]
# --smoke: the same faults close together; the load goes on until they are done
SMOKE_FAULTS = [
    (2, "kill web 1"),
    (4, "start web 1"),
    (6, "kill worker 1"),
    (7, "start worker 1"),
    (10, "restart-postgres"),
]
TAIL = 3.0  # seconds of load after the last fault at least
KILL_WAIT = 20.0  # seconds to wait for a moment when the worker runs a task (--smoke: 5)


BEGAN = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - BEGAN:5.0f} s] {message}", file=sys.stderr, flush=True)


class Stack:
    """deploy/stack.py in a state directory: started here, or one that runs already."""

    def __init__(self, state_dir: Path, own: bool) -> None:
        self.state_dir = state_dir
        self.own = own
        self.data: dict[str, object] = {}

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(STACK), "--state-dir", str(self.state_dir), *args],
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip

    def up(self, web: int, workers: int) -> None:
        say(f"starting the stack ({web} web, {workers} workers, demo data) …")
        result = self.command("up", "-n", str(web), "-m", str(workers), "--demo")
        if result.returncode != 0:
            raise SystemExit(f"deploy/stack.py up failed:\n{result.stderr[-3000:]}")
        self.load()

    def load(self) -> None:
        self.data = json.loads((self.state_dir / "stack.json").read_text())

    def down(self) -> None:
        result = self.command("down")
        if result.returncode != 0:
            print(f"deploy/stack.py down failed:\n{result.stderr[-2000:]}", file=sys.stderr)

    def sweep_log_lines(self) -> list[str]:
        """What the workers' task sweep reported (tasks of dead workers queued again)."""
        lines = []
        for log in sorted((self.state_dir / "logs").glob("worker-*.log")):
            lines += [line for line in log.read_text(errors="replace").splitlines()
                      if "task sweep" in line or "set aside" in line]  # fmt: skip
        return lines

    def error_lines(self) -> Counter[str]:
        """ERROR and FATAL lines of the stack's logs and of PostgreSQL's, counted by message
        (numbers replaced by N), to show what the faults did inside the stack."""
        paths = sorted((self.state_dir / "logs").glob("*.log"))
        server_log = self.data["processes"]["postgres"].get("log")  # type: ignore[index]
        if server_log:
            paths.append(Path(server_log))
        found: Counter[str] = Counter()
        for path in paths:
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            for line in text.splitlines():
                match = re.search(r"\b(ERROR|FATAL)\b:?\s*(.*)", line)
                if match:
                    message = re.sub(r"\d+", "N", match.group(2))[:110]
                    found[f"{path.stem}: {match.group(1)} {message}"] += 1
        return found


class Load:
    """The virtual users: each picks the kind of visit that the mix lacks most, then runs it."""

    def __init__(self, base_url: str, site: Site, clients: int, seed: int) -> None:
        self.base_url = base_url
        self.site = site
        self.clients = clients
        self.recorder = Recorder()
        self.ledger = Ledger(uuid.uuid4().hex[:8])
        self.planned: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.visitors = 0
        self.seed = seed
        self.clerks: queue.Queue[Clerk] = queue.Queue()
        for number, username in enumerate(CLERKS):
            browser = Browser(base_url, self.recorder, f"127.0.1.{number + 1}")
            browser.kind = "staff"
            self.clerks.put(Clerk(username, browser))
        self.errors_at: list[tuple[float, str, str]] = []
        self.started = 0.0
        self.kill_wait = KILL_WAIT

    def _kind(self) -> str:
        with self.lock:
            total = sum(self.planned.values()) + 1
            kind = max(KINDS, key=lambda k: MIX[k] * total - self.planned[k])
            self.planned[kind] += EXPECTED[kind]
            self.visitors += 1
            return kind

    def _browser(self, kind: str) -> Browser:
        with self.lock:
            number = self.visitors
        # 127.1.0.1 … : one address per visitor (see Browser)
        source = f"127.{1 + (number >> 16) % 254}.{(number >> 8) & 0xFF}.{number & 0xFF}"
        browser = Browser(self.base_url, self.recorder, source)
        browser.kind = kind
        return browser

    def visit(self, rng: random.Random) -> None:
        kind = self._kind()
        browser = None
        clerk = self.clerks.get() if kind == "staff" else None
        browser = clerk.browser if clerk is not None else self._browser(kind)
        before = browser.sent
        try:
            if clerk is not None:
                inbox(clerk, rng)
            elif kind == "booking":
                book(browser, self.site, rng, self.ledger)
            elif kind == "submission":
                submit_form(browser, rng, self.ledger)
            else:
                browse(browser, self.site, rng)
        except StepFailed as failed:
            with self.lock:
                self.errors_at.append((time.monotonic() - self.started, kind, str(failed)))
        finally:
            if clerk is not None:
                self.clerks.put(clerk)
            with self.lock:
                self.planned[kind] += browser.sent - before - EXPECTED[kind]

    def run(self, seconds: float, faults: list[tuple[float, str]], stack: Stack) -> list[str]:
        """Load for ``seconds``, or until TAIL seconds after the last fault if that is later."""
        self.started = time.monotonic()
        end = [self.started + seconds]

        def client(number: int) -> None:
            rng = random.Random(self.seed * 1000 + number)  # noqa: S311 (load, not secrets)
            while time.monotonic() < end[0]:
                self.visit(rng)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(self.clients)]
        for thread in threads:
            thread.start()
        done: list[str] = []
        try:
            for at_second, action in faults:
                delay = self.started + at_second - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                at = time.monotonic() - self.started
                stack.load()  # the pids as they are now (a process may have been restarted)
                if action == "kill worker 1":
                    action, outcome = self.kill_worker_in_task(stack, 1)
                else:
                    result = stack.command(*action.split())
                    outcome = "ok" if result.returncode == 0 else f"FAILED: {result.stderr[-300:]}"
                took = time.monotonic() - self.started - at
                done.append(f"{at:6.1f} s  {action} ({took:.1f} s): {outcome}")
                say(f"fault: {done[-1]}")
            end[0] = max(end[0], time.monotonic() + TAIL)
        except BaseException:  # Ctrl-C: the clients stop after their visit
            end[0] = 0.0
            raise
        finally:
            for thread in threads:
                while thread.is_alive():
                    thread.join(60)
                    self.progress()
        self.elapsed = time.monotonic() - self.started
        return done

    def progress(self) -> None:
        recorder = self.recorder
        with recorder.lock:
            done, failed = sum(recorder.requests.values()), sum(recorder.errors.values())
        say(f"{done} requests, {failed} failed, {time.monotonic() - self.started:.0f} s")

    def kill_worker_in_task(self, stack: Stack, number: int) -> tuple[str, str]:
        """SIGKILL to the worker's process group, as `deploy/stack.py kill worker N` does, but
        at a moment when the worker runs a task (watched in the database for up to
        KILL_WAIT seconds): starting stack.py takes longer than most tasks run."""
        from loadgen.checks import running_task

        entry = stack.data["processes"]["worker"][number - 1]  # type: ignore[index]
        pid = int(entry["pid"])
        deadline = time.monotonic() + self.kill_wait
        task = ""
        while not task and time.monotonic() < deadline:
            task = running_task(pid)
            if not task:
                time.sleep(0.01)
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            return f"kill worker {number}", "FAILED: the worker was not running"
        where = f" while it ran {task}" if task else " (it ran no task then)"
        return f"kill -9 worker {number}{where}", "ok"


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    if len(samples) < 2:
        value = samples[0] * 1000 if samples else 0.0
        return value, value, value
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def report(load: Load, faults: list[str], clients: int, note: str) -> None:
    recorder = load.recorder
    total = sum(recorder.requests.values())
    rows = []
    for kind in (*KINDS, "all"):
        samples = (
            [s for k in KINDS for s in recorder.latencies.get(k, [])]
            if kind == "all"
            else recorder.latencies.get(kind, [])
        )
        count = total if kind == "all" else recorder.requests[kind]
        p50, p95, _p99 = percentiles(samples)
        rows.append((kind, clients, p50, p95, count / load.elapsed))
    print_table("Load with faults", rows, note)
    print("| kind | requests | share | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    for kind in (*KINDS, "all"):
        samples = recorder.latencies.get(kind, []) if kind != "all" else [
            s for k in KINDS for s in recorder.latencies.get(k, [])
        ]  # fmt: skip
        count = total if kind == "all" else recorder.requests[kind]
        errors = sum(n for (k, _r), n in recorder.errors.items() if kind in {k, "all"})
        print(f"| {kind} | {count} | {100 * count / max(total, 1):.0f} % | "
              f"{percentiles(samples)[2]:.0f} | {errors} |")  # fmt: skip
    print("\nErrors by kind and reason (a request counts once, a POST sent again counts again):\n")
    for (kind, reason), count in sorted(recorder.errors.items()) or [(("none", "-"), 0)]:
        print(f"- {kind}: {reason}: {count}")
    print("\nFaults (seconds after the start; what failed or was slow in the 30 s after each):\n")
    for line in faults:
        at = float(line.split()[0])
        near = Counter(kind for when, kind, _ in load.errors_at if at <= when < at + 30)
        slow = Counter(
            kind for when, kind, _ in recorder.slow if at <= when - load.started < at + 30
        )
        print(f"- {line}; failed visits: {dict(near) or 'none'}; "
              f"requests slower than {SLOW:.0f} s: {dict(slow) or 'none'}")  # fmt: skip
    print("\nVisits:", ", ".join(f"{k}: {v}" for k, v in sorted(recorder.events.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the run")
    parser.add_argument("--clients", type=int, default=8, help="virtual users at once")
    parser.add_argument("--seed", type=int, default=20261207, help="seed of the visitors' choices")
    parser.add_argument("--attach", type=Path, help="use the running stack in this state dir")
    add_smoke_option(parser)
    args = parser.parse_args()
    seconds = 20.0 if args.smoke else args.minutes * 60
    clients = 4 if args.smoke else args.clients
    drain_timeout = 120.0 if args.smoke else 600.0
    own = args.attach is None
    state_dir = Path(tempfile.mkdtemp(prefix="rathaus-load-")) if own else args.attach
    stack = Stack(state_dir, own)
    try:
        if own:
            stack.up(web=2, workers=2)
        else:
            stack.load()
        from loadgen.checks import setup_django, verify

        setup_django(dict(stack.data["env"]))  # type: ignore[call-overload]
        base_url = str(stack.data["url"])
        site = discover(Browser(base_url, Recorder(), "127.0.0.1"))
        load = Load(base_url, site, clients, args.seed)
        if args.smoke:
            load.kill_wait = 5.0
        since = dt.datetime.now(dt.UTC)
        say(f"load: {clients} clients for {seconds:.0f} s against {base_url}")
        schedule = (
            SMOKE_FAULTS if args.smoke else [(at * seconds / 600, what) for at, what in FAULTS]
        )
        faults = load.run(seconds, schedule, stack)
        say("load stopped; waiting for the workers, then checking the database …")
        findings = verify(load.ledger, since, drain_timeout)
        findings.check(
            all(load.recorder.latencies.get(kind) for kind in KINDS)
            and load.ledger.bookings
            and load.ledger.submissions,
            "every kind of visit had answered requests, bookings and submissions were made",
        )
        findings.check(all(line.endswith(": ok") for line in faults), "every fault was applied")
        note = (
            f"{seconds / 60:.1f} minutes, nginx + 2 web instances (2 gunicorn processes each) + "
            f"2 workers + PostgreSQL + redis on the same machine, with the faults below"
        )
        report(load, faults, clients, note)
        print("\nTask sweep in the workers' logs:")
        for line in stack.sweep_log_lines() or ["(nothing requeued)"]:
            print(f"    {line.strip()[-160:]}")
        print("\nERROR and FATAL lines in the logs of the stack and of PostgreSQL:\n")
        for line, count in sorted(stack.error_lines().items()) or [("(none)", 0)]:
            print(f"- {line}" + (f" ({count}×)" if count else ""))
        print("\nAfter the run:\n")
        print("\n".join(findings.lines))
    finally:
        if own:
            say("stopping the stack …")
            stack.down()
            import shutil

            shutil.rmtree(state_dir, ignore_errors=True)
    if findings.problems:
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
