"""``rathaus serve``: the production web server (gunicorn) for ``rathaus.wsgi``.

``rathaus run`` starts the same server through :func:`gunicorn_command`; gunicorn's settings
are in ``rathaus.gunicorn_config``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rathaus.conf import METRICS_ENV
from rathaus.core.proxy import forwarded_allow_ips

CONFIG = "python:rathaus.gunicorn_config"


def gunicorn_command(host: str, port: int, workers: int, *, reload: bool = False) -> list[str]:
    """The command line that starts gunicorn with rathaus' settings on ``host:port``."""
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
        "gunicorn"
    )
    if gunicorn is None:
        raise CommandError("gunicorn is not installed in this environment.")
    argv = [
        gunicorn,
        "--config", CONFIG,
        "--bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--workers", str(workers),
        # gunicorn takes the scheme from the same proxies as Django (RATHAUS_TRUSTED_PROXIES)
        "--forwarded-allow-ips", forwarded_allow_ips(),
    ]  # fmt: skip
    if reload:
        argv.append("--reload")
    return argv


class Command(BaseCommand):
    help = "Run the production web server (gunicorn); run a worker and a proxy beside it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=None, help="default: RATHAUS_PORT")
        parser.add_argument(
            "--workers", type=int, default=None, help="default: RATHAUS_WEB_WORKERS"
        )
        parser.add_argument(
            "--reload", action="store_true", help="restart the workers when the code changes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or settings.RATHAUS_PORT
        workers = options["workers"] or settings.RATHAUS_WEB_WORKERS
        argv = gunicorn_command(options["host"], port, workers, reload=options["reload"])
        if settings.RATHAUS_LOG_FORMAT != "json":  # there gunicorn's JSON lines say it
            self.stdout.write(f"Serving on http://{options['host']}:{port}/ with {workers} workers")
            self.stdout.flush()
        # The settings named this process's own metrics directory (metrics/process-<pid>); gunicorn
        # keeps the pid, but its master gives the instance its own (rathaus.core.metrics_gunicorn).
        if Path(os.environ.get(METRICS_ENV, "")).name == f"process-{os.getpid()}":
            shutil.rmtree(os.environ.pop(METRICS_ENV), ignore_errors=True)
        os.execv(argv[0], argv)  # noqa: S606 (replaces this process with gunicorn)
