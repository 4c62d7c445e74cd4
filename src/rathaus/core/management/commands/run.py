"""``rathaus run``: the web server and the task worker together; Ctrl-C stops both.

The web server is the production one, gunicorn, started as ``rathaus serve`` starts it (static
files by WhiteNoise); ``--reload`` restarts its workers when the code changes, for developers.

In the demo, the payment sandbox (a separate process, ADR 0047) is started too when
``RATHAUS_PAYMENT_SANDBOX_URL`` points to this machine. The MQTT consumer always runs; a local
mosquitto is started when ``RATHAUS_MQTT_URL`` points to this machine and none listens there,
and in the demo the sensor simulator publishes a round of readings to it every minute."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from rathaus.core.management.commands.serve import gunicorn_command


class Command(BaseCommand):
    help = (
        "Start the web server, the task worker and the MQTT consumer (and a local broker); stop "
        "all when one ends or on Ctrl-C."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=None, help="port (default: RATHAUS_PORT)")
        parser.add_argument(
            "--workers", type=int, default=None, help="web processes (default: RATHAUS_WEB_WORKERS)"
        )
        parser.add_argument(
            "--reload", action="store_true", help="restart the web server when the code changes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or settings.RATHAUS_PORT
        address = f"{options['host']}:{port}"
        workers = options["workers"] or settings.RATHAUS_WEB_WORKERS
        web = gunicorn_command(options["host"], port, workers, reload=options["reload"])
        command = [sys.executable, "-m", "rathaus"]
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        # Installed before the first child starts: a Ctrl-C while the children start up (the
        # broker may take seconds) stops them too instead of leaving them running.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        children: list[subprocess.Popen[bytes]] = []
        exit_code = 0
        try:
            children.append(subprocess.Popen([*command, "worker", "--queue-name", "*"]))  # noqa: S603
            children.append(subprocess.Popen(web))  # noqa: S603
            sandbox = local_sandbox()
            if sandbox and not stopping:
                children.append(subprocess.Popen([*command, *sandbox]))  # noqa: S603
            broker = local_broker()  # the SensorThings MQTT broker and its consumer (ADR 0059)
            if broker and not stopping:
                children.append(subprocess.Popen([*command, *broker]))  # noqa: S603
                wait_for_broker(lambda: stopping)
            if not stopping:
                children.append(subprocess.Popen([*command, "mqtt-consumer"]))  # noqa: S603
            if settings.RATHAUS_DEMO and broker and not stopping:
                # the demo's sensors: a round of readings every minute, so the dashboards move
                simulator = [*command, "sensor-simulator", "--interval", "60"]
                children.append(subprocess.Popen(simulator, stdout=subprocess.DEVNULL))  # noqa: S603
            # said once the server listens, after gunicorn's start-up lines
            deadline = time.monotonic() + 60
            web_process = children[1]
            while not (
                stopping or listens(options["host"], port) or web_process.poll() is not None
            ):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            if not stopping:
                self.stdout.write(f"rathaus is running at http://{address}/ — stop with Ctrl-C.")
                self.stdout.flush()
            while not stopping:
                finished = [child for child in children if child.poll() is not None]
                if finished:
                    exit_code = finished[0].returncode or 1
                    self.stderr.write("A process ended unexpectedly; stopping the others.")
                    break
                time.sleep(0.5)
        finally:
            stop_all(children)
        if exit_code:
            sys.exit(exit_code)


def listens(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_all(children: list[subprocess.Popen[bytes]]) -> None:
    """Ask every child to stop, wait for each, kill those that do not stop within 10 seconds."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def wait_for_broker(stopping: Callable[[], bool], seconds: float = 15.0) -> None:
    """Wait until the broker just started listens, so that the consumer and the simulator find
    it (the simulator gives up at once when nothing listens)."""
    parts = urlsplit(settings.RATHAUS_MQTT_URL)
    host = "::1" if parts.hostname == "::1" else "127.0.0.1"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stopping():
        try:
            with socket.create_connection((host, parts.port or 1883), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    if not stopping():
        sys.stderr.write("The MQTT broker did not start listening; see its messages above.\n")


def local_broker() -> list[str]:
    """The arguments that start the MQTT broker, when ``RATHAUS_MQTT_URL`` is on this machine
    and nothing listens there yet (a broker elsewhere, or one already running, is left alone)."""
    parts = urlsplit(settings.RATHAUS_MQTT_URL)
    if parts.hostname not in {"localhost", "127.0.0.1", "::1"}:
        return []
    host = "::1" if parts.hostname == "::1" else "127.0.0.1"
    port = parts.port or 1883
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return []
    except OSError:
        pass
    if not (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()):
        sys.stderr.write("mosquitto is not installed: sensor data over MQTT is not received.\n")
        return []
    return ["mqtt-broker", "--host", host, "--port", str(port)]


def local_sandbox() -> list[str]:
    """The arguments that start the payment sandbox, when the demo uses one on this machine."""
    url = settings.RATHAUS_PAYMENT_SANDBOX_URL
    if not settings.RATHAUS_DEMO or not url:
        return []
    parts = urlsplit(url)
    if parts.hostname not in {"localhost", "127.0.0.1", "::1"}:
        return []
    host = "::1" if parts.hostname == "::1" else "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return ["payment-sandbox", "--host", host, "--port", str(port), "--public-url", url]
