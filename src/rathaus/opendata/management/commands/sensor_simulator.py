"""``rathaus sensor-simulator``: publish realistic readings of the demo's datastreams over MQTT.

The consumer (``rathaus mqtt-consumer``, started by ``rathaus run``) stores them; the dashboards
show them. ``--once`` publishes one round; else one round every ``--interval`` seconds, ``--count``
rounds or until Ctrl-C."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rathaus.opendata.mqtt.simulator import Publisher, Simulator, numeric_datastreams


class Command(BaseCommand):
    help = "Publish realistic readings of the datastreams over MQTT, like the town's sensors."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url", default=None, help="broker address (default: RATHAUS_MQTT_URL)"
        )
        parser.add_argument("--once", action="store_true", help="publish one round and stop")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds")
        parser.add_argument("--count", type=int, default=0, help="rounds (0: until Ctrl-C)")
        parser.add_argument(
            "--datastream", type=int, action="append", default=[], help="only this datastream id"
        )
        parser.add_argument("--seed", type=int, default=None, help="for repeatable values")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0 or options["count"] < 0:
            raise CommandError("--interval must be above 0 and --count not negative")
        datastreams = numeric_datastreams(options["datastream"])
        if not datastreams:
            raise CommandError(
                "There are no datastreams with numeric results to simulate"
                + (" with these ids." if options["datastream"] else "; load them with "
                   "`rathaus demo-data`.")
            )  # fmt: skip
        rounds = 1 if options["once"] else options["count"]
        simulator = Simulator(datastreams, seed=options["seed"])
        try:
            publisher = Publisher(options["url"] or settings.RATHAUS_MQTT_URL)
        except OSError as exc:
            raise CommandError(f"Cannot reach the MQTT broker: {exc}") from None
        published = done = 0
        try:
            while not rounds or done < rounds:
                if done:
                    time.sleep(options["interval"])
                published += publisher.publish(simulator.round(timezone.now()))
                done += 1
                self.stdout.write(
                    f"Round {done}{f' of {rounds}' if rounds else ''}: "
                    f"{len(datastreams)} readings published."
                )
        except KeyboardInterrupt:
            pass
        except ConnectionError as exc:
            raise CommandError(str(exc)) from None
        finally:
            publisher.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"{published} readings of {len(datastreams)} datastreams published in {done} "
                "rounds."
            )
        )
