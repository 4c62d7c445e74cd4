"""``rathaus serve``: the production web server (gunicorn) for ``rathaus.wsgi``."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rathaus.core.proxy import forwarded_allow_ips


class Command(BaseCommand):
    help = "Run the production web server (gunicorn); run a worker and a proxy beside it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=None, help="default: RATHAUS_PORT")
        parser.add_argument(
            "--workers", type=int, default=None, help="default: RATHAUS_WEB_WORKERS"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn is not installed in this environment.")
        port = options["port"] or settings.RATHAUS_PORT
        workers = options["workers"] or settings.RATHAUS_WEB_WORKERS
        argv = [
            gunicorn,
            "--bind", f"{options['host']}:{port}",
            "--workers", str(workers),
            "--access-logfile", "-",
            "--forwarded-allow-ips", forwarded_allow_ips(),  # RATHAUS_TRUSTED_PROXIES
            "rathaus.wsgi:application",
        ]  # fmt: skip
        self.stdout.write(f"Serving on http://{options['host']}:{port}/ with {workers} workers")
        self.stdout.flush()
        os.execv(gunicorn, argv)  # noqa: S606 (replaces this process with gunicorn)
