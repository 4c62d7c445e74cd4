"""``rathaus worker``: the django-tasks-db worker, a heartbeat that /health reads, and the
recurring housekeeping jobs (rathaus.core.housekeeping)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    connections,
)
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from rathaus.core import housekeeping, taskqueue
from rathaus.core.models import WorkerHeartbeat

logger = logging.getLogger("rathaus.core")
MAX_RECONNECT_PAUSE = 30.0


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, interval: float) -> None:
        super().__init__(name="rathaus-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopped = threading.Event()
        self.started_at = timezone.now()

    def beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:253],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "last_seen": now,
            },
        )
        # Workers that died without saying goodbye are forgotten after a day.
        WorkerHeartbeat.objects.filter(last_seen__lt=now - timedelta(days=1)).delete()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                self.beat()
                housekeeping.run_due()
            except Exception:  # a missed beat must not kill the thread; /health will notice
                import logging

                logging.getLogger("rathaus.core").exception("worker heartbeat failed")
            self.stopped.wait(self.interval)
        # The goodbye comes from this thread, after its last beat: a beat still under way when
        # the worker stops (a slow write under load) can no longer bring the row back.
        try:
            self.goodbye()
        except Exception:  # the worker stops anyway; a row left behind is forgotten after a day
            import logging

            logging.getLogger("rathaus.core").exception("worker heartbeat goodbye failed")
        connection.close()

    def goodbye(self) -> None:
        close_old_connections()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


class Command(DBWorkerCommand):
    help = "Run the background task worker (django-tasks-db) and report its heartbeat."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(options["worker_id"], settings.RATHAUS_WORKER_HEARTBEAT_SECONDS)
        heartbeat.beat()
        heartbeat.start()
        try:
            self._run_through_outages(*args, **options)
        finally:
            heartbeat.stopped.set()
            heartbeat.join(timeout=20)
            if heartbeat.is_alive():  # stuck in a beat: say goodbye from here
                heartbeat.goodbye()

    def _run_through_outages(self, *args: Any, **options: Any) -> None:
        """Run the worker loop; when the database goes away (a restart, a fail-over), wait with a
        growing pause, queue again what this worker was running, and go on."""
        pause = 1.0
        while True:
            try:
                super().handle(*args, **options)
                return
            except (OperationalError, InterfaceError) as error:
                logger.warning("worker lost the database (%s); again in %.0f s", error, pause)
            # the loop's own signal handlers are gone with it: stop at once while waiting
            signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
            signal.signal(signal.SIGINT, signal.default_int_handler)
            connections.close_all()
            time.sleep(pause)
            pause = min(pause * 2, MAX_RECONNECT_PAUSE)
            try:
                taskqueue.release(options["worker_id"])
            except (OperationalError, InterfaceError):
                connections.close_all()  # still away: the loop tries again and releases later
