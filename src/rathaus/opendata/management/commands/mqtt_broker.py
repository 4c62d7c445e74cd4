"""``rathaus mqtt-broker``: a local mosquitto for the demo, its configuration and state in the
data directory (``mosquitto/``); ``rathaus run`` starts it when ``RATHAUS_MQTT_URL`` points to
this machine and nothing listens there. A production broker is the operator's (ADR 0059)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rathaus.opendata.mqtt.broker import (
    LOCAL_HOSTS,
    NOT_LOCAL,
    Broker,
    BrokerError,
    address,
    listening,
)


class Command(BaseCommand):
    help = "Run a local mosquitto for RATHAUS_MQTT_URL (state in the data directory)."

    def add_arguments(self, parser: Any) -> None:
        where = address(settings.RATHAUS_MQTT_URL)
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (only this machine's)"
        )
        parser.add_argument("--port", type=int, default=where.port, help="port")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["host"] not in LOCAL_HOSTS:
            raise CommandError(NOT_LOCAL.format(host=options["host"]))
        if listening(options["host"], options["port"]):
            raise CommandError(f"Something listens on port {options['port']} already.")
        try:
            broker = Broker(settings.DATA_DIR / "mosquitto", options["port"], options["host"])
            command = broker.command()
        except BrokerError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"MQTT broker on mqtt://{options['host']}:{options['port']}/")
        self.stdout.flush()
        os.execv(command[0], command)  # noqa: S606 (mosquitto takes over this process)
