"""``rathaus run``: the web server and the task worker together; Ctrl-C stops both."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server and the task worker; stop both when either ends or on Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=None, help="port (default: RATHAUS_PORT)")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or settings.RATHAUS_PORT
        address = f"{options['host']}:{port}"
        command = [sys.executable, "-m", "rathaus"]
        children = [
            subprocess.Popen([*command, "worker", "--queue-name", "*"]),  # noqa: S603
            subprocess.Popen([*command, "runserver", address, "--noreload"]),  # noqa: S603
        ]
        self.stdout.write(f"rathaus is running at http://{address}/ — stop with Ctrl-C.")
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            finished = [child for child in children if child.poll() is not None]
            if finished:
                exit_code = finished[0].returncode or 1
                self.stderr.write("A process ended unexpectedly; stopping the other one.")
                break
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if exit_code:
            sys.exit(exit_code)
