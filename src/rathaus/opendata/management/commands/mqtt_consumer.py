"""``rathaus mqtt-consumer``: store the observations that sensors publish over MQTT (ADR 0059).

Runs until Ctrl-C or SIGTERM; finishes the batch in hand first. Started by ``rathaus run``."""

from __future__ import annotations

import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from rathaus.opendata.mqtt.consumer import Consumer, Outcome


class Command(BaseCommand):
    help = "Store observations published to the MQTT broker (RATHAUS_MQTT_URL) until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url", default=None, help="broker address (default: RATHAUS_MQTT_URL)"
        )
        parser.add_argument(
            "--batch-size", type=int, default=None, help="default: RATHAUS_MQTT_BATCH_SIZE"
        )
        parser.add_argument(
            "--batch-milliseconds",
            type=int,
            default=None,
            help="default: RATHAUS_MQTT_BATCH_MILLISECONDS",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"] or settings.RATHAUS_MQTT_URL
        consumer = Consumer(
            url,
            batch_size=max(1, options["batch_size"] or settings.RATHAUS_MQTT_BATCH_SIZE),
            batch_milliseconds=max(
                1, options["batch_milliseconds"] or settings.RATHAUS_MQTT_BATCH_MILLISECONDS
            ),
            on_batch=self._report if options["verbosity"] >= 2 else None,
        )

        def stop(signum: int, frame: object) -> None:
            consumer.stop()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        shown = url.split("@")[-1].removeprefix("mqtt://")
        self.stdout.write(
            f"Storing observations from mqtt://{shown} (topics v1.1/#) — stop with Ctrl-C."
        )
        self.stdout.flush()
        counts = consumer.run()
        self.stdout.write(
            f"Stopped: {counts.stored} observations stored, {counts.duplicates} repeated "
            f"messages skipped, {counts.dead} messages set aside for staff."
        )

    def _report(self, outcome: Outcome) -> None:
        self.stdout.write(
            f"batch: {outcome.stored} stored, {outcome.duplicates} repeated, "
            f"{outcome.dead} set aside in {outcome.seconds * 1000:.1f} ms"
        )
        self.stdout.flush()
