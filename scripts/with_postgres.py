#!/usr/bin/env python3
"""Run a command against a throw-away PostgreSQL server.

The test suite normally runs on SQLite, the default database of rathaus. Production sites may use
PostgreSQL instead, and the two differ in ways that matter (transaction isolation, locking, type
strictness, case-sensitive ``LIKE``, sequence behaviour), so the suite is also run a second time
against a real PostgreSQL server. This script provides that server without touching any system
cluster: it creates a private cluster in a temporary directory, starts it on a free TCP port on
127.0.0.1 (trust authentication, loopback only, no password), creates the database ``rathaus``
and runs the given command with ``RATHAUS_DATABASE_URL`` (and ``PGHOST``, ``PGPORT``, ``PGUSER``,
``PGDATABASE`` for psql) pointing at it. Afterwards the cluster is stopped and its directory is
deleted, also when the command fails or the script gets SIGINT or SIGTERM. The exit status is the
command's.

Usage::

    python3 scripts/with_postgres.py -- python3 -m pytest
    python3 scripts/with_postgres.py -- psql -c 'select version()'
    python3 scripts/with_postgres.py --print-url      # server for manual work, Ctrl-C stops it
    python3 scripts/with_postgres.py --replica -- CMD # and a streaming replica beside it

With ``--replica`` a second server is made from the first with ``pg_basebackup -R`` (a hot
standby that streams the first server's changes) on another free port, and the command gets
``RATHAUS_DATABASE_REPLICA_URL`` pointing at it too (docs/read-replicas.md).

The server binaries come from ``RATHAUS_PG_BINDIR``, else ``pg_config --bindir``, else the newest
``/usr/lib/postgresql/*/bin``, else ``initdb`` on PATH (Debian: ``apt-get install postgresql``).
``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` system user.

Only the Python standard library is used.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

PROG = "with_postgres"
DATABASE = "rathaus"
HOST = "127.0.0.1"
START_ATTEMPTS = 4  # the first try and up to three retries with another port
START_TIMEOUT = 60  # seconds, for pg_ctl start and stop
CHILD_SIGINT_GRACE = 10.0  # seconds the command gets to finish after Ctrl-C
CHILD_SIGTERM_GRACE = 10.0  # seconds the command gets after SIGTERM before SIGKILL
REQUIRED_PROGRAMS = ("initdb", "pg_ctl", "postgres", "createdb")
REPLICA_PROGRAMS = ("pg_basebackup",)
PORT_IN_USE_MARKERS = (
    "Address already in use",
    "could not bind",
    "could not create any TCP/IP sockets",
)
INSTALL_HINT = "install Debian's postgresql package: apt-get install postgresql"
PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>


class Interrupted(Exception):
    """Raised by the signal handler so that the ``finally`` blocks clean up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class ClusterError(Exception):
    """Setting up the cluster failed; the message says why."""


