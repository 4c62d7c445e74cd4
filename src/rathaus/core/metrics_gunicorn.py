"""gunicorn hooks for prometheus-client's multiprocess mode (rathaus.core.metrics).

``rathaus.gunicorn_config`` names them::

    from rathaus.core.metrics_gunicorn import child_exit, on_starting  # noqa: F401

``on_starting`` (in the master, before any worker exists) gives this server instance its own
metrics directory, empties it of the files of an earlier run and exports it as
``PROMETHEUS_MULTIPROC_DIR``, which the workers inherit; ``child_exit`` removes the live gauges of
a worker that has ended (killed, restarted after ``max_requests``, timed out), so that
``rathaus_http_requests_in_progress`` counts live workers only. The counters and histograms of an
ended worker stay in the directory: the totals of the instance never go backwards.

Only the standard library and prometheus-client's file helper: the master never loads Django.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

ENV = "PROMETHEUS_MULTIPROC_DIR"


def instance_directory(bind: list[str], data_dir: str | None = None) -> Path:
    """``<data dir>/metrics/<bind address>``: one directory per server instance.

    Several instances (one per port, deploy/stack.py) share the data directory; each is scraped
    on its own, so each counts in its own directory.
    """
    from rathaus.conf import env

    base = Path(data_dir or env("DATA_DIR")).resolve() / "metrics"
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", "+".join(bind) or "default").strip("_")
    return base / name


def prepare(directory: Path) -> Path:
    """Create the directory, remove the files of an earlier run, export it for the workers."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[ENV] = str(directory)
    return directory


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_dead_process_directories(base: Path) -> None:
    """Remove the ``process-<pid>`` directories of processes that have ended without cleaning
    up (killed, or replaced by exec), so that they do not pile up across restarts."""
    for directory in base.glob("process-*"):
        pid = directory.name.removeprefix("process-")
        if directory.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)


def on_starting(server: Any) -> None:
    """gunicorn's hook in the master before it starts the workers.

    A directory the operator gave counts; a ``process-<pid>`` one does not, even this process's
    own: ``rathaus serve`` loads the settings, which name ``metrics/process-<pid>``, and then
    execs gunicorn with the same pid. Its workers would each take it for another process's and
    count alone.
    """
    from rathaus.conf import inherited_metrics_directory

    given = inherited_metrics_directory()
    if Path(given).name.startswith("process-"):
        given = ""
    directory = Path(given) if given else instance_directory(list(server.cfg.bind))
    remove_dead_process_directories(directory.parent)
    prepare(directory)
    server.log.info("metrics directory: %s", directory)


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's hook in the master after a worker process has ended."""
    from prometheus_client import multiprocess

    directory = os.environ.get(ENV)
    if directory:
        multiprocess.mark_process_dead(worker.pid, directory)  # type: ignore[no-untyped-call]
