#!/usr/bin/env python3
"""The scale-out stack on one machine: nginx, N web instances, M task workers, PostgreSQL, redis.

This is the set-up of docs/operations.md, run for real on this machine, for the smoke test
(tests/deploy/test_stack.py), the load-and-fault run (bench/load_faults.py) and for trying it
out (``make stack``). Every process runs with its files in one state directory (default
``var/stack``): a throw-away PostgreSQL cluster (as the ``postgres`` user when run as root, see
scripts/with_postgres.py; in /tmp when that user cannot reach the state directory),
``redis-server`` without persistence, N ``rathaus serve`` (gunicorn) instances each on its own
port, M ``rathaus worker`` processes, and Debian's ``nginx`` in front of the web instances with
its own configuration, pid file, temporary and log paths. ``STATE_DIR/stack.json`` records every
process's pid and port, the database URL and the environment the processes run with.

Usage (the command line is stable; bench/load_faults.py drives it)::

    deploy/stack.py up [-n 2] [-m 2] [--demo] [--port PORT] [--web-workers 2] [--foreground]
    deploy/stack.py status [--json]
    deploy/stack.py kill web N | worker N | redis     # SIGKILL to the process group (faults)
    deploy/stack.py start web N | worker N | redis
    deploy/stack.py restart-postgres [--pause SECONDS]
    deploy/stack.py down

All take ``--state-dir DIR`` before the subcommand. ``up`` returns once everything answers and
prints the URL; with ``--foreground`` it stays and runs ``down`` on Ctrl-C or SIGTERM. The
processes run like ``make run`` (RATHAUS_DEMO=true, RATHAUS_DEBUG=false: plain HTTP on this
machine); ``--demo`` also loads the demo data and starts the payment sandbox. Linux only (process
identity is checked in /proc so that a reused pid is never taken for one of ours).

Only the Python standard library is used.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import http.client
import json
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import with_postgres as pg  # noqa: E402 (scripts/ is not a package)

PROG = "stack"
HOST = "127.0.0.1"
STATE_VERSION = 1
DEFAULT_STATE_DIR = ROOT / "var" / "stack"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "rathaus.conf.in"
NGINX_MAIN_TEMPLATE = ROOT / "deploy" / "nginx" / "stack-nginx.conf.in"
START_TIMEOUT = 90.0  # seconds until a web instance answers
STOP_GRACE = 15.0  # seconds between SIGTERM and SIGKILL
SANDBOX_API_KEY = "demo-sandbox-api-key"  # the demo sandbox's published key
SANDBOX_WEBHOOK_KEYS = "demo1:demo-webhook-secret-not-for-production"


def log(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def die(message: str, status: int = 2) -> NoReturn:
    log(message)
    sys.exit(status)


# --- processes -------------------------------------------------------------------------------


def _proc_stat(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the fields after the command name, which may itself hold spaces and parentheses
    return stat.rpartition(")")[2].split()


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    fields = _proc_stat(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


def alive(entry: dict[str, Any] | None) -> bool:
    """Whether the process recorded in ``entry`` still runs (not a zombie, not a reused pid)."""
    if not entry or not entry.get("pid"):
        return False
    fields = _proc_stat(int(entry["pid"]))
    if fields is None or fields[0] in {"Z", "X"}:
        return False
    recorded = entry.get("start_time")
    return recorded is None or int(fields[19]) == int(recorded)


def reap() -> None:
    """Collect our exited children (in ``up --foreground``), so none lingers as a zombie."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def signal_group(entry: dict[str, Any], sig: int) -> None:
    """Send ``sig`` to the process group of ``entry`` (each process leads its own session)."""
    if not alive(entry):
        return
    pid = int(entry["pid"])
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
    except PermissionError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def wait_gone(entries: list[dict[str, Any]], timeout: float) -> list[dict[str, Any]]:
    """Wait until the processes have ended; return those still alive after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        reap()
        left = [entry for entry in entries if alive(entry) or _group_alive(entry)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


def _group_alive(entry: dict[str, Any]) -> bool:
    """Whether any process of the entry's group is left (gunicorn workers outlive a killed
    master for a moment)."""
    pid = entry.get("pid")
    if not pid:
        return False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _proc_stat(int(stat.parent.name))
        if fields and len(fields) > 2 and fields[2] == str(pid) and fields[0] not in {"Z", "X"}:
            return True
    return False


def stop_entries(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        signal_group(entry, signal.SIGTERM)
    for entry in wait_gone(entries, STOP_GRACE):
        log(f"{entry.get('name', entry.get('pid'))} did not stop; killing it")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(int(entry["pid"]), signal.SIGKILL)
    wait_gone(entries, 5)


def spawn(name: str, argv: list[str], env: dict[str, str], logfile: Path) -> dict[str, Any]:
    """Start ``argv`` in its own session with its output appended to ``logfile``."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with open(logfile, "ab") as output:
        output.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {shlex.join(argv)}\n".encode())
        output.flush()
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return {"name": name, "pid": proc.pid, "start_time": start_time(proc.pid), "log": str(logfile)}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def http_status(port: int, path: str, timeout: float = 5.0) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_http(name: str, port: int, path: str, entry: dict[str, Any] | None) -> None:
    """Wait until ``port`` answers ``path`` over HTTP, whatever the status: /health says 503
    while no worker has beaten yet, but the process answers, which is what counts here."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        with contextlib.suppress(OSError, http.client.HTTPException):
            http_status(port, path)
            return
        if entry is not None and not alive(entry):
            die(f"{name} ended while starting; see {entry['log']}", 1)
        if time.monotonic() >= deadline:
            die(f"{name} did not answer on port {port} within {START_TIMEOUT:.0f} s", 1)
        time.sleep(0.2)


def wait_port(name: str, port: int, entry: dict[str, Any]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        if not alive(entry):
            die(f"{name} ended while starting; see {entry['log']}", 1)
        if time.monotonic() >= deadline:
            die(f"{name} did not listen on port {port} within {START_TIMEOUT:.0f} s", 1)
        time.sleep(0.1)


# --- the state directory ---------------------------------------------------------------------


class State:
    """STATE_DIR/stack.json, changed under an exclusive lock (STATE_DIR/stack.lock)."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory.resolve()
        self.file = self.dir / "stack.json"
        self.data: dict[str, Any] = {}

    @contextlib.contextmanager
    def locked(self) -> Iterator[State]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "stack.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.load()
            yield self

    def load(self) -> dict[str, Any]:
        try:
            self.data = json.loads(self.file.read_text())
        except FileNotFoundError:
            self.data = {}
        except (OSError, ValueError) as exc:
            die(f"cannot read {self.file}: {exc}")
        return self.data

    def save(self) -> None:
        temporary = self.file.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(self.data, indent=2, sort_keys=True) + "\n")
        os.replace(temporary, self.file)

    def require(self) -> dict[str, Any]:
        if not self.data:
            die(f"no stack in {self.dir} (start one with: deploy/stack.py up)")
        return self.data

    def entries(self) -> list[dict[str, Any]]:
        processes = self.data.get("processes", {})
        found: list[dict[str, Any]] = []
        for key in ("nginx", "sandbox", "redis"):
            if processes.get(key):
                found.append(processes[key])
        found += processes.get("web", []) + processes.get("worker", [])
        return found