def log(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def die(message: str, status: int = 2) -> NoReturn:
    log(message)
    sys.exit(status)


# --- signals ---------------------------------------------------------------------------------

HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    # Only the first signal interrupts; later ones must not break off the cleanup.
    ignore_signals()
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    for signum in HANDLED_SIGNALS:
        signal.signal(signum, _on_signal)


def ignore_signals() -> None:
    for signum in HANDLED_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _unblock_signals_in_child() -> None:
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def spawn(
    cmd: Sequence[str], into: list[subprocess.Popen[bytes]], **kwargs: Any
) -> subprocess.Popen[bytes]:
    """Start ``cmd`` and append it to ``into`` before SIGINT/SIGTERM can interrupt us.

    A signal arriving between fork and assignment would otherwise leave a process nobody stops,
    so the signals stay blocked until the process is recorded; a pending one then raises
    Interrupted and the caller's cleanup finds the process in ``into``. The child gets an empty
    signal mask again before it execs.
    """
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED_SIGNALS)
    try:
        proc: subprocess.Popen[bytes] = subprocess.Popen(
            cmd, preexec_fn=_unblock_signals_in_child, **kwargs
        )
        into.append(proc)
        return proc
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def become_subreaper() -> None:
    """Adopt orphaned descendants, above all the postmaster once ``pg_ctl start`` has exited.

    Otherwise the stopped postmaster lingers as a zombie until PID 1 reaps it, which some
    container init processes do late or never. Linux only; elsewhere this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_zombies() -> None:
    """Collect exited adopted processes; only call this when no Popen is waiting any more."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def wait_for_exit(pid: int, timeout: float) -> bool:
    """Wait until process ``pid`` is gone (reaping it if it is our child); False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:  # not ours: watch it; a zombie has exited, too
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                pass
            if _is_zombie(pid):
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


# --- locating PostgreSQL ---------------------------------------------------------------------


def _has_programs(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in REQUIRED_PROGRAMS)


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); /usr/lib/postgresql/9.6/bin -> (9, 6)
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (-1,)


def find_bindir() -> Path:
    env_dir = os.environ.get("RATHAUS_PG_BINDIR")
    if env_dir:
        bindir = Path(env_dir)
        if not _has_programs(bindir):
            die(
                f"RATHAUS_PG_BINDIR={env_dir} lacks one of {', '.join(REQUIRED_PROGRAMS)}; "
                f"point it at a PostgreSQL server bin directory or {INSTALL_HINT}"
            )
        return bindir

    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and _has_programs(Path(out)):
            return Path(out)

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    for bindir in candidates:
        if _has_programs(bindir):
            return bindir

    initdb = shutil.which("initdb")
    if initdb and _has_programs(Path(initdb).resolve().parent):
        return Path(initdb).resolve().parent

    die(f"no PostgreSQL server binaries (initdb, pg_ctl, postgres) found; {INSTALL_HINT}")


# --- running the server programs as the right user -------------------------------------------


class RunAs:
    """Runs PostgreSQL programs as the owner of the cluster (``postgres`` when we are root)."""

    def __init__(self) -> None:
        self.prefix: list[str] = []
        self.uid: int | None = None
        self.gid: int | None = None
        self.su_fallback = False
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                die(
                    "running as root, but initdb refuses to run as root and there is no "
                    "'postgres' system user to run it as; create one (Debian's postgresql "
                    "package does: apt-get install postgresql) or run this script as a normal user"
                )
            self.user = entry.pw_name
            self.uid, self.gid = entry.pw_uid, entry.pw_gid
            runuser = shutil.which("runuser")
            if runuser:
                self.prefix = [runuser, "-u", self.user, "--"]
            else:
                su = shutil.which("su")
                if not su:
                    die("running as root, but neither runuser nor su is available")
                self.prefix = [su, self.user, "-s", "/bin/sh", "-c"]
                self.su_fallback = True
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name

    def wrap(self, cmd: Sequence[str]) -> list[str]:
        if self.su_fallback:
            return [*self.prefix, shlex.join(cmd)]
        return [*self.prefix, *cmd]

    def chown_tree(self, path: Path) -> None:
        if self.uid is None or self.gid is None:
            return
        os.chown(path, self.uid, self.gid)
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                os.chown(os.path.join(root, name), self.uid, self.gid, follow_symlinks=False)


def _helper_env() -> dict[str, str]:
    # PG* variables of the caller (PGDATA, PGPORT, PGHOST, ...) must not steer our programs.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_MESSAGES"] = "C"
    return env


def _stop_process_group(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Stop a helper started in its own session, with all its children."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def run_helper(
    runas: RunAs, cmd: Sequence[str], cwd: Path, timeout: float | None = None
) -> tuple[int, str]:
    """Run a PostgreSQL program as the cluster owner; return its exit status and output.

    It gets its own session, so a Ctrl-C at the terminal reaches only the command under test
    and this script, which then shuts the cluster down in order.
    """
    started: list[subprocess.Popen[bytes]] = []
    try:
        proc = spawn(
            runas.wrap(cmd),
            started,
            cwd=cwd,  # the caller's directory may be unreadable for the postgres user
            env=_helper_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out, _ = proc.communicate(timeout=timeout)
    except BaseException:
        for started_proc in started:
            _stop_process_group(started_proc)
        raise
    return proc.returncode, out.decode(errors="replace")


# --- the cluster -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Cluster:
    def __init__(self, bindir: Path, runas: RunAs) -> None:
        self.bindir = bindir
        self.runas = runas
        self.user = runas.user
        self.port = 0
        self.version = ""
        # Explicitly /tmp: $TMPDIR may be private to the caller and unreachable for postgres.
        self.dir = Path(tempfile.mkdtemp(prefix="rathaus-pg-", dir="/tmp"))
        self.logfile = self.dir / "server.log"
        self.pidfile = self.dir / "postmaster.pid"
        self._starting = False

    @property
    def url(self) -> str:
        return f"postgres://{self.user}@{HOST}:{self.port}/{DATABASE}"

    def child_env(self, replica: Cluster | None = None) -> dict[str, str]:
        env = dict(os.environ)
        if replica is not None:
            env["RATHAUS_DATABASE_REPLICA_URL"] = replica.url
        env.update(
            RATHAUS_DATABASE_URL=self.url,
            PGHOST=HOST,
            PGPORT=str(self.port),
            PGUSER=self.user,
            PGDATABASE=DATABASE,
        )
        return env

    def _run(self, program: str, *args: str, timeout: float | None = None) -> tuple[int, str]:
        return run_helper(self.runas, [str(self.bindir / program), *args], self.dir, timeout)

    def _check(self, program: str, *args: str) -> str:
        status, out = self._run(program, *args)
        if status != 0:
            raise ClusterError(f"{program} failed with exit status {status}:\n{out.rstrip()}")
        return out

    def init(self) -> None:
        self.runas.chown_tree(self.dir)
        out = self._check("postgres", "--version")  # "postgres (PostgreSQL) 15.10 (Debian ...)"
        match = re.search(r"PostgreSQL\)?\s+(\S+)", out)
        self.version = match.group(1) if match else out.strip()
        self._check(
            "initdb",
            f"--pgdata={self.dir}",
            f"--username={self.user}",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )

    def init_standby(self, primary: Cluster) -> None:
        """Copy ``primary`` with pg_basebackup; -R makes this a standby that streams from it."""
        self.runas.chown_tree(self.dir)
        self.version = primary.version
        self._check(
            "pg_basebackup",
            f"--pgdata={self.dir}",
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
            f"--host={HOST}",
            f"--port={primary.port}",
            f"--username={primary.user}",
        )
        # The primary keeps its log in its data directory: the copy starts a log of its own.
        self.logfile.unlink(missing_ok=True)

    def _log_tail(self, start: int = 0, lines: int = 30) -> str:
        try:
            with open(self.logfile, "rb") as fh:
                fh.seek(start)
                text = fh.read().decode(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"

    def start(self) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = free_port()
            options = " ".join(
                [
                    f"-c listen_addresses={HOST}",
                    f"-p {self.port}",
                    f"-c unix_socket_directories={shlex.quote(str(self.dir))}",
                    "-c fsync=off",  # throw-away cluster: durability does not matter
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=250",  # a rush test opens 200 connections at once
                ]
            )
            log_start = self.logfile.stat().st_size if self.logfile.exists() else 0
            self._starting = True
            status, out = self._run(
                "pg_ctl",
                "start",
                "-D",
                str(self.dir),
                "-l",
                str(self.logfile),
                "-w",
                "-t",
                str(START_TIMEOUT),
                "-o",
                options,
            )
            self._starting = False
            if status == 0:
                return
            new_log = self._log_tail(log_start, lines=1000)
            if attempt < START_ATTEMPTS and any(m in new_log for m in PORT_IN_USE_MARKERS):
                log(f"port {self.port} was taken meanwhile, trying another one")
                continue
            raise ClusterError(
                f"pg_ctl start failed with exit status {status}:\n{out.rstrip()}\n"
                f"--- tail of {self.logfile} ---\n{self._log_tail(log_start)}"
            )

    def createdb(self) -> None:
        self._check("createdb", "-h", HOST, "-p", str(self.port), "-U", self.user, DATABASE)

    def _postmaster_pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        if self._starting:
            # Interrupted during pg_ctl start: the postmaster may still be about to write its PID
            # file, and without that file pg_ctl stop cannot find it.
            deadline = time.monotonic() + 5
            while not self.pidfile.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        pid = self._postmaster_pid()
        if pid is None:
            return
        for mode in ("fast", "immediate"):
            status, out = self._run(
                "pg_ctl", "stop", "-D", str(self.dir), "-m", mode, "-w", "-t", str(START_TIMEOUT)
            )
            if status == 0 or not self.pidfile.exists():
                break
            log(f"pg_ctl stop -m {mode} failed ({status}): {out.strip()}")
        # pg_ctl returns once the PID file is gone, a moment before the postmaster has exited.
        if not wait_for_exit(pid, timeout=10):
            log(f"killing postmaster {pid}")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_for_exit(pid, timeout=10)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.dir.exists():
            log(f"could not remove {self.dir} completely")


def start_replica(primary: Cluster) -> Cluster:
    """A hot standby of ``primary`` on another free port, streaming its changes."""
    missing = [name for name in REPLICA_PROGRAMS if not os.access(primary.bindir / name, os.X_OK)]
    if missing:
        raise ClusterError(f"--replica needs {', '.join(missing)} in {primary.bindir}")
    replica = Cluster(primary.bindir, primary.runas)
    try:
        replica.init_standby(primary)
        replica.start()
    except BaseException:
        replica.stop()
        replica.remove()
        raise
    return replica


# --- the command under test ------------------------------------------------------------------


def stop_child(proc: subprocess.Popen[bytes], signum: int | None) -> None:
    """Make sure the command has ended before the database goes away."""
    if proc.poll() is not None:
        return
    if signum == signal.SIGINT:
        # A Ctrl-C at the terminal reached the command as well (same process group); give it
        # time to shut down cleanly before insisting. kill -INT to this script alone does not
        # reach it, which the SIGTERM below covers.
        try:
            proc.wait(timeout=CHILD_SIGINT_GRACE)
            return
        except subprocess.TimeoutExpired:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(timeout=CHILD_SIGTERM_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue


def exit_status(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    argv = list(argv)
    if "--" in argv:
        split = argv.index("--")
        own, command = argv[:split], argv[split + 1 :]
    else:
        own, command = argv, []
    parser = argparse.ArgumentParser(
        prog="with_postgres.py",
        usage="%(prog)s [--keep] [--print-url] [--replica] -- CMD [ARGS...]",
        description=(
            "Start a throw-away PostgreSQL cluster on a free port on 127.0.0.1, create the "
            f"database {DATABASE!r}, run CMD with RATHAUS_DATABASE_URL (and PGHOST, PGPORT, "
            "PGUSER, PGDATABASE) pointing at it, then stop and delete the cluster and exit with "
            "CMD's exit status."
        ),
        epilog="Everything after -- is the command.",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the data directory afterwards (prints where)"
    )
    parser.add_argument(
        "--print-url",
        action="store_true",
        help="print the database URL on stdout; without CMD, keep the server running until Ctrl-C",
    )
    parser.add_argument(
        "--replica",
        action="store_true",
        help="also start a streaming replica (pg_basebackup -R) and set "
        "RATHAUS_DATABASE_REPLICA_URL",
    )
    opts = parser.parse_args(own)
    if not command and not opts.print_url:
        parser.error("no command given; put it after --, or use --print-url")
    return opts, command


def main(argv: Sequence[str] | None = None) -> int:
    opts, command = parse_args(sys.argv[1:] if argv is None else argv)
    bindir = find_bindir()
    runas = RunAs()

    install_signal_handlers()
    become_subreaper()
    cluster: Cluster | None = None
    replica: Cluster | None = None
    children: list[subprocess.Popen[bytes]] = []  # the command, once started
    signum: int | None = None
    status = 1
    try:
        cluster = Cluster(bindir, runas)
        cluster.init()
        cluster.start()
        cluster.createdb()
        log(f"PostgreSQL {cluster.version} on {HOST}:{cluster.port} (data in {cluster.dir})")
        if opts.print_url:
            print(cluster.url, flush=True)
        if opts.replica:
            replica = start_replica(cluster)
            log(f"streaming replica on {HOST}:{replica.port} (data in {replica.dir})")
            if opts.print_url:
                print(replica.url, flush=True)
        if command:
            try:
                child = spawn(command, children, env=cluster.child_env(replica))
            except OSError as exc:
                log(f"cannot run {command[0]}: {exc}")
                status = 127
            else:
                status = exit_status(child.wait())
        else:
            log("server running; press Ctrl-C to stop it")
            while True:
                signal.pause()
    except Interrupted as exc:
        signum = exc.signum
        # 128 + signal unless the command's own status is known (see below); --print-url
        # without a command ends normally with Ctrl-C.
        status = 128 + signum if command else 0
    except ClusterError as exc:
        log(str(exc))
        status = 1
    finally:
        ignore_signals()
        for child in children:
            stop_child(child, signum)
            if signum is not None and child.returncode:
                status = exit_status(child.returncode)
        if replica is not None:
            replica.stop()
            if not opts.keep:
                replica.remove()
        if cluster is not None:
            cluster.stop()
            if opts.keep:
                log(f"data kept in {cluster.dir}")
            else:
                cluster.remove()
            log("stopped")
        reap_zombies()
    return status


if __name__ == "__main__":
    sys.exit(main())