# --- PostgreSQL ------------------------------------------------------------------------------


class Postgres:
    """A private cluster; as root it runs as ``postgres`` (initdb refuses root)."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.bindir = Path(info["bindir"])
        self.runas = pg.RunAs()
        self.dir = Path(info["data_dir"])

    @classmethod
    def create(cls, state_dir: Path) -> Postgres:
        bindir = pg.find_bindir()
        data_dir = state_dir / "postgres"
        # The socket lives in the data directory (its path has a length limit), and as root the
        # server runs as postgres, which must reach the directory; otherwise /tmp.
        socket_path = data_dir / ".s.PGSQL.65535"
        if len(str(socket_path)) > 100 or (
            os.geteuid() == 0 and not _traversable_by_others(state_dir)
        ):
            data_dir = Path(tempfile.mkdtemp(prefix="rathaus-stack-pg-", dir="/tmp"))
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            data_dir.mkdir(mode=0o700, parents=True)
        server = cls({"bindir": str(bindir), "data_dir": str(data_dir), "port": 0})
        server.info["user"] = server.runas.user
        server.info["log"] = str(data_dir / "server.log")
        server.runas.chown_tree(data_dir)
        server.check(
            "initdb",
            f"--pgdata={data_dir}",
            f"--username={server.runas.user}",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        return server

    @property
    def url(self) -> str:
        return f"postgres://{self.info['user']}@{HOST}:{self.info['port']}/{pg.DATABASE}"

    def run(self, program: str, *args: str) -> tuple[int, str]:
        return pg.run_helper(self.runas, [str(self.bindir / program), *args], self.dir, 120)

    def check(self, program: str, *args: str) -> str:
        status, out = self.run(program, *args)
        if status != 0:
            die(f"{program} failed with exit status {status}:\n{out.rstrip()}", 1)
        return out

    def start(self) -> None:
        """Start the server; on the first start pick a free port (again if it was taken)."""
        fixed = bool(self.info.get("port"))
        for attempt in range(1, pg.START_ATTEMPTS + 1):
            port = self.info["port"] if fixed else free_port()
            options = " ".join(
                [
                    f"-c listen_addresses={HOST}",
                    f"-p {port}",
                    f"-c unix_socket_directories={shlex.quote(str(self.dir))}",
                    "-c fsync=off",  # a stack for tests on one machine: durability does not matter
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=200",
                ]
            )
            logfile = Path(self.info["log"])
            offset = logfile.stat().st_size if logfile.exists() else 0
            status, out = self.run(
                "pg_ctl", "start", "-D", str(self.dir), "-l", str(logfile), "-w",
                "-t", str(pg.START_TIMEOUT), "-o", options,
            )  # fmt: skip
            if status == 0:
                self.info["port"] = port
                self.info["pid"] = self.postmaster_pid()
                self.info["start_time"] = start_time(self.info["pid"] or 0)
                return
            with open(logfile, "rb") as fh:
                fh.seek(offset)
                new_log = fh.read().decode(errors="replace")
            if (
                not fixed
                and attempt < pg.START_ATTEMPTS
                and any(marker in new_log for marker in pg.PORT_IN_USE_MARKERS)
            ):
                continue
            die(f"pg_ctl start failed ({status}):\n{out.rstrip()}\n{new_log[-3000:]}", 1)

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        pid = self.postmaster_pid()
        if pid is None:
            return
        for mode in ("fast", "immediate"):
            status, out = self.run(
                "pg_ctl", "stop", "-D", str(self.dir), "-m", mode, "-w", "-t", "60"
            )
            if status == 0 or not (self.dir / "postmaster.pid").exists():
                break
            log(f"pg_ctl stop -m {mode} failed ({status}): {out.strip()}")
        if not pg.wait_for_exit(pid, timeout=10):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            pg.wait_for_exit(pid, timeout=10)
        self.info["pid"] = None

    def createdb(self) -> None:
        self.check(
            "createdb", "-h", HOST, "-p", str(self.info["port"]), "-U", self.info["user"],
            pg.DATABASE,
        )  # fmt: skip

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


# --- nginx -----------------------------------------------------------------------------------


def _traversable_by_others(path: Path) -> bool:
    """Whether a user other than the owner may reach ``path`` (o+x on every parent)."""
    for parent in [path, *path.parents]:
        try:
            if not parent.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def nginx_user(state_dir: Path) -> str:
    """The ``user`` line for nginx's workers: only meaningful when nginx starts as root."""
    if os.geteuid() != 0:
        return ""
    if not _traversable_by_others(state_dir):
        log(f"{state_dir} is not reachable for other users; nginx's workers run as root")
        return "user root root;"
    for name in ("www-data", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return f"user {entry.pw_name} {_group_name(entry.pw_gid)};"
    return "user root root;"


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def render(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        die(f"{template}: no value for {', '.join(sorted(set(left)))}")
    return text


def write_nginx_config(data: dict[str, Any], state_dir: Path) -> Path:
    nginx_dir = state_dir / "nginx"
    (nginx_dir / "temp").mkdir(parents=True, exist_ok=True)
    (state_dir / "logs").mkdir(parents=True, exist_ok=True)
    processes = data["processes"]
    servers = "\n".join(
        f"    server {HOST}:{web['port']} max_fails=1 fail_timeout=5s;" for web in processes["web"]
    )
    static_root = Path(data["env"]["RATHAUS_DATA_DIR"]) / "static"
    site = render(
        NGINX_TEMPLATE,
        {
            "UPSTREAM_SERVERS": servers.lstrip(),
            "LISTEN": f"{HOST}:{processes['nginx']['port']}",
            "SERVER_NAME": HOST,
            "STATIC_ROOT": str(static_root) + "/",
        },
    )
    (nginx_dir / "rathaus.conf").write_text(site)
    main = render(
        NGINX_MAIN_TEMPLATE,
        {
            "USER": nginx_user(state_dir),
            "PID": str(nginx_dir / "nginx.pid"),
            "ERROR_LOG": str(state_dir / "logs" / "nginx-error.log"),
            "ACCESS_LOG": str(state_dir / "logs" / "nginx-access.log"),
            "TEMP": str(nginx_dir / "temp"),
            "MIME_TYPES": "/etc/nginx/mime.types",
            "SITE": str(nginx_dir / "rathaus.conf"),
        },
    )
    config = nginx_dir / "nginx.conf"
    config.write_text(main)
    return config


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        die("nginx is not installed; Debian: apt-get install nginx-light (or nginx)")
    return found


def start_nginx(data: dict[str, Any], state: State) -> None:
    config = write_nginx_config(data, state.dir)
    nginx = nginx_binary()
    base = [
        nginx,
        "-p",
        str(state.dir / "nginx"),
        "-e",
        str(state.dir / "logs" / "nginx-error.log"),
    ]
    test = subprocess.run(
        [*base, "-c", str(config), "-t", "-q"], capture_output=True, text=True, check=False
    )
    if test.returncode != 0:
        die(f"nginx refuses {config}:\n{test.stderr.strip()}", 1)
    entry = spawn(
        "nginx", [*base, "-c", str(config)], dict(os.environ), state.dir / "logs" / "nginx.log"
    )
    entry["port"] = data["processes"]["nginx"]["port"]
    entry["config"] = str(config)
    data["processes"]["nginx"] = entry
    wait_port("nginx", entry["port"], entry)


# --- the application processes ---------------------------------------------------------------


def python_binary() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def rathaus_env(state_dir: Path, database_url: str, cache_url: str, demo: bool,
                sandbox_port: int) -> dict[str, str]:  # fmt: skip
    """The RATHAUS_* settings every process of the stack gets (recorded in stack.json)."""
    env = {
        "RATHAUS_DATABASE_URL": database_url,
        "RATHAUS_DATA_DIR": str(state_dir / "data"),
        "RATHAUS_DEMO": "true",  # plain HTTP on this machine, as make run (ADR 0025)
        "RATHAUS_DEBUG": "false",
        "RATHAUS_TRUSTED_PROXIES": HOST,  # nginx: the only source of X-Forwarded-* trusted
        "RATHAUS_BEHIND_TLS_PROXY": "true",  # the scheme is nginx's (plain HTTP here)
        "RATHAUS_CACHE_URL": cache_url,
        "RATHAUS_LOG_LEVEL": "WARNING",
    }
    if demo:
        env.update(
            RATHAUS_REGISTER_LOOKUP="extract",
            RATHAUS_REGISTER_EXTRACT=str(
                ROOT / "src" / "rathaus" / "cases" / "data" / "register-extract-demo.json"
            ),
            RATHAUS_PAYMENT_PROVIDER="sandbox",
            RATHAUS_PAYMENT_SANDBOX_URL=f"http://{HOST}:{sandbox_port}",
            RATHAUS_PAYMENT_SANDBOX_API_KEY=SANDBOX_API_KEY,
            RATHAUS_PAYMENT_WEBHOOK_KEYS=SANDBOX_WEBHOOK_KEYS,
        )
    return env


def process_env(data: dict[str, Any]) -> dict[str, str]:
    """The environment of a child: ours, without outside RATHAUS_* settings, plus the stack's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RATHAUS_")}
    env.update(data["env"])
    # a checkout's own sources first (a shared virtual environment may point elsewhere)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if part
    )
    return env


def manage_start(data: dict[str, Any], *args: str) -> subprocess.Popen[str]:
    """Start a management command (its output collected, to show when it fails)."""
    return subprocess.Popen(
        [python_binary(), "-m", "rathaus", *args],
        env=process_env(data),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def manage_wait(proc: subprocess.Popen[str], name: str) -> None:
    output, _ = proc.communicate()
    if proc.returncode != 0:
        die(f"rathaus {name} failed:\n{output[-4000:]}", 1)


def manage(data: dict[str, Any], *args: str) -> None:
    manage_wait(manage_start(data, *args), args[0])


def start_web(data: dict[str, Any], state: State, index: int) -> dict[str, Any]:
    web = data["processes"]["web"][index - 1]
    argv = [
        python_binary(), "-m", "rathaus", "serve", "--host", HOST, "--port", str(web["port"]),
        "--workers", str(data["web_workers"]),
    ]  # fmt: skip
    env = process_env(data)
    # gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl, one for all instances
    control = state.dir / "run" / f"web-{index}.ctl"
    control.parent.mkdir(parents=True, exist_ok=True)
    env["GUNICORN_CMD_ARGS"] = f"--control-socket {shlex.quote(str(control))}"
    entry = spawn(f"web {index}", argv, env, state.dir / "logs" / f"web-{index}.log")
    entry.update(index=index, port=web["port"])
    data["processes"]["web"][index - 1] = entry
    return entry


def start_worker(data: dict[str, Any], state: State, index: int) -> dict[str, Any]:
    argv = [python_binary(), "-m", "rathaus", "worker", "--queue-name", "*"]
    entry = spawn(
        f"worker {index}", argv, process_env(data), state.dir / "logs" / f"worker-{index}.log"
    )
    entry["index"] = index
    data["processes"]["worker"][index - 1] = entry
    return entry


def start_redis(data: dict[str, Any], state: State) -> dict[str, Any]:
    redis = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(redis).exists():
        die("redis-server is not installed; Debian: apt-get install redis-server")
    port = data["processes"]["redis"]["port"]
    work = state.dir / "redis"
    work.mkdir(parents=True, exist_ok=True)
    argv = [
        redis, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no",
        "--dir", str(work), "--daemonize", "no", "--protected-mode", "yes",
    ]  # fmt: skip
    entry = spawn("redis", argv, dict(os.environ), state.dir / "logs" / "redis.log")
    entry["port"] = port
    data["processes"]["redis"] = entry
    wait_port("redis", port, entry)
    return entry


def start_sandbox(data: dict[str, Any], state: State) -> dict[str, Any]:
    port = data["processes"]["sandbox"]["port"]
    argv = [
        python_binary(), "-m", "rathaus", "payment-sandbox", "--host", HOST, "--port", str(port),
        "--public-url", f"http://{HOST}:{port}",
    ]  # fmt: skip
    entry = spawn("sandbox", argv, process_env(data), state.dir / "logs" / "sandbox.log")
    entry["port"] = port
    data["processes"]["sandbox"] = entry
    wait_port("payment sandbox", port, entry)
    return entry


# --- subcommands -----------------------------------------------------------------------------


def cmd_up(args: argparse.Namespace) -> int:
    state = State(args.state_dir)
    with state.locked():
        if state.data and any(alive(entry) for entry in state.entries()):
            die(f"a stack already runs from {state.dir}; stop it first: deploy/stack.py down")
        if state.data:
            _teardown(state)  # what an earlier stack left behind (its processes are gone)
        for old in ("data", "nginx", "redis"):
            shutil.rmtree(state.dir / old, ignore_errors=True)
        started = time.monotonic()
        data: dict[str, Any] = {
            "version": STATE_VERSION,
            "state_dir": str(state.dir),
            "web_workers": args.web_workers,
            "demo": args.demo,
            "processes": {"web": [], "worker": []},
        }
        state.data = data
        signal.signal(signal.SIGTERM, _exit_on_signal)  # so that the teardown below runs
        try:
            _up(args, state, data)
        except BaseException:
            log("start failed; stopping what was started")
            state.save()
            _teardown(state)
            raise
        state.save()
    print(f"rathaus stack: {data['url']} (nginx, {args.web} web, {args.workers} workers, "
          f"PostgreSQL, redis) up in {time.monotonic() - started:.0f} s; "
          f"state in {state.file}", flush=True)  # fmt: skip
    if args.foreground:
        return _foreground(state)
    return 0


def _exit_on_signal(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def _up(args: argparse.Namespace, state: State, data: dict[str, Any]) -> None:
    processes = data["processes"]
    log("PostgreSQL: initdb and start")
    server = Postgres.create(state.dir)
    processes["postgres"] = server.info
    state.save()
    server.start()
    server.createdb()
    processes["redis"] = {"port": free_port()}
    start_redis(data, state)
    cache_url = f"redis://{HOST}:{processes['redis']['port']}/0"
    sandbox_port = free_port() if args.demo else 0
    nginx_port = args.port or free_port()
    data.update(
        url=f"http://{HOST}:{nginx_port}/",
        database_url=server.url,
        cache_url=cache_url,
        env=rathaus_env(state.dir, server.url, cache_url, args.demo, sandbox_port),
    )
    state.save()
    log("migrate" + (", demo data" if args.demo else "") + "; collectstatic beside it")
    collect = manage_start(data, "collectstatic", "--noinput", "-v", "0")
    try:
        manage(data, "migrate", "--noinput")
        if args.demo:
            manage(data, "demo-data")
    except BaseException:
        collect.kill()  # the start failed: nothing may keep running
        collect.wait()
        raise
    manage_wait(collect, "collectstatic")
    log("starting the processes")
    if args.demo:
        processes["sandbox"] = {"port": sandbox_port}
        start_sandbox(data, state)
    processes["web"] = [{"port": free_port()} for _ in range(args.web)]
    processes["worker"] = [{} for _ in range(args.workers)]
    for index in range(1, args.web + 1):
        start_web(data, state, index)
    for index in range(1, args.workers + 1):
        start_worker(data, state, index)
    state.save()
    for web in processes["web"]:
        wait_http(web["name"], web["port"], "/health", web)
    processes["nginx"] = {"port": nginx_port}
    start_nginx(data, state)
    state.save()
    wait_http("nginx", nginx_port, "/health", processes["nginx"])


def _foreground(state: State) -> int:
    stopping: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print("Ctrl-C stops the stack.", flush=True)
    while not stopping:
        reap()
        time.sleep(0.5)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with state.locked():
        _teardown(state)
    return 0


def _teardown(state: State) -> None:
    """Stop every process of the stack, PostgreSQL last, and remove its data."""
    data = state.data
    stop_entries([entry for entry in state.entries() if entry.get("pid")])
    postgres = data.get("processes", {}).get("postgres")
    if postgres and postgres.get("data_dir"):
        server = Postgres(postgres)
        server.stop()
        server.remove()
    state.file.unlink(missing_ok=True)
    data.clear()


def cmd_down(args: argparse.Namespace) -> int:
    state = State(args.state_dir)
    with state.locked():
        if not state.data:
            log(f"no stack in {state.dir}")
            return 0
        _teardown(state)
    log("stopped")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    state = State(args.state_dir)
    data = state.load()
    if not data:
        if args.json:
            print(json.dumps({"running": False}))
        else:
            print(f"no stack in {state.dir}")
        return 3
    processes = data["processes"]
    postgres = processes.get("postgres", {})
    postgres_up = bool(postgres.get("pid")) and alive(postgres)
    rows = [("postgres", postgres.get("pid"), postgres.get("port"), postgres_up)]
    rows += [
        (entry.get("name", "(starting)"), entry.get("pid"), entry.get("port"), alive(entry))
        for entry in state.entries()
    ]
    if args.json:
        print(json.dumps({
            "running": all(up for *_, up in rows),
            "url": data.get("url"),
            "processes": [
                {"name": name, "pid": pid, "port": port, "alive": up}
                for name, pid, port, up in rows
            ],
        }, indent=2))  # fmt: skip
    else:
        print(f"url: {data.get('url')}\ndatabase: {data.get('database_url')}")
        for name, pid, port, up in rows:
            where = f" port {port}" if port else ""
            print(f"{name:10} {'running' if up else 'DOWN':8} pid {pid}{where}")
    return 0 if all(up for *_, up in rows) else 1


def _target(data: dict[str, Any], kind: str, number: int | None) -> dict[str, Any]:
    processes = data["processes"]
    if kind == "redis":
        return dict(processes["redis"])
    if number is None:
        die(f"which {kind}? give its number, e.g.: {kind} 1")
    entries = processes[kind]
    if not 1 <= number <= len(entries):
        die(f"there is no {kind} {number}; the stack has {len(entries)} (numbered from 1)")
    return dict(entries[number - 1])


def cmd_kill(args: argparse.Namespace) -> int:
    state = State(args.state_dir)
    with state.locked():
        entry = _target(state.require(), args.kind, args.number)
        if not alive(entry):
            log(f"{entry['name']} is not running")
            return 1
        signal_group(entry, signal.SIGKILL)
        wait_gone([entry], 10)
    log(f"killed {entry['name']} (pid {entry['pid']})")
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    state = State(args.state_dir)
    with state.locked():
        data = state.require()
        entry = _target(data, args.kind, args.number)
        if alive(entry):
            log(f"{entry['name']} is already running (pid {entry['pid']})")
            return 1
        if args.kind == "web":
            wait_gone([entry], 10)  # its workers hold the port until they notice
            entry = start_web(data, state, args.number)
            state.save()
            wait_http(entry["name"], entry["port"], "/health", entry)
        elif args.kind == "worker":
            entry = start_worker(data, state, args.number)
        else:
            entry = start_redis(data, state)
        state.save()
    log(f"started {entry['name']} (pid {entry['pid']})")
    return 0


def cmd_restart_postgres(args: argparse.Namespace) -> int:
    state = State(args.state_dir)
    with state.locked():
        data = state.require()
        server = Postgres(data["processes"]["postgres"])
        server.stop()
        log(f"PostgreSQL stopped; starting it again after {args.pause:g} s")
        time.sleep(args.pause)
        server.start()
        data["processes"]["postgres"] = server.info
        state.save()
    log(f"PostgreSQL running again (pid {server.info['pid']}, port {server.info['port']})")
    return 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="deploy/stack.py",
        description="nginx + N web + M workers + PostgreSQL + redis on this machine "
        "(docs/operations.md).",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("RATHAUS_STACK_DIR") or DEFAULT_STATE_DIR),
        help="where the stack keeps its files and stack.json (default: var/stack, or "
        "$RATHAUS_STACK_DIR)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the stack; prints its URL")
    up.add_argument("-n", "--web", type=int, default=2, help="web instances (default 2)")
    up.add_argument("-m", "--workers", type=int, default=2, help="task workers (default 2)")
    up.add_argument(
        "--web-workers", type=int, default=2, help="gunicorn processes per web instance (2)"
    )
    up.add_argument("--port", type=int, default=0, help="nginx's port (default: a free one)")
    up.add_argument(
        "--demo", action="store_true", help="load the demo data and start the payment sandbox"
    )
    up.add_argument(
        "--foreground", action="store_true", help="stay; Ctrl-C or SIGTERM stops the stack"
    )
    up.set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop every process and remove the database").set_defaults(
        func=cmd_down
    )
    status = sub.add_parser("status", help="what runs (exit status 1 if something is down)")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    restart = sub.add_parser("restart-postgres", help="stop PostgreSQL (fast) and start it again")
    restart.add_argument(
        "--pause", type=float, default=0.0, help="seconds PostgreSQL stays down (default 0)"
    )
    restart.set_defaults(func=cmd_restart_postgres)
    for name, func, text in (
        ("kill", cmd_kill, "SIGKILL to a process group (a fault)"),
        ("start", cmd_start, "start a process again (same port)"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("kind", choices=("web", "worker", "redis"))
        command.add_argument("number", type=int, nargs="?", help="1 for the first (web, worker)")
        command.set_defaults(func=func)
    args = parser.parse_args(argv)
    if args.command == "up" and (args.web < 1 or args.workers < 0 or args.web_workers < 1):
        parser.error("need at least one web instance with one gunicorn process, and -m >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
